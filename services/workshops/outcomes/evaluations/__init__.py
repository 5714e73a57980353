"""Participatory evaluation cards: versioned templates, responses, results per dimension."""
