"""Appending to an aggregate's stream, the one way every service does it, and the policies run after appends.

An aggregate is a row whose ``version`` is its stream's version (its ETag) and whose ``updated_at``, when it
has one, is the last event's ``recorded_at``: :func:`append_to` keeps both in step with the stream. A
*policy* is work that follows an append on one stream type in the same transaction (a process's snapshot
every N versions); a domain registers it once with :func:`register_policy` and every append runs it, so no
service special-cases its own streams.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from datetime import date, datetime
from typing import Any, Protocol

from sqlalchemy.orm import Session

from shared.eventlog.store import AfterAppend, NewEvent, RecordedEvent, append, occurred_on, register_policy


class Aggregate(Protocol):
    """A row kept in step with its stream."""

    id: Any
    version: int


def append_to(
    session: Session,
    *,
    row: Aggregate,
    stream_type: str,
    new_events: Sequence[NewEvent],
    expected_version: int | None,
    district_id: uuid.UUID | str | None = None,
    stream_id: uuid.UUID | str | None = None,
    occurred_at: date | datetime | None = None,
    actor_id: str | None = None,
) -> list[RecordedEvent]:
    """Append to the row's stream (``row.id`` unless ``stream_id``), keep ``version``/``updated_at`` in step.

    ``expected_version`` is the version the caller decided on (0 for a new stream, ``None``: any);
    ``occurred_at`` the business date of the change (a sitting, the day a workshop was held), default now.
    The row is added and flushed (the store has run the stream type's policies by then).
    """
    stream = str(stream_id if stream_id is not None else row.id)
    recorded = append(
        session,
        stream_type=stream_type,
        stream_id=stream,
        expected_version=expected_version,
        events_to_append=new_events,
        district_id=str(district_id) if district_id is not None else None,
        actor_id=actor_id,
        occurred_at=occurred_on(occurred_at),
    )
    if not recorded:
        return recorded
    row.version = recorded[-1].version
    if hasattr(row, "updated_at"):
        row.updated_at = recorded[-1].recorded_at
    session.add(row)
    session.flush()
    return recorded


def every_versions(every: Callable[[], int], action: Callable[[Session, str, int], None]) -> AfterAppend:
    """A policy calling ``action(session, stream_id, version)`` when an append crosses a multiple of ``every()``.

    ``every`` is read at each append (tests and benchmarks change it).
    """

    def policy(session: Session, stream_id: str, recorded: Sequence[RecordedEvent]) -> None:
        step = every()
        if (recorded[0].version - 1) // step < recorded[-1].version // step:
            action(session, stream_id, recorded[-1].version)

    return policy


__all__ = ["AfterAppend", "Aggregate", "append_to", "every_versions", "register_policy"]
