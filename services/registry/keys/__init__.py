"""API keys over HTTP: regional administrators create, list, rotate and revoke them."""
