"""Registrations with their waiting list, attendance and head counts."""
