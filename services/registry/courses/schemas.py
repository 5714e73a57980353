"""Request and response bodies of the courses API (bounded, with examples)."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated

from pydantic import ConfigDict, Field, model_validator

from services.registry.common.schemas import EXAMPLE_PERSON, Year, check_period
from services.registry.courses.models import CompletionBasis, CourseKind
from shared.api.schemas import ApiDate, ApiModel, OptionalText, PublicModel, ShortText
from shared.privacy import Personal

EXAMPLE_COURSE = "4e5f6a7b-8c9d-4e0f-9a1b-2c3d4e5f6a7b"
Hours = Annotated[int, Field(ge=0, le=10_000)]
PersonIds = Annotated[list[uuid.UUID], Field(max_length=500)]


class CourseCreate(ApiModel):
    """A course run by the region, a university or the tutors' track."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "kind": "regional_facilitation_training",
                    "title": "Formazione regionale alla facilitazione",
                    "provider": "Regione Emilia-Romagna",
                }
            ]
        },
    )

    kind: CourseKind
    title: ShortText
    provider: OptionalText = ""


class CoursePublic(PublicModel):
    """A course."""

    id: uuid.UUID
    kind: CourseKind
    title: str
    provider: str
    version: int
    created_at: datetime


class CourseEditionCreate(ApiModel):
    """An edition of a course and the attended hours that complete it."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "course_id": EXAMPLE_COURSE,
                    "title": "Edizione 2018",
                    "year": 2018,
                    "starts_on": "2018-03-01",
                    "ends_on": "2018-11-30",
                    "completion_hours": 24,
                }
            ]
        },
    )

    course_id: uuid.UUID
    title: ShortText
    year: Year
    starts_on: ApiDate | None = None
    ends_on: ApiDate | None = None
    completion_hours: Hours = Field(
        default=0, description="Attended hours at or above which a member completes the edition."
    )

    @model_validator(mode="after")
    def _period(self) -> CourseEditionCreate:
        check_period(self.starts_on, self.ends_on, "ends_on")
        return self


class CourseSessionCreate(ApiModel):
    """A session of an edition."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"held_on": "2018-03-01", "place": "Bologna, viale Aldo Moro 21", "hours": 8}]
        },
    )

    held_on: ApiDate
    place: OptionalText = ""
    hours: Annotated[int, Field(ge=1, le=24)]


class CourseSessionPublic(PublicModel):
    """A session and how many of the cohort attended it."""

    id: uuid.UUID
    course_edition_id: uuid.UUID
    held_on: date
    place: str
    hours: int
    attended: int = 0


class CourseEditionPublic(PublicModel):
    """An edition with its sessions and counts (the cohort itself is read at /cohort)."""

    id: uuid.UUID
    course_id: uuid.UUID
    title: str
    year: int
    starts_on: date | None
    ends_on: date | None
    completion_hours: int
    sessions: list[CourseSessionPublic]
    hours_total: int
    cohort_size: int
    completions: int
    version: int
    created_at: datetime


class CohortSet(ApiModel):
    """The whole cohort of an edition: people of the registry."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"person_ids": [EXAMPLE_PERSON]}]}
    )

    person_ids: PersonIds


class AttendanceSet(ApiModel):
    """Who of the cohort attended a session (replaces the session's list)."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"person_ids": [EXAMPLE_PERSON]}]}
    )

    person_ids: PersonIds


class CompletionCreate(ApiModel):
    """Complete a member: on attended hours (at least the edition's threshold) or marked by the editor."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"person_id": EXAMPLE_PERSON, "basis": "marked"}]},
    )

    person_id: uuid.UUID
    basis: CompletionBasis = CompletionBasis.HOURS


class CohortMemberPublic(PublicModel):
    """A member of a cohort: attended hours and completion (the person is read in /people)."""

    person_id: Annotated[uuid.UUID | None, Personal] = None
    district_id: uuid.UUID | None
    attended_hours: int
    sessions_attended: int
    completed_at: datetime | None
    completion_basis: CompletionBasis | None
    training_id: uuid.UUID | None


class CohortPublic(PublicModel):
    """The cohort of an edition."""

    course_edition_id: uuid.UUID
    completion_hours: int
    members: list[CohortMemberPublic]
    version: int
