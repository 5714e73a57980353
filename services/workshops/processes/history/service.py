"""Rules of a process's history: its streams in log order, and the process and its workshops as of a past time."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from sqlmodel import Session, select

from services.workshops.processes import events
from services.workshops.processes.base import get_process, get_workshop
from services.workshops.processes.history.snapshots import fold_process, fold_start, latest_snapshot
from services.workshops.processes.identity.schemas import ProcessPublic
from services.workshops.processes.models import (
    Workshop,
)
from shared.eventlog import RecordedEvent, TimePoint, fold_at, read_by_streams
from shared.pagination import cursor_values, encode_cursor, split_page

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
    start, phases, after_version = fold_start(snapshot)
    state = fold_at(
        session,
        stream_type=events.PROCESS,
        stream_id=process_id,
        point=point,
        apply=lambda folded, event: fold_process(folded, phases, [event]),
        what=f"process {process_id}",
        start=start,
        after_version=after_version,
        created=events.PROCESS_CREATED,
        ids={"process_id": str(process_id)},
    )
    state["phases"] = sorted(phases.values(), key=lambda p: p["position"])
    return ProcessPublic.model_validate(state)


_SCHEDULED_FIELDS = (
    "method",
    "title",
    "starts_at",
    "ends_at",
    "venue",
    "online_url",
    "capacity",
    "facilitator_ids",
    "status",
)


def _workshop_step(view: dict[str, Any], event: RecordedEvent) -> dict[str, Any]:
    payload = event.payload
    if event.type == events.WORKSHOP_SCHEDULED:
        view.update({name: payload[name] for name in _SCHEDULED_FIELDS if name in payload})
        view["status_reason"] = None
    elif event.type == events.WORKSHOP_UPDATED:
        view.update(payload["changes"])
    elif event.type == events.WORKSHOP_STATUS_CHANGED:
        view["status"] = payload["status"]
        view["status_reason"] = payload.get("reason")
    return view


def workshop_as_of(*, session: Session, workshop_id: uuid.UUID, point: TimePoint) -> dict[str, Any]:
    """The workshop at ``point`` (its schedule, venue, facilitators, status), folded from its events.

    The description, which ``workshop.scheduled`` does not carry, is the current one until an update
    inside the point changed it. Registrations and attendance are in the same stream (they count in the
    version) and have their own as-of reads.
    """
    workshop = get_workshop(session=session, workshop_id=workshop_id)
    start = {
        "id": workshop.id,
        "process_id": workshop.process_id,
        "district_id": workshop.district_id,
        "edition_id": workshop.edition_id,
        "description": workshop.description,
    }
    return fold_at(
        session,
        stream_type=events.WORKSHOP,
        stream_id=workshop_id,
        point=point,
        apply=_workshop_step,
        what=f"workshop {workshop_id}",
        start=start,
        created=events.WORKSHOP_SCHEDULED,
        ids={"workshop_id": str(workshop_id)},
    )


def process_history(
    *, session: Session, process_id: uuid.UUID, cursor: str | None, limit: int
) -> tuple[list[RecordedEvent], str | None]:
    """A page of the process's history across its streams, in log order, from ``cursor``; the next cursor."""
    keyset = cursor_values(cursor, int)
    get_process(session=session, process_id=process_id)
    streams = history_streams(session=session, process_id=process_id)
    page, last = split_page(
        read_by_streams(session, streams, after=keyset[0] if keyset else 0, limit=limit + 1), limit
    )
    return page, encode_cursor([last.position]) if last is not None else None
