"""Courses for facilitators and tutors: editions, sessions, cohorts, attendance, completions (issue 22.1)."""
