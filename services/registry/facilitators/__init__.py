"""Facilitators and tutors: profiles, districts served, availability and training."""
