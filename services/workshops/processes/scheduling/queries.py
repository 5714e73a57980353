"""Statements of scheduling: the workshops that may clash with a booking, and the workshop lists.

The lists (a process's workshops, a district's calendar, a facilitator's agenda, the region's list in
``region/queries.py``) start from ``workshops``, so a filter means the same everywhere. The facilitator test
reads a JSON array, written for the database in use: the caller passes its session's dialect.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import col, select
from sqlmodel.sql.expression import SelectOfScalar

from services.workshops.processes.models import SLOT_FREEING, Workshop, WorkshopStatus


def overlapping(
    *, starts_at: datetime, ends_at: datetime, longest: timedelta, exclude_id: uuid.UUID | None
) -> SelectOfScalar[Workshop]:
    """Select the booked workshops overlapping ``starts_at``-``ends_at`` (none lasts over ``longest``)."""
    statement = select(Workshop).where(
        col(Workshop.starts_at) < ends_at,
        col(Workshop.starts_at) > starts_at - longest,
        col(Workshop.ends_at) > starts_at,
        col(Workshop.status).not_in([s.value for s in SLOT_FREEING]),
    )
    if exclude_id is not None:
        statement = statement.where(Workshop.id != exclude_id)
    return statement.order_by(col(Workshop.starts_at), col(Workshop.id))


def workshops(
    *,
    process_id: uuid.UUID | None = None,
    district_id: uuid.UUID | None = None,
    facilitator_id: str | None = None,
    dialect: str = "sqlite",
    starts_from: datetime | None = None,
    starts_before: datetime | None = None,
    status: WorkshopStatus | None = None,
) -> SelectOfScalar[Workshop]:
    """Select workshops (a process's, a district's calendar, a facilitator's agenda), unordered."""
    statement = select(Workshop)
    if process_id is not None:
        statement = statement.where(Workshop.process_id == process_id)
    if district_id is not None:
        statement = statement.where(Workshop.district_id == district_id)
    if facilitator_id is not None:
        statement = statement.where(has_facilitator(facilitator_id, dialect))
    if starts_from is not None:
        statement = statement.where(col(Workshop.ends_at) > starts_from)
    if starts_before is not None:
        statement = statement.where(col(Workshop.starts_at) < starts_before)
    if status is not None:
        statement = statement.where(Workshop.status == status)
    return statement


def has_facilitator(person_id: str, dialect: str) -> sa.ColumnElement[bool]:
    """The workshop's facilitator list holds ``person_id`` (JSONB containment, or json_each on SQLite)."""
    column = Workshop.__table__.c.facilitator_ids  # type: ignore[attr-defined]
    if dialect == "postgresql":
        return sa.type_coerce(column, JSONB).contains([person_id])
    members = sa.func.json_each(column).table_valued("value")
    return sa.exists(sa.select(sa.literal(1)).select_from(members).where(members.c.value == person_id))
