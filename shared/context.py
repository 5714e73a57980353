"""Per-request context (correlation id, actor) carried in context variables into logs and events."""

from __future__ import annotations

from contextvars import ContextVar

request_id_var: ContextVar[str | None] = ContextVar("request_id", default=None)
actor_id_var: ContextVar[str | None] = ContextVar("actor_id", default=None)


def current_request_id() -> str | None:
    """The correlation id of the request being served, if any."""
    return request_id_var.get()


def current_actor_id() -> str | None:
    """The actor id of the authenticated caller, if any."""
    return actor_id_var.get()
