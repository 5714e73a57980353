"""Request and response bodies of registrations, attendance and head counts."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, model_validator

from services.workshops.processes.models import ActorCategory
from shared.api.schemas import (
    ApiModel,
    Count,
    PublicModel,
)
from shared.errors import FieldRule
from shared.privacy import Personal


class RegistrationCreate(ApiModel):
    """Register one registry person, or an anonymous head count of one actor category."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"person_id": "5b1c9d2e-3f4a-4b5c-8d6e-7f8091a2b3c4", "actor_category": "citizen"}]
        },
    )

    person_id: uuid.UUID | None = None
    actor_category: ActorCategory | None = Field(
        default=None, description="Required for anonymous counts; for a person defaults to the registry's."
    )
    count: Annotated[int, Field(ge=1, le=10_000)] = 1

    @model_validator(mode="after")
    def _person_or_count(self) -> RegistrationCreate:
        if self.person_id is not None and self.count != 1:
            raise FieldRule(
                "count", "a person's registration counts 1; send anonymous groups without person_id"
            )
        if self.person_id is None and self.actor_category is None:
            raise FieldRule("actor_category", "an anonymous registration needs actor_category")
        return self


class RegistrationPublic(PublicModel):
    """A registration (person_id hidden from callers who may not see personal data)."""

    id: uuid.UUID
    workshop_id: uuid.UUID
    person_id: Annotated[str | None, Personal]
    actor_category: ActorCategory
    count: int
    waitlisted: bool
    cancelled_at: datetime | None
    created_at: datetime


class RegistrationCancelled(BaseModel):
    """A cancelled registration and the waitlisted ones that got its seats."""

    registration: RegistrationPublic
    promoted: list[RegistrationPublic]


class AttendanceRecord(ApiModel):
    """Attendance taken after the workshop."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "present": ["5b1c9d2e-3f4a-4b5c-8d6e-7f8091a2b3c4"],
                    "absent": [],
                    "anonymous_counts": {"citizen": 12, "third_sector": 3},
                }
            ]
        },
    )

    present: list[uuid.UUID] = Field(default_factory=list, max_length=5000)
    absent: list[uuid.UUID] = Field(default_factory=list, max_length=5000)
    anonymous_counts: dict[ActorCategory, Count] = Field(default_factory=dict, max_length=20)


class AttendancePublic(BaseModel):
    """The attendance of a workshop."""

    workshop_id: uuid.UUID
    present: Annotated[list[str], Personal]
    absent: Annotated[list[str], Personal]
    anonymous_counts: dict[str, int]
    recorded_at: datetime
    occurred_at: datetime | None = Field(
        default=None,
        description="The day the attendance is of (the workshop's start); set with as_of/known_at.",
    )
    as_of: datetime | None = Field(default=None, description="Set when read as of a valid time.")
    known_at: datetime | None = Field(default=None, description="Set when read as known at a time.")


class FacilitatorPeople(BaseModel):
    """The people a facilitator's work needs: registered to or attending the workshops they facilitate."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "facilitator_id": "5b1c9d2e-3f4a-4b5c-8d6e-7f8091a2b3c4",
                    "person_ids": ["7c2d0e3f-4a5b-4c6d-9e7f-8091a2b3c4d5"],
                }
            ]
        }
    )

    facilitator_id: str
    person_ids: Annotated[list[str], Personal]


class CategoryTotals(BaseModel):
    """Head counts by actor category."""

    registered: dict[str, int]
    waitlisted: dict[str, int]
    attended: dict[str, int]
    registered_total: int
    waitlisted_total: int
    attended_total: int


class WorkshopTotals(CategoryTotals):
    """Registrations and attendance of one workshop."""

    workshop_id: uuid.UUID
    capacity: int | None
    seats_taken: int
    attendance_recorded: bool


class ProcessTotals(CategoryTotals):
    """Registrations and attendance summed over a process's workshops (cancelled ones left out)."""

    process_id: uuid.UUID
    workshops: int
    workshops_held: int
