"""Statements of the lists across the region: workshops and priorities of every district, filtered.

The workshops' statement starts from the one the process, district and facilitator lists use
(``scheduling.queries.workshops``), so a filter means the same everywhere; the priorities' one
applies the district list's filters (year, states) without its district.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlmodel import col, select

from services.workshops.localtime import ROME
from services.workshops.outcomes.models import Priority, PriorityState
from services.workshops.processes.models import Workshop, WorkshopMethod, WorkshopStatus
from services.workshops.processes.scheduling import queries as scheduling


def year_bounds(year: int) -> tuple[datetime, datetime]:
    """1 January of ``year`` and of the next year, at midnight in Europe/Rome."""
    return datetime(year, 1, 1, tzinfo=ROME), datetime(year + 1, 1, 1, tzinfo=ROME)


def workshops_statement(
    *,
    district_ids: Sequence[uuid.UUID] = (),
    edition_id: uuid.UUID | None = None,
    process_id: uuid.UUID | None = None,
    statuses: Sequence[WorkshopStatus] = (),
    methods: Sequence[WorkshopMethod] = (),
    year: int | None = None,
    starts_from: datetime | None = None,
    starts_before: datetime | None = None,
) -> Any:
    """Workshops of every district, filtered; ``year`` is the year (in Europe/Rome) they start in."""
    statement = scheduling.workshops(
        process_id=process_id, starts_from=starts_from, starts_before=starts_before
    )
    if district_ids:
        statement = statement.where(col(Workshop.district_id).in_(list(district_ids)))
    if edition_id is not None:
        statement = statement.where(Workshop.edition_id == edition_id)
    if statuses:
        statement = statement.where(col(Workshop.status).in_(list(statuses)))
    if methods:
        statement = statement.where(col(Workshop.method).in_(list(methods)))
    if year is not None:
        first, after = year_bounds(year)
        statement = statement.where(col(Workshop.starts_at) >= first, col(Workshop.starts_at) < after)
    return statement


def priorities_statement(
    *,
    district_ids: Sequence[uuid.UUID] = (),
    edition_id: uuid.UUID | None = None,
    process_id: uuid.UUID | None = None,
    states: Sequence[PriorityState] = (),
    year: int | None = None,
    recorded_from: datetime | None = None,
    recorded_before: datetime | None = None,
) -> Any:
    """Priorities of every district, filtered; ``year`` is the year they were submitted for."""
    statement = select(Priority)
    if district_ids:
        statement = statement.where(col(Priority.district_id).in_(list(district_ids)))
    if edition_id is not None:
        statement = statement.where(Priority.edition_id == edition_id)
    if process_id is not None:
        statement = statement.where(Priority.process_id == process_id)
    if states:
        statement = statement.where(col(Priority.state).in_(list(states)))
    if year is not None:
        statement = statement.where(Priority.year == year)
    if recorded_from is not None:
        statement = statement.where(col(Priority.created_at) >= recorded_from)
    if recorded_before is not None:
        statement = statement.where(col(Priority.created_at) < recorded_before)
    return statement
