"""Workshops service: programmes, processes, workshops, attendance, inventions, priorities, evaluations."""
