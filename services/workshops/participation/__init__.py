"""Workshops service: the participation domain (proposals, supports, comments, official answers)."""
