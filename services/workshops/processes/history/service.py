"""Rules of a process's history: its streams in log order, and the process as of a past time."""

from __future__ import annotations

import uuid
from collections.abc import Callable

from sqlmodel import Session, select

from services.workshops.processes import events
from services.workshops.processes.base import get_process
from services.workshops.processes.history.snapshots import fold_process, fold_start, latest_snapshot
from services.workshops.processes.identity.schemas import ProcessPublic
from services.workshops.processes.models import (
    Workshop,
)
from shared.errors import NotFoundError
from shared.eventlog import RecordedEvent, TimePoint, read_by_streams, read_stream

HistoryStreamProvider = Callable[[Session, uuid.UUID], list[tuple[str, str]]]
"""Given a process id, the extra (stream_type, stream_id) pairs that belong to that process's history."""

_history_providers: list[HistoryStreamProvider] = []


def register_history_streams(provider: HistoryStreamProvider) -> None:
    """Let another domain (outcomes, sessions) add its streams to a process's history."""
    if provider not in _history_providers:
        _history_providers.append(provider)


def history_streams(*, session: Session, process_id: uuid.UUID) -> list[tuple[str, str]]:
    """Every stream of a process's history: the process, its workshops, and the registered providers' streams."""
    streams: list[tuple[str, str]] = [("process", str(process_id))]
    workshop_ids = session.exec(select(Workshop.id).where(Workshop.process_id == process_id)).all()
    streams.extend(("workshop", str(workshop_id)) for workshop_id in workshop_ids)
    for provider in _history_providers:
        streams.extend(
            (stream_type, str(stream_id)) for stream_type, stream_id in provider(session, process_id)
        )
    seen: set[tuple[str, str]] = set()
    return [s for s in streams if not (s in seen or seen.add(s))]  # type: ignore[func-returns-value]


def process_as_of(*, session: Session, process_id: uuid.UUID, point: TimePoint) -> ProcessPublic:
    """The process at ``point`` (as of a valid time, as known at a transaction time), folded from its events.

    Folding starts from the newest snapshot recorded at or before both times: every event it folds was
    recorded, and so had happened, by then (``occurred_at`` never passes ``recorded_at``). Later events
    are folded when they fall inside the point, so at most ``PROCESS_SNAPSHOT_EVERY`` events are read plus
    any back-dated ones.
    """
    limits = [t for t in (point.as_of, point.known_at) if t is not None]
    snapshot = latest_snapshot(session, process_id, as_of=min(limits) if limits else None)
    state, phases, after_version = fold_start(snapshot)
    stream = read_stream(
        session,
        events.PROCESS,
        str(process_id),
        after_version=after_version,
        as_of=point.as_of,
        known_at=point.known_at,
    )
    if snapshot is None and (not stream or stream[0].type != events.PROCESS_CREATED):
        raise NotFoundError(
            f"process {process_id} did not exist {point.describe()}", process_id=str(process_id)
        )
    state = fold_process(state, phases, stream)
    state["phases"] = sorted(phases.values(), key=lambda p: p["position"])
    state["version"] = stream[-1].version if stream else after_version
    state["as_of"] = point.as_of
    state["known_at"] = point.known_at
    return ProcessPublic.model_validate(state)


def process_history(
    *, session: Session, process_id: uuid.UUID, after: int, limit: int
) -> tuple[list[RecordedEvent], bool]:
    """A page of the process's history across its streams, in log order; True when more follow."""
    get_process(session=session, process_id=process_id)
    streams = history_streams(session=session, process_id=process_id)
    page = read_by_streams(session, streams, after=after, limit=limit + 1)
    return page[:limit], len(page) > limit
