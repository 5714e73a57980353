"""Workshops service: the processes domain."""
