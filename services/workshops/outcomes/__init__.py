"""Workshops service: the outcomes domain."""
