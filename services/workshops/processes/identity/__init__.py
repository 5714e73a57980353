"""A process: its identity card, phases and status."""
