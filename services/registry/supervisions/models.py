"""Tables of supervision sessions, their supervisors, the cases brought to them and the cases' private notes."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from services.registry.common.models import SCHEMA, enum_column
from shared.db import UTCDateTime, utcnow


class CaseSubjectKind(StrEnum):
    """What a case comes from: a whole process, or one workshop of it."""

    PROCESS = "process"
    WORKSHOP = "workshop"


class Supervision(SQLModel, table=True):
    """A supervision session (supervisione): when, where, in which programme edition."""

    __tablename__ = "supervisions"
    __table_args__ = {"schema": SCHEMA}

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    held_on: date
    place: str = Field(default="", max_length=200)
    edition_id: uuid.UUID | None = Field(default=None, index=True)
    version: int = Field(default=0)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Supervisor(SQLModel, table=True):
    """A supervisor of a session (a registry person)."""

    __tablename__ = "supervision_supervisors"
    __table_args__ = {"schema": SCHEMA}

    supervision_id: uuid.UUID = Field(foreign_key="registry.supervisions.id", primary_key=True)
    person_id: uuid.UUID = Field(foreign_key="registry.people.id", primary_key=True, index=True)


class SupervisionCase(SQLModel, table=True):
    """A case a facilitator or tutor brought to a session, from a process or a workshop of it."""

    __tablename__ = "supervision_cases"
    __table_args__ = {"schema": SCHEMA}

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    supervision_id: uuid.UUID = Field(foreign_key="registry.supervisions.id", index=True)
    brought_by_id: uuid.UUID = Field(foreign_key="registry.people.id", index=True)
    subject_kind: CaseSubjectKind = Field(sa_type=enum_column(CaseSubjectKind, "case_subject_kind"))
    subject_id: uuid.UUID
    process_id: uuid.UUID
    district_id: uuid.UUID = Field(index=True)
    edition_id: uuid.UUID | None = None
    title: str = Field(max_length=200)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class SupervisionNote(SQLModel, table=True):
    """A private note on a case: read by the case's participants and regional administrators only."""

    __tablename__ = "supervision_notes"
    __table_args__ = {"schema": SCHEMA}

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    case_id: uuid.UUID = Field(foreign_key="registry.supervision_cases.id", index=True)
    author_id: uuid.UUID | None = Field(default=None, foreign_key="registry.people.id")
    body: str = Field(sa_type=sa.Text)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
