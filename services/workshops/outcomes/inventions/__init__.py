"""Inventions born in processes and workshops, and their hand-over."""
