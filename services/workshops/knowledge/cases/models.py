"""Tables of the case library: a case, its questions, its guidance (tagged by line) and the processes it informed.

A case is a local experience of one district, from the health or the social side, studied by the Community Lab.
The lab meetings that studied it are kept as a list of ids (``lab_meeting_ids``), each checked against the
regional labs' meetings (``workshops.lab_meetings``) when it is written.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from shared.db import JSONType, UTCDateTime, utcnow

SCHEMA = "workshops"


class CaseSide(StrEnum):
    """Which side of the services the experience comes from."""

    HEALTH = "health"
    SOCIAL = "social"
    SOCIAL_AND_HEALTH = "social_and_health"


class CaseLine(StrEnum):
    """The three lines of the first Community Lab."""

    SUBJECTS = "subjects"
    METHODOLOGICAL_SOLUTIONS = "methodological_solutions"
    INSTITUTIONAL_ARCHITECTURES = "institutional_architectures"


class CaseStatus(StrEnum):
    """A draft is read by its writers only; a published case by everybody."""

    DRAFT = "draft"
    PUBLISHED = "published"


class Case(SQLModel, table=True):
    """A case of the library."""

    __tablename__ = "cases"
    __table_args__ = {"schema": SCHEMA}

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    code: str = Field(max_length=64, unique=True)
    district_id: uuid.UUID = Field(index=True)
    side: str = Field(max_length=32)
    status: str = Field(default=CaseStatus.DRAFT.value, max_length=16, index=True)
    title: str = Field(max_length=200)
    summary: str = Field(default="", max_length=500)
    story: str = Field(default="", sa_type=sa.Text)
    lines: list[Any] = Field(default_factory=list, sa_type=JSONType)
    lab_meeting_ids: list[Any] = Field(default_factory=list, sa_type=JSONType)
    published_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    version: int = Field(default=0)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class CaseQuestion(SQLModel, table=True):
    """A question the case raised, in order."""

    __tablename__ = "case_questions"
    __table_args__ = {"schema": SCHEMA}

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    case_id: uuid.UUID = Field(foreign_key="workshops.cases.id", index=True)
    position: int
    text: str = Field(max_length=1000)


class CaseGuidance(SQLModel, table=True):
    """One piece of operational guidance drawn from the case, on one of the three lines."""

    __tablename__ = "case_guidance"
    __table_args__ = {"schema": SCHEMA}

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    case_id: uuid.UUID = Field(foreign_key="workshops.cases.id", index=True)
    position: int
    line: str = Field(max_length=40)
    text: str = Field(max_length=2000)


class CaseProcess(SQLModel, table=True):
    """A process the case informed."""

    __tablename__ = "case_processes"
    __table_args__ = {"schema": SCHEMA}

    case_id: uuid.UUID = Field(foreign_key="workshops.cases.id", primary_key=True)
    process_id: uuid.UUID = Field(foreign_key="workshops.processes.id", primary_key=True, index=True)
