"""Sign-in identities linked to registry people, and the role grants (district editor, regional admin)."""
