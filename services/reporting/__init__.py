"""Reporting service: read models built from the event log (timelines, diary, dashboard, open data)."""
