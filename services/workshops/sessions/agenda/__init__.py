"""The agenda of a workshop (also in its iCalendar description)."""
