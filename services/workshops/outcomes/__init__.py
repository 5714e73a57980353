"""Workshops service: the outcomes domain (tables, events, migrations); its topics are subpackages."""
