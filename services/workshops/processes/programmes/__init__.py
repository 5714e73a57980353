"""Regional programmes and their editions."""
