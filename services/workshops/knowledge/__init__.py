"""The learning community's knowledge: the facilitators' collective manual and the case library."""
