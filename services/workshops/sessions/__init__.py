"""Workshops service: the sessions domain (inside a workshop; tables, events, migrations); its topics are subpackages."""
