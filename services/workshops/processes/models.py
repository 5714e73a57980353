"""Tables of the processes domain: programmes, editions, processes, phases, workshops, registrations, attendance."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from shared.db import JSONType, UTCDateTime, utcnow

SCHEMA = "workshops"


class ProcessStatus(StrEnum):
    """Life cycle of a participatory process."""

    DRAFT = "draft"
    ACTIVE = "active"
    CLOSED = "closed"


class WorkshopMethod(StrEnum):
    """How a workshop works (see DOMAIN.md, "Methods")."""

    OPEN_SPACE_TECHNOLOGY = "open_space_technology"
    WORLD_CAFE = "world_cafe"
    THEMATIC_TABLE = "thematic_table"
    PROJECT_TABLE = "project_table"
    REGIONAL_LAB = "regional_lab"
    STAKEHOLDER_INTERVIEW = "stakeholder_interview"
    IMPOLLINAZIONE = "impollinazione"
    RESTITUTION_EVENT = "restitution_event"
    TRAINING = "training"
    OTHER = "other"


class WorkshopStatus(StrEnum):
    """Life cycle of a workshop."""

    PLANNED = "planned"
    CONFIRMED = "confirmed"
    HELD = "held"
    CANCELLED = "cancelled"
    POSTPONED = "postponed"


SLOT_FREEING = frozenset({WorkshopStatus.CANCELLED, WorkshopStatus.POSTPONED})
"""Statuses whose workshop no longer holds its time slot (facilitators and venue are free again)."""


class ActorCategory(StrEnum):
    """The category people take part as: the registry's categories, plus ``other`` for anonymous counts."""

    ADMINISTRATOR = "administrator"
    PLANNING_OFFICE_STAFF = "planning_office_staff"
    HEALTH_STAFF = "health_staff"
    SOCIAL_WORKER = "social_worker"
    EDUCATOR = "educator"
    THIRD_SECTOR = "third_sector"
    BUSINESS = "business"
    CITIZEN = "citizen"
    OTHER = "other"


def _enum(enum: type[StrEnum], name: str) -> sa.Enum:
    # Stored as plain strings (no native PG enum) so adding a value needs no type migration.
    return sa.Enum(
        enum, name=name, native_enum=False, length=40, values_callable=lambda e: [m.value for m in e]
    )


class Programme(SQLModel, table=True):
    """A regional programme (e.g. Community Lab) accompanying many district processes."""

    __tablename__ = "programmes"
    __table_args__ = {"schema": SCHEMA}

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    name: str = Field(max_length=200)
    description: str = Field(default="", sa_type=sa.Text)
    version: int = Field(default=0)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Edition(SQLModel, table=True):
    """One edition of a programme (e.g. "Community Lab 2018-2019") with the districts taking part."""

    __tablename__ = "editions"
    __table_args__ = {"schema": SCHEMA}

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    programme_id: uuid.UUID = Field(foreign_key="workshops.programmes.id", index=True)
    name: str = Field(max_length=200)
    starts_on: date | None = None
    ends_on: date | None = None
    district_ids: list[str] = Field(default_factory=list, sa_type=JSONType)
    version: int = Field(default=0)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Process(SQLModel, table=True):
    """A participatory process of one district, with its identity card."""

    __tablename__ = "processes"
    __table_args__ = {"schema": SCHEMA}

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    district_id: uuid.UUID = Field(index=True)
    edition_id: uuid.UUID | None = Field(default=None, foreign_key="workshops.editions.id", index=True)
    title: str = Field(max_length=200)
    # Identity card ("carta d'identità"): sono nato per, peso, trasformazioni, metodi e strumenti, ...
    purpose: str = Field(default="", sa_type=sa.Text)
    weight: str = Field(default="", sa_type=sa.Text)
    transformations: str = Field(default="", sa_type=sa.Text)
    methods_and_tools: str = Field(default="", sa_type=sa.Text)
    distinctive_marks: str = Field(default="", sa_type=sa.Text)
    started_on: date | None = None
    location: str = Field(default="", max_length=200)
    stature: dict[str, Any] = Field(default_factory=dict, sa_type=JSONType)
    contacts: list[dict[str, Any]] = Field(default_factory=list, sa_type=JSONType)
    status: ProcessStatus = Field(default=ProcessStatus.DRAFT, sa_type=_enum(ProcessStatus, "process_status"))
    closed_on: date | None = None
    version: int = Field(default=0)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class ProcessPhase(SQLModel, table=True):
    """A phase of a process (listening, co-design, validation, restitution...)."""

    __tablename__ = "process_phases"
    __table_args__ = {"schema": SCHEMA}

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    process_id: uuid.UUID = Field(foreign_key="workshops.processes.id", index=True)
    name: str = Field(max_length=200)
    starts_on: date | None = None
    ends_on: date | None = None
    is_current: bool = Field(default=False)
    position: int = Field(default=0)
    # Participants may put forward proposals during the phase's days (participation domain).
    open_to_proposals: bool = Field(default=False)


class Workshop(SQLModel, table=True):
    """A scheduled meeting of a process; the method says how it works."""

    __tablename__ = "workshops"
    __table_args__ = (
        sa.Index("ix_workshops_workshops_starts_at", "starts_at"),
        {"schema": SCHEMA},
    )

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    process_id: uuid.UUID = Field(foreign_key="workshops.processes.id", index=True)
    district_id: uuid.UUID = Field(index=True)
    edition_id: uuid.UUID | None = Field(default=None, index=True)
    method: WorkshopMethod = Field(sa_type=_enum(WorkshopMethod, "workshop_method"))
    title: str = Field(max_length=200)
    description: str = Field(default="", sa_type=sa.Text)
    starts_at: datetime = Field(sa_type=UTCDateTime)
    ends_at: datetime = Field(sa_type=UTCDateTime)
    venue: str | None = Field(default=None, max_length=200)
    online_url: str | None = Field(default=None, max_length=2000)
    capacity: int | None = None
    facilitator_ids: list[str] = Field(default_factory=list, sa_type=JSONType)
    status: WorkshopStatus = Field(
        default=WorkshopStatus.PLANNED, sa_type=_enum(WorkshopStatus, "workshop_status")
    )
    status_reason: str | None = Field(default=None, max_length=2000)
    version: int = Field(default=0)
    # iCalendar SEQUENCE: bumped only when the calendar entry changes (times, place, title, status), not when
    # a registration or an agenda item is added to the stream (RFC 5545 3.8.7.4).
    ical_sequence: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Registration(SQLModel, table=True):
    """A registration to a workshop: one registry person, or an anonymous head count of a category."""

    __tablename__ = "registrations"
    __table_args__ = {"schema": SCHEMA}

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    workshop_id: uuid.UUID = Field(foreign_key="workshops.workshops.id", index=True)
    person_id: str | None = Field(default=None, max_length=64, index=True)
    actor_category: ActorCategory = Field(sa_type=_enum(ActorCategory, "actor_category"))
    count: int = Field(default=1)
    waitlisted: bool = Field(default=False)
    cancelled_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Attendance(SQLModel, table=True):
    """Attendance taken after a workshop: who was present or absent, plus anonymous head counts."""

    __tablename__ = "attendance"
    __table_args__ = {"schema": SCHEMA}

    workshop_id: uuid.UUID = Field(foreign_key="workshops.workshops.id", primary_key=True)
    present: list[str] = Field(default_factory=list, sa_type=JSONType)
    absent: list[str] = Field(default_factory=list, sa_type=JSONType)
    # {person_id: actor_category} for the people listed, so totals by category need no registry call.
    categories: dict[str, str] = Field(default_factory=dict, sa_type=JSONType)
    anonymous_counts: dict[str, int] = Field(default_factory=dict, sa_type=JSONType)
    recorded_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class ProcessSnapshot(SQLModel, table=True):
    """A process folded from its stream up to ``version``: a cache for as-of reads, rebuilt from the events.

    ``fold_format`` names the shape of ``state``; snapshots of another format are ignored (and rewritten by
    ``communitylab snapshot-processes``) so a change to the fold never serves a stale state.
    """

    __tablename__ = "process_snapshots"
    __table_args__ = {"schema": SCHEMA}

    process_id: uuid.UUID = Field(primary_key=True)
    version: int = Field(primary_key=True)
    fold_format: int = Field(primary_key=True)
    recorded_at: datetime = Field(sa_type=UTCDateTime)
    state: dict[str, Any] = Field(default_factory=dict, sa_type=JSONType)
