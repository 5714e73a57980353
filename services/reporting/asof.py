"""Reports at a point in time: the Diario and the dashboard as they stood at ``as_of`` / as known at ``known_at``.

The read models are projections of the event log, so a report at a point is the same report rendered from
the read models folded from the events inside that point (``shared.eventlog.fold.log_inside``: the one rule
of every as-of read). They are built here in a throw-away in-memory SQLite database by the projections' own
handlers (``consumer.apply_events``), used for one page and dropped: the live read models, their checkpoints
and the page cache are never touched.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa
from sqlalchemy.pool import StaticPool
from sqlmodel import Session, SQLModel

from services.reporting import models as _models  # noqa: F401  (registers the read-model tables)
from services.reporting.consumer import DEFAULT_BATCH_SIZE, apply_events, read_for_projections
from services.reporting.projections import PROJECTIONS
from shared.eventlog import RecordedEvent
from shared.eventlog.fold import log_inside
from shared.eventlog.timepoint import TimePoint

READ_MODEL_SCHEMA = "reporting"


def events_at(session: Session, point: TimePoint, *, page: int = 5000) -> list[RecordedEvent]:
    """The log's events inside ``point``, in position order (read in pages, bounded by ``known_at``)."""
    known: list[RecordedEvent] = []
    after = 0
    while True:
        found = read_for_projections(session, after=after, limit=page, known_at=point.known_at)
        known.extend(found)
        if len(found) < page:
            break
        after = found[-1].position
    return log_inside(known, point)


def _read_model_tables() -> list[sa.Table]:
    return [table for table in SQLModel.metadata.tables.values() if table.schema == READ_MODEL_SCHEMA]


@contextmanager
def read_models_at(session: Session, point: TimePoint) -> Iterator[Session]:
    """A session on throw-away read models holding what the log says at ``point``.

    ``session`` reads the event log (any database); the read models live in memory until the block ends.
    """
    events = events_at(session, point)
    engine = sa.create_engine(
        "sqlite://",
        poolclass=StaticPool,
        connect_args={"check_same_thread": False},
        execution_options={"schema_translate_map": {READ_MODEL_SCHEMA: None}},
    )
    try:
        SQLModel.metadata.create_all(engine, tables=_read_model_tables())
        with Session(engine, expire_on_commit=False) as scratch:
            for start in range(0, len(events), DEFAULT_BATCH_SIZE):
                apply_events(scratch, events[start : start + DEFAULT_BATCH_SIZE], projections=PROJECTIONS)
            yield scratch
            scratch.rollback()
    finally:
        engine.dispose()
