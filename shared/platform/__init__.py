"""Platform tables shared by every service (API keys, idempotency records), in the ``platform`` schema."""
