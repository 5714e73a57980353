"""Typed HTTP clients services use to talk to each other (timeouts, correlation ids, short caches)."""
