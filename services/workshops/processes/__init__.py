"""Workshops service: the processes domain (tables, events, migrations); its topics are subpackages."""
