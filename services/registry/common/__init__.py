"""Helpers every domain of the registry shares: table schema, search text, columns, events."""
