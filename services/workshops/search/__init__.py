"""Search across processes, workshops, inventions, priorities and proposals (``GET /search``)."""
