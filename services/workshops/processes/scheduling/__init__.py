"""Workshops: scheduling and clash rules, status changes, agendas and calendars (iCalendar)."""
