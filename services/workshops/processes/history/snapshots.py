"""Snapshots of process streams: the fold of a process's events, cached every N versions."""

from __future__ import annotations

import copy
import uuid
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from services.workshops.processes import events
from services.workshops.processes.models import (
    Process,
    ProcessSnapshot,
)
from shared.eventlog import RecordedEvent, every_versions, read_stream, register_policy, stream_version

PROCESS_SNAPSHOT_EVERY = 500
"""A process stream is snapshotted at every multiple of this version: an as-of read folds at most this many events."""
PROCESS_FOLD_FORMAT = 2
"""The shape of a snapshot's state; bump it when ``fold_process`` changes so older snapshots are ignored."""


def fold_process(
    state: dict[str, Any], phases: dict[str, Any], stream: list[RecordedEvent]
) -> dict[str, Any]:
    """Apply process events to a folded state (and its phases, by id); returns the state (replaced on creation)."""
    for event in stream:
        payload = event.payload
        if event.type == events.PROCESS_CREATED:
            state = {k: v for k, v in payload.items() if k != "process_id"}
            state["id"] = payload["process_id"]
            state["closed_on"] = None
        elif event.type == events.PROCESS_UPDATED:
            state.update(payload["changes"])
        elif event.type == events.PROCESS_STATUS_CHANGED:
            state["status"] = payload["status"]
            state["closed_on"] = payload.get("closed_on")
        elif event.type == events.PROCESS_PHASE_ADDED:
            phases[payload["phase_id"]] = {
                "id": payload["phase_id"],
                "name": payload["name"],
                "starts_on": payload["starts_on"],
                "ends_on": payload["ends_on"],
                "is_current": payload["is_current"],
                "position": payload["position"],
                "open_to_proposals": payload.get("open_to_proposals", False),
            }
        elif event.type == events.PROCESS_PHASE_CHANGED:
            phases[payload["phase_id"]].update(payload["changes"])
    return state


def latest_snapshot(
    session: Session, process_id: uuid.UUID, *, as_of: datetime | None = None
) -> ProcessSnapshot | None:
    """The newest snapshot of the current fold format (taken at or before ``as_of`` when given)."""
    statement = select(ProcessSnapshot).where(
        ProcessSnapshot.process_id == process_id, ProcessSnapshot.fold_format == PROCESS_FOLD_FORMAT
    )
    if as_of is not None:
        statement = statement.where(col(ProcessSnapshot.recorded_at) <= as_of)
    return session.exec(statement.order_by(col(ProcessSnapshot.version).desc()).limit(1)).first()


def fold_start(snapshot: ProcessSnapshot | None) -> tuple[dict[str, Any], dict[str, Any], int]:
    """State, phases and version to fold on from: a private copy of the snapshot's, or empty at version 0."""
    if snapshot is None:
        return {}, {}, 0
    return copy.deepcopy(snapshot.state["state"]), copy.deepcopy(snapshot.state["phases"]), snapshot.version


def snapshot_process(*, session: Session, process_id: uuid.UUID, through_version: int | None = None) -> int:
    """Write the process's missing snapshots up to ``through_version`` (default: its stream's end); how many.

    Called by the write path when a process stream crosses a multiple of ``PROCESS_SNAPSHOT_EVERY`` and by
    ``communitylab snapshot-processes`` for streams written before snapshots existed. Snapshots are a cache
    derived from the events: deleting them changes no answer, only its speed.
    """
    every = PROCESS_SNAPSHOT_EVERY
    if through_version is None:
        through_version = stream_version(session, events.PROCESS, str(process_id))
    target = through_version // every * every
    latest = latest_snapshot(session, process_id)
    if latest is not None and latest.version >= target:
        return 0
    state, phases, version = fold_start(latest)
    written = 0
    while version < target:
        next_snapshot = (version // every + 1) * every
        chunk = read_stream(
            session, events.PROCESS, str(process_id), after_version=version, up_to_version=next_snapshot
        )
        if not chunk:
            break
        state = fold_process(state, phases, chunk)
        version = chunk[-1].version
        if version == next_snapshot:
            session.add(
                ProcessSnapshot(
                    process_id=process_id,
                    version=version,
                    fold_format=PROCESS_FOLD_FORMAT,
                    recorded_at=chunk[-1].recorded_at,
                    state=copy.deepcopy({"state": state, "phases": phases}),
                )
            )
            written += 1
    session.flush()
    return written


def snapshot_all_processes(*, session: Session) -> int:
    """Drop snapshots of other fold formats and write every process's missing ones; how many were written."""
    session.execute(sa.delete(ProcessSnapshot).where(col(ProcessSnapshot.fold_format) != PROCESS_FOLD_FORMAT))
    process_ids = session.exec(select(Process.id)).all()
    return sum(snapshot_process(session=session, process_id=process_id) for process_id in process_ids)


def _snapshot_after_append(session: Session, stream_id: str, version: int) -> None:
    snapshot_process(session=session, process_id=uuid.UUID(stream_id), through_version=version)


# Every append to a process stream that crosses a multiple of PROCESS_SNAPSHOT_EVERY writes the snapshot in the
# same transaction, whichever domain appends (the process's own routes, an import, a migration).
register_policy(events.PROCESS, every_versions(lambda: PROCESS_SNAPSHOT_EVERY, _snapshot_after_append))
