"""Request and response bodies of the facilitators API (bounded, with examples)."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated, Any, ClassVar

from pydantic import ConfigDict, Field, model_validator

from services.registry.common.schemas import EXAMPLE_DISTRICT, EXAMPLE_PERSON, Year
from services.registry.facilitators.models import FacilitatorKind
from shared.api.schemas import (
    ApiModel,
    LongText,
    OptionalText,
    PatchModel,
    PublicModel,
    ShortText,
    bounded_list,
)
from shared.errors import FieldRule
from shared.privacy import Personal


class AvailabilityWindow(ApiModel):
    """When a facilitator is available: a weekday and/or a date range."""

    weekday: Annotated[int, Field(ge=1, le=7, description="ISO weekday, 1 = Monday")] | None = None
    starts_on: date | None = None
    ends_on: date | None = None
    note: OptionalText = ""

    @model_validator(mode="after")
    def _period(self) -> AvailabilityWindow:
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            raise FieldRule("ends_on", "ends_on must not be before starts_on")
        return self


class FacilitatorCreate(ApiModel):
    """Make a registered person a facilitator or tutor."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "person_id": EXAMPLE_PERSON,
                    "kind": "facilitator",
                    "district_ids": [EXAMPLE_DISTRICT],
                    "availability_notes": "weekday afternoons",
                    "availability": [{"weekday": 3, "note": "from 14:00"}],
                }
            ]
        },
    )

    person_id: uuid.UUID
    kind: FacilitatorKind
    district_ids: list[uuid.UUID] = Field(min_length=1, max_length=50)
    availability_notes: LongText = ""
    availability: list[AvailabilityWindow] = bounded_list(50)


class FacilitatorUpdate(PatchModel):
    """Changes to a facilitator profile."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"kind": "tutor", "availability_notes": "Mondays only"}]},
    )
    nullable_fields: ClassVar[frozenset[str]] = frozenset({"availability_notes"})

    kind: FacilitatorKind | None = None
    district_ids: list[uuid.UUID] | None = Field(default=None, min_length=1, max_length=50)
    availability_notes: LongText | None = None
    availability: list[AvailabilityWindow] | None = Field(default=None, max_length=50)


class TrainingCreate(ApiModel):
    """A course the facilitator completed."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "course": "Community Lab facilitation",
                    "year": 2018,
                    "hours": 40,
                    "provider": "Regione Emilia-Romagna",
                }
            ]
        },
    )

    course: ShortText
    year: Year
    hours: Annotated[int, Field(ge=0, le=10_000)]
    provider: OptionalText = ""


class TrainingPublic(PublicModel):
    """A training record."""

    id: uuid.UUID
    course: str
    year: int
    hours: int
    provider: str


class FacilitatorPublic(PublicModel):
    """A facilitator or tutor; availability only for themself, editors of districts served and admins."""

    person_id: uuid.UUID
    kind: FacilitatorKind
    district_ids: list[uuid.UUID]
    availability_notes: Annotated[str | None, Personal] = None
    availability: Annotated[list[dict[str, Any]] | None, Personal] = None
    trainings: list[TrainingPublic]
    version: int
