"""Reads at a point in time, shared by every ``as_of``/``known_at`` route and the reports as of a time.

Two shapes of read: a record rebuilt from its own stream (``fold_at``: a process, a priority, a workshop,
an invention, an attendance record), and a set of records whose recording event falls inside the point
(``streams_at``: the evaluation cards counted in results as of a time).

Which events are inside a point (``inside``): those recorded by ``known_at`` (``recorded_at``) that had
happened by ``as_of`` (``occurred_at``), in version order, so a correction recorded later applies from its
valid time on and is ignored when ``known_at`` is before it. One rule more: a record exists from no later
than the first thing that happened to it, so the event that created a stream counts as happening at the
earliest ``occurred_at`` of its stream's known events. A workshop scheduled today and recorded as held on
10/02/2019 existed as of 2019; a priority entered today and validated at the sitting of 12/02/2014 was
proposed by then (its submission, recorded today with no business date, was not). The events appended
together with a stream's first one (the same write: a district created with its population) count from that
same time.

A third shape, the whole log at a point (``log_inside``, the reports as of a time): every stream by the same
rule, and the records others name (a person, an edition, a programme, a district) exist from no later than
the first thing that happened naming them: a district registered today, or an edition entered today, existed
when its 2018 process, entered with its dates, began; a person registered today who attended a 2018 workshop
existed (with the category registered) by then.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from shared.errors import NotFoundError
from shared.eventlog.store import RecordedEvent, read_stream
from shared.eventlog.tables import events
from shared.eventlog.timepoint import TimePoint


def created_at_latest(
    occurred: Sequence[datetime],
    recorded: Sequence[datetime] | None = None,
    *,
    exists_by: datetime | None = None,
) -> list[datetime]:
    """The valid times of one stream's events (in version order, from its first): the first one, and those
    recorded with it (same ``recorded``, one append), pulled back to the earliest of them all (and to
    ``exists_by``, a time the record is known to have existed by), the others as they are."""
    if not occurred:
        return []
    created = min(occurred) if exists_by is None else min(min(occurred), exists_by)
    if recorded is None:
        return [created, *occurred[1:]]
    return [
        created if i == 0 or (recorded[i] == recorded[0] and at == occurred[0]) else at
        for i, at in enumerate(occurred)
    ]


def valid_times(
    stream: Sequence[RecordedEvent], *, from_start: bool = True, exists_by: datetime | None = None
) -> list[datetime]:
    """The valid time each event of one stream (version order) counts at, by the rule above."""
    occurred = [e.occurred_at for e in stream]
    if not from_start:
        return occurred
    return created_at_latest(occurred, [e.recorded_at for e in stream], exists_by=exists_by)


def inside(
    stream: Sequence[RecordedEvent],
    point: TimePoint,
    *,
    from_start: bool = True,
    exists_by: datetime | None = None,
) -> list[RecordedEvent]:
    """The events of one stream (version order, already bounded by ``known_at``) inside ``point``'s
    ``as_of``; ``from_start`` when ``stream`` begins at the stream's first event."""
    if point.as_of is None:
        return list(stream)
    valid = valid_times(stream, from_start=from_start, exists_by=exists_by)
    return [e for e, at in zip(stream, valid, strict=True) if at <= point.as_of]


CONTAINERS = ("person", "edition", "programme", "district")
"""The records other records name, in the order their times are settled (a person is named by the workshops
they attended, an edition by its processes, a programme by its editions, a district by everything in it)."""

NAMING_LISTS = {"person": ("present", "absent")}
"""Payload lists of ids that name records too (an attendance's people)."""


def _names(event: RecordedEvent, kind: str) -> list[str]:
    """The ids of the ``kind`` records ``event`` names (``<kind>_id`` in its payload, the lists above; a
    district also by the event's ``district_id``), unless it is one of their own events."""
    if event.stream_type == kind or not isinstance(event.payload, dict):
        return []
    named = event.payload.get(f"{kind}_id")
    if named is None and kind == "district":
        named = event.district_id
    found = [str(named)] if named else []
    for key in NAMING_LISTS.get(kind, ()):
        values = event.payload.get(key)
        if isinstance(values, list):
            found.extend(str(v) for v in values if v)
    return found


def log_inside(events: Sequence[RecordedEvent], point: TimePoint) -> list[RecordedEvent]:
    """The events of the whole log (position order, from position 1, already bounded by ``known_at``) that
    are inside ``point``, in position order: each stream by ``inside``; an edition, a programme or a district
    created no later than the earliest valid time of the events that name it (a process of the edition, an
    edition of the programme, anything in the district)."""
    as_of = point.as_of
    if as_of is None:
        return list(events)
    streams: dict[tuple[str, str], list[RecordedEvent]] = {}
    for event in events:
        streams.setdefault((event.stream_type, str(event.stream_id)), []).append(event)
    kept: set[int] = set()
    named: dict[tuple[str, str], datetime] = {}

    def settle(stream: list[RecordedEvent], exists_by: datetime | None) -> None:
        stream.sort(key=lambda e: e.version)
        for event, at in zip(stream, valid_times(stream, exists_by=exists_by), strict=True):
            if at <= as_of:
                kept.add(event.position)
            for kind in CONTAINERS:
                for target in _names(event, kind):
                    key = (kind, target)
                    named[key] = min(at, named.get(key, at))

    for (stream_type, _stream_id), stream in streams.items():
        if stream_type not in CONTAINERS:
            settle(stream, None)
    for kind in CONTAINERS:
        for (stream_type, stream_id), stream in streams.items():
            if stream_type == kind:
                settle(stream, named.get((kind, stream_id)))
    return [e for e in events if e.position in kept]


def read_at(
    session: Session,
    stream_type: str,
    stream_id: str | uuid.UUID,
    point: TimePoint,
    *,
    after_version: int = 0,
) -> list[RecordedEvent]:
    """One stream's events inside ``point``, in version order (after ``after_version`` when given)."""
    known = read_stream(
        session, stream_type, str(stream_id), after_version=after_version, known_at=point.known_at
    )
    return inside(known, point, from_start=after_version == 0)


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
    stream = read_at(session, stream_type, stream_id, point, after_version=after_version)
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
