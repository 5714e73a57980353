"""Workshop minutes: attendance, contributions, decisions and follow-ups."""
