"""The projection consumer: reads the event log in position order and applies it to every read model.

Each projection's checkpoint row is locked, advanced and written in the same transaction as the rows the
batch produced, so a crash can never leave rows without their checkpoint or the reverse. Events at or below a
projection's checkpoint are skipped, and handlers upsert by natural ids, so replaying is harmless.

Several reporting processes may run the loop at once: the checkpoint rows are locked (``FOR UPDATE`` on
PostgreSQL, the single-writer lock on SQLite) before reading, so batches are applied one after the other.
"""

from __future__ import annotations

import gc
import logging
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import anyio
from fastapi import FastAPI
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, delete, select

from services.reporting.models import Checkpoint
from services.reporting.projections import PROJECTIONS, Projection
from services.reporting.projections.base import flush_rows, forget_rows
from shared.db import Database, utcnow
from shared.eventlog import RecordedEvent, last_position
from shared.eventlog.lean import read_page
from shared.metrics import CONSUMER_LAG

logger = logging.getLogger("communitylab.reporting.consumer")

# Larger pages amortise the bulk statements; a batch of 2,000 holds the write lock for a fraction of a second.
DEFAULT_BATCH_SIZE = 2000


_moves_lock = threading.Lock()
_moves = 0


def moves() -> int:
    """How many times this process moved the read models (a batch applied, or every read model cleared).

    The page cache compares it with the value it saw when it last read the checkpoints: a change made by this
    process's consumer is served at once, without waiting for the cache's next look at the database.
    """
    return _moves


def _moved() -> None:
    global _moves
    with _moves_lock:
        _moves += 1


@dataclass(frozen=True)
class CatchUpResult:
    """What one catch-up did."""

    applied: int
    batches: int
    position: int


def _checkpoints(session: Session, projections: Sequence[Projection]) -> dict[str, Checkpoint]:
    names = [p.name for p in projections]
    statement = (
        select(Checkpoint).where(col(Checkpoint.projection).in_(names)).order_by(col(Checkpoint.projection))
    )
    if session.get_bind().dialect.name == "postgresql":
        statement = statement.with_for_update()
    found = {row.projection: row for row in session.exec(statement)}
    missing = [name for name in names if name not in found]
    if missing:
        try:
            with session.begin_nested():
                for name in missing:
                    session.add(Checkpoint(projection=name, position=0))
        except IntegrityError:
            # Another process created them meanwhile; read theirs.
            pass
        return _checkpoints(session, projections)
    return found


def read_for_projections(
    session: Session, *, after: int, limit: int, known_at: datetime | None = None
) -> list[RecordedEvent]:
    """Like ``shared.eventlog.read_all`` (same events, same upcasting, position order), minus what no projection
    reads: the hash chain and the metadata are left empty (``shared.eventlog.lean``).
    ``known_at``: only the events recorded by then."""
    return read_page(session, after=after, limit=limit, known_at=known_at)


@dataclass(frozen=True)
class Batch:
    """One batch: the events read, after the lowest checkpoint, through the last position read."""

    events: int
    after: int
    through: int


def apply_batch(
    session: Session, *, batch_size: int = DEFAULT_BATCH_SIZE, projections: Sequence[Projection] = PROJECTIONS
) -> int:
    """Apply at most one batch of pending events to every projection; return how many events were read."""
    return apply_next_batch(session, batch_size=batch_size, projections=projections).events


def apply_next_batch(
    session: Session, *, batch_size: int = DEFAULT_BATCH_SIZE, projections: Sequence[Projection] = PROJECTIONS
) -> Batch:
    """Like ``apply_batch``, and say which positions the batch covered."""
    with collector_paused():
        checkpoints = _checkpoints(session, projections)
        low = min(cp.position for cp in checkpoints.values())
        events = read_for_projections(session, after=low, limit=batch_size)
        if not events:
            return Batch(events=0, after=low, through=low)
        apply_events(session, events, projections=projections, checkpoints=checkpoints)
        return Batch(events=len(events), after=low, through=events[-1].position)


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector for one batch (reference counting still frees as usual).

    A batch allocates tens of thousands of objects that all live until it ends (events, payloads, rows), so
    the collector kept running and traversing them for nothing: about 15% of a catch-up's CPU time. The
    cycles a batch leaves are collected after it. Re-enabled only by the call that paused it.
    """
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def apply_events(
    session: Session,
    events: Sequence[RecordedEvent],
    *,
    projections: Sequence[Projection] = PROJECTIONS,
    checkpoints: dict[str, Checkpoint] | None = None,
) -> None:
    """Apply ``events`` (position order) to every projection and write their rows, in the caller's session.

    With ``checkpoints``, each projection skips what it already has and its checkpoint moves to the last
    event; without, every event is applied (a throw-away read model built from chosen events: as-of reports).
    """
    try:
        for projection in projections:
            checkpoint = checkpoints[projection.name] if checkpoints is not None else None
            after = checkpoint.position if checkpoint is not None else 0
            kind = type(projection)
            if kind.wants is Projection.wants and kind.apply is Projection.apply:
                # The base filter and dispatch, inlined: a batch asks them once per event and projection.
                handlers = projection.handler_map()
                mine = [e for e in events if e.type in handlers and e.position > after]
                projection.prepare(session, mine)
                for event in mine:
                    handlers[event.type](session, event)
            else:
                wants = projection.wants
                mine = [e for e in events if e.position > after and wants(e)]
                projection.prepare(session, mine)
                for event in mine:
                    projection.apply(session, event)
            if checkpoint is not None and events:
                checkpoint.position = max(checkpoint.position, events[-1].position)
                checkpoint.updated_at = utcnow()
        # Every projection's rows in a few bulk statements, then the checkpoints, in the same transaction.
        flush_rows(session)
        session.flush()
        if checkpoints is not None and events:
            _moved()
    finally:
        forget_rows(session)


def catch_up(
    session: Session,
    *,
    batch_size: int = DEFAULT_BATCH_SIZE,
    max_batches: int | None = None,
    projections: Sequence[Projection] = PROJECTIONS,
) -> CatchUpResult:
    """Apply every pending event in the caller's transaction (flushes, never commits)."""
    applied = batches = 0
    while max_batches is None or batches < max_batches:
        count = apply_batch(session, batch_size=batch_size, projections=projections)
        if count == 0:
            break
        applied += count
        batches += 1
    position = min((cp.position for cp in _checkpoints(session, projections).values()), default=0)
    update_lag_metric(session)
    return CatchUpResult(applied=applied, batches=batches, position=position)


def clear(session: Session, *, projections: Sequence[Projection] = PROJECTIONS) -> None:
    """Empty every read model and reset the checkpoints to position 0."""
    for projection in projections:
        for table in projection.tables:
            session.exec(delete(table))  # type: ignore[call-overload]
    session.exec(delete(Checkpoint).where(col(Checkpoint.projection).in_([p.name for p in projections])))
    session.flush()
    forget_rows(session)
    _moved()


def rebuild(session: Session, *, batch_size: int = DEFAULT_BATCH_SIZE) -> CatchUpResult:
    """Clear all read models and rebuild them from position 0, in the caller's transaction."""
    clear(session)
    return catch_up(session, batch_size=batch_size)


def lag(session: Session, *, projections: Sequence[Projection] = PROJECTIONS) -> dict[str, Any]:
    """The log's last position and each projection's checkpoint and lag."""
    head = last_position(session)
    rows = {row.projection: row for row in session.exec(select(Checkpoint))}
    result: dict[str, Any] = {"last_position": head, "projections": {}}
    for projection in projections:
        row = rows.get(projection.name)
        position = row.position if row is not None else 0
        result["projections"][projection.name] = {
            "checkpoint": position,
            "lag": max(head - position, 0),
            "updated_at": row.updated_at.isoformat() if row is not None else None,
        }
    return result


def update_lag_metric(session: Session) -> dict[str, Any]:
    """Refresh the ``communitylab_consumer_lag_events`` gauge for every projection."""
    state = lag(session)
    for name, item in state["projections"].items():
        CONSUMER_LAG.labels(f"reporting.{name}").set(item["lag"])
    return state


def pending(session: Session, *, projections: Sequence[Projection] = PROJECTIONS) -> bool:
    """True when some projection is behind the log's head."""
    head = last_position(session)
    rows = {row.projection: row.position for row in session.exec(select(Checkpoint))}
    return any(rows.get(p.name, 0) < head for p in projections)


def run_once(database: Database, *, batch_size: int = DEFAULT_BATCH_SIZE) -> int:
    """One batch in its own committed transaction (the background loop's unit of work).

    Looks first in a read transaction, so an idle consumer never takes SQLite's write lock.
    """
    with database.session(write=False) as session:
        behind = pending(session)
        if not behind:
            update_lag_metric(session)
        session.rollback()
    if not behind:
        return 0
    with database.transaction() as session:
        batch = apply_next_batch(session, batch_size=batch_size)
    if batch.events:
        # Again after the commit: a page cache that read the checkpoints between the flush and the commit saw
        # the old ones under the new count.
        _moved()
        # After the commit: positions (after, through] are applied, by this process (several consumers
        # take turns on the locked checkpoints; their lines together cover the log once).
        logger.info(
            "projection batch applied",
            extra={"after_position": batch.after, "through_position": batch.through, "events": batch.events},
        )
    return batch.events


def readiness_check(app: FastAPI) -> dict[str, Any]:
    """Projection lag for /readyz (informative: a lagging consumer still serves reads)."""
    database: Database = app.state.database
    with database.session(write=False) as session:
        state = update_lag_metric(session)
        session.rollback()
    return {
        "projections": {
            "last_position": state["last_position"],
            **{name: item["lag"] for name, item in state["projections"].items()},
        }
    }


async def projection_loop(app: FastAPI) -> None:
    """Poll the log every ``projection_poll_seconds`` and apply it, one committed batch at a time.

    Each batch runs in a worker thread that is not cancelled mid-way: on shutdown the running batch commits
    its checkpoint and the loop stops before the next one.
    """
    database: Database = app.state.database
    poll = float(app.state.settings.projection_poll_seconds)
    logger.info("projection consumer started")
    try:
        while True:
            try:
                count = await anyio.to_thread.run_sync(run_once, database)
            except Exception:
                logger.exception("projection batch failed; retrying")
                count = 0
            if count == 0:
                await anyio.sleep(poll)
            else:
                await anyio.sleep(0)
    finally:
        logger.info("projection consumer stopped")
