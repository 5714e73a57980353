"""Reads at a point in time, shared by every ``as_of``/``known_at`` route.

Two shapes of read: a record rebuilt from its own stream (``fold_at``: a process, a priority, a workshop,
an invention, an attendance record), and a set of records whose recording event falls inside the point
(``streams_at``: the evaluation cards counted in results as of a time). Both keep exactly the events with
``occurred_at <= as_of`` and ``recorded_at <= known_at`` (``TimePoint.includes``), read in version order, so
a correction recorded later applies from its valid time on and is ignored when known_at is before it.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from shared.errors import NotFoundError
from shared.eventlog.store import RecordedEvent, read_stream
from shared.eventlog.tables import events
from shared.eventlog.timepoint import TimePoint

Apply = Callable[[dict[str, Any], RecordedEvent], dict[str, Any]]
"""One step of a fold: the state so far and an event in; the new state out (may be the same dict)."""


def fold_at(
    session: Session,
    *,
    stream_type: str,
    stream_id: str | uuid.UUID,
    point: TimePoint,
    apply: Apply,
    what: str,
    start: dict[str, Any] | None = None,
    after_version: int = 0,
    created: str | None = None,
    ids: dict[str, str] | None = None,
) -> dict[str, Any]:
    """The record of one stream at ``point``: ``apply`` run over its events inside the point, in order.

    ``start`` is the state to fold on from (a snapshot, or the current row's fields no event carries) and
    ``after_version`` the version it already includes. NotFoundError ("``what`` did not exist as of ...")
    when no event falls inside the point, or, folding from nothing, when the first one is not ``created``.
    The result carries ``version`` (the last event folded) and the point's ``as_of``/``known_at``.
    """
    stream = read_stream(
        session,
        stream_type,
        str(stream_id),
        after_version=after_version,
        as_of=point.as_of,
        known_at=point.known_at,
    )
    from_nothing = after_version == 0
    if (from_nothing and not stream) or (from_nothing and created is not None and stream[0].type != created):
        missing = NotFoundError(f"{what} did not exist {point.describe()}")
        missing.extra.update(ids or {})
        raise missing
    state: dict[str, Any] = dict(start or {})
    for event in stream:
        state = apply(state, event)
    state["version"] = stream[-1].version if stream else after_version
    state["as_of"], state["known_at"] = point.as_of, point.known_at
    return state


def streams_at(
    session: Session,
    *,
    stream_type: str,
    event_type: str,
    point: TimePoint,
    district_id: str | uuid.UUID | None = None,
) -> set[str]:
    """The ids of the streams of ``stream_type`` having an ``event_type`` event inside ``point``."""
    query = select(events.c.stream_id).where(events.c.stream_type == stream_type, events.c.type == event_type)
    if district_id is not None:
        query = query.where(events.c.district_id == str(district_id))
    if point.as_of is not None:
        query = query.where(events.c.occurred_at <= point.as_of)
    if point.known_at is not None:
        query = query.where(events.c.recorded_at <= point.known_at)
    return {str(row[0]) for row in session.connection().execute(query)}
