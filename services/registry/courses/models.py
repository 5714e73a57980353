"""Tables of courses, their editions and sessions, the cohort of each edition and attendance per session."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum

from sqlmodel import Field, SQLModel

from services.registry.common.models import SCHEMA, enum_column
from shared.db import UTCDateTime, utcnow


class CourseKind(StrEnum):
    """The regional facilitation training, the university's advanced course, the tutors' track."""

    REGIONAL_FACILITATION_TRAINING = "regional_facilitation_training"
    ADVANCED_UNIVERSITY_COURSE = "advanced_university_course"
    TUTORS_TRACK = "tutors_track"


class CompletionBasis(StrEnum):
    """Why a member completed: enough attended hours, or marked by the course's editor."""

    HOURS = "hours"
    MARKED = "marked"


class Course(SQLModel, table=True):
    """A course (corso di formazione, Alta Formazione) run in editions."""

    __tablename__ = "courses"
    __table_args__ = {"schema": SCHEMA}

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    kind: CourseKind = Field(sa_type=enum_column(CourseKind, "course_kind"))
    title: str = Field(max_length=200)
    provider: str = Field(default="", max_length=200)
    version: int = Field(default=0)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class CourseEdition(SQLModel, table=True):
    """One edition of a course, with the attended hours that complete it."""

    __tablename__ = "course_editions"
    __table_args__ = {"schema": SCHEMA}

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    course_id: uuid.UUID = Field(foreign_key="registry.courses.id", index=True)
    title: str = Field(max_length=200)
    year: int
    starts_on: date | None = None
    ends_on: date | None = None
    completion_hours: int = Field(default=0)
    version: int = Field(default=0)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class CourseSession(SQLModel, table=True):
    """A session of an edition: when, where and how many hours."""

    __tablename__ = "course_sessions"
    __table_args__ = {"schema": SCHEMA}

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    course_edition_id: uuid.UUID = Field(foreign_key="registry.course_editions.id", index=True)
    held_on: date
    place: str = Field(default="", max_length=200)
    hours: int
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class CohortMember(SQLModel, table=True):
    """A person in an edition's cohort, the district they count for, and their completion."""

    __tablename__ = "course_cohort_members"
    __table_args__ = {"schema": SCHEMA}

    course_edition_id: uuid.UUID = Field(foreign_key="registry.course_editions.id", primary_key=True)
    person_id: uuid.UUID = Field(foreign_key="registry.people.id", primary_key=True, index=True)
    district_id: uuid.UUID | None = Field(default=None, foreign_key="registry.districts.id")
    completed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    completion_basis: CompletionBasis | None = Field(
        default=None, sa_type=enum_column(CompletionBasis, "completion_basis")
    )
    training_id: uuid.UUID | None = Field(default=None, foreign_key="registry.training_records.id")


class SessionAttendance(SQLModel, table=True):
    """A cohort member attended a session."""

    __tablename__ = "course_session_attendance"
    __table_args__ = {"schema": SCHEMA}

    session_id: uuid.UUID = Field(foreign_key="registry.course_sessions.id", primary_key=True)
    person_id: uuid.UUID = Field(foreign_key="registry.people.id", primary_key=True, index=True)
