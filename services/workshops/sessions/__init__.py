"""Workshops service: the sessions domain."""
