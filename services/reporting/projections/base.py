"""The projection contract and the payload readers every projection uses.

A projection turns events into rows. ``apply`` must be idempotent: rows are upserted by the natural ids the
events carry and whole-state events (attendance) replace what they describe, so a replayed event changes
nothing. The consumer never hands a projection an event at or below its checkpoint.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any, ClassVar, TypeVar

from sqlmodel import Session, SQLModel

from shared.eventlog import RecordedEvent

Handler = Callable[[Session, RecordedEvent], None]
M = TypeVar("M", bound=SQLModel)


class Projection:
    """A named read model: the tables it owns and one handler per event type it reads."""

    name: ClassVar[str]
    tables: ClassVar[tuple[type[SQLModel], ...]]

    def handlers(self) -> dict[str, Handler]:
        """Event type -> handler."""
        raise NotImplementedError

    def prepare(self, session: Session, events: list[RecordedEvent]) -> None:
        """Called once before a batch is applied (prefetching hook); nothing by default."""

    def apply(self, session: Session, event: RecordedEvent) -> None:
        """Apply one event (events this projection does not read are ignored)."""
        handler = self.handlers().get(event.type)
        if handler is not None:
            handler(session, event)


def as_uuid(value: Any) -> uuid.UUID | None:
    """A UUID from a payload value, or None when absent or malformed."""
    if value is None or value == "":
        return None
    if isinstance(value, uuid.UUID):
        return value
    try:
        return uuid.UUID(str(value))
    except (ValueError, AttributeError):
        return None


def as_date(value: Any) -> date | None:
    """A date from an ISO date or datetime string."""
    if not value:
        return None
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    try:
        text = str(value)
        return date.fromisoformat(text[:10])
    except ValueError:
        return None


def as_datetime(value: Any) -> datetime | None:
    """An aware UTC datetime from an ISO string (naive values are taken as UTC)."""
    if not value:
        return None
    try:
        parsed = (
            value
            if isinstance(value, datetime)
            else datetime.fromisoformat(str(value).replace("Z", "+00:00"))
        )
    except ValueError:
        return None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def as_int(value: Any) -> int | None:
    """An int from a payload value, or None."""
    if value is None or isinstance(value, bool):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def as_dict(value: Any) -> dict[str, Any]:
    """A payload value that should be an object, or an empty dict."""
    return value if isinstance(value, dict) else {}


def text(value: Any, limit: int = 200) -> str:
    """A bounded string for a column."""
    if value is None:
        return ""
    return str(value)[:limit]


def entity_id(event: RecordedEvent, key: str) -> uuid.UUID | None:
    """The aggregate id: from the payload key, else the stream id."""
    return as_uuid(event.payload.get(key)) or as_uuid(event.stream_id)


ROW_CACHE = "reporting_rows"


def get_or_new(session: Session, model: type[M], key: Any, **defaults: Any) -> M:
    """The row with primary key ``key``, or a new (added) one: the upsert every handler uses.

    Rows touched in the current batch are cached on the session, so a batch is flushed once at its end
    instead of after every event (the consumer clears the cache after each batch).
    """
    cache: dict[tuple[Any, ...], Any] = session.info.setdefault(ROW_CACHE, {})
    cache_key = (model, key)
    row = cache.get(cache_key)
    if row is None:
        with session.no_autoflush:
            row = session.get(model, key)
        if row is None:
            row = model(**defaults)
            session.add(row)
        cache[cache_key] = row
    return row  # type: ignore[no-any-return]


def cached(session: Session, model: type[M], key: Any) -> M | None:
    """A row by primary key, including rows added earlier in the batch and not yet flushed."""
    row = session.info.get(ROW_CACHE, {}).get((model, key))
    if row is not None:
        return row  # type: ignore[no-any-return]
    with session.no_autoflush:
        return session.get(model, key)


def forget_rows(session: Session) -> None:
    """Drop the batch's caches (after its flush).

    Attendance rows are also expunged: they are replaced later by bulk deletes that do not synchronise the
    session, so no stale copy may stay in its identity map.
    """
    session.info.pop(ROW_CACHE, None)
    session.info.pop("reporting_timeline_existing", None)
    for rows in session.info.pop("reporting_pending_attendance", {}).values():
        for row in rows:
            if row in session:
                session.expunge(row)


def category(value: Any) -> str:
    """A normalised actor category code."""
    return text(value, 64).strip().lower() or "other"
