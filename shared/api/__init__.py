"""HTTP conventions shared by every route: pagination, ETags, idempotency, bounded schemas."""
