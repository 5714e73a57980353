"""Request and response bodies of the priority cycle."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from services.workshops.outcomes.models import (
    PriorityOutcome,
    PrioritySource,
    PriorityState,
)
from services.workshops.outcomes.schemas import (
    EXAMPLE_DISTRICT,
    EXAMPLE_PROCESS,
    EXAMPLE_WORKSHOP,
    MediumText,
    OriginDetail,
    OriginIn,
    OriginOut,
)
from shared.api.schemas import ApiModel, Code, LongText, PublicModel, ShortText
from shared.errors import FieldRule


class PriorityCreate(ApiModel):
    """A priority proposal, from a workshop or by the Ufficio di Piano."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "district_id": EXAMPLE_DISTRICT,
                    "process_id": EXAMPLE_PROCESS,
                    "workshop_id": EXAMPLE_WORKSHOP,
                    "origin": {"kind": "workshop", "id": EXAMPLE_WORKSHOP},
                    "source": "workshop",
                    "title": "Contrastare la solitudine degli anziani",
                    "description": "Reti di vicinato e presenza dei servizi nei luoghi di vita.",
                }
            ]
        },
    )

    district_id: uuid.UUID
    process_id: uuid.UUID | None = None
    workshop_id: uuid.UUID | None = None
    origin: OriginIn | None = None
    source: PrioritySource
    title: ShortText
    description: LongText = ""

    @model_validator(mode="after")
    def _source_rules(self) -> PriorityCreate:
        if self.source is PrioritySource.WORKSHOP and self.workshop_id is None:
            raise FieldRule("workshop_id", "a priority proposed by a workshop needs workshop_id")
        if self.origin is not None and self.workshop_id is None:
            raise FieldRule("workshop_id", "origin needs workshop_id: a session belongs to a workshop")
        return self


class PrioritySubmit(ApiModel):
    """The Ufficio di Piano submits the priority to the Comitato di Distretto for a year."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"year": 2026}]})

    year: int = Field(ge=2000, le=2100)


class PriorityDecision(ApiModel):
    """A decision of the Comitato di Distretto: the date of the sitting and the motivation."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"sitting_date": "2026-03-12", "motivation": "Coerente con il Piano di Zona 2024-2026"}
            ]
        },
    )

    sitting_date: date
    motivation: Annotated[str, Field(min_length=1, max_length=5000)]


class PriorityAssign(ApiModel):
    """The project table (one or more workshops of method project_table) that will work on it."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"project_table_workshop_ids": [EXAMPLE_WORKSHOP]}]},
    )

    project_table_workshop_ids: list[uuid.UUID] = Field(min_length=1, max_length=20)


class PriorityReport(ApiModel):
    """What the restitution event reported."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "outcome": "partly_achieved",
                    "restitution_workshop_id": EXAMPLE_WORKSHOP,
                    "note": "Avviate due reti di vicinato su tre",
                }
            ]
        },
    )

    outcome: PriorityOutcome
    restitution_workshop_id: uuid.UUID
    note: MediumText | None = None


class PriorityPlanAction(ApiModel):
    """The action sheet (scheda intervento) of the district's local plan the priority became."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"plan_action": "PdZ-2026-26"}]}
    )

    plan_action: Code


class AllowedTransition(BaseModel):
    """A step allowed from the current state."""

    action: str
    to: str


class PriorityPublic(PublicModel):
    """A priority and where it stands."""

    id: uuid.UUID
    district_id: uuid.UUID
    process_id: uuid.UUID | None
    edition_id: uuid.UUID | None
    workshop_id: uuid.UUID | None
    origin: OriginOut | None
    source: PrioritySource
    title: str
    description: str
    state: PriorityState
    year: int | None
    sitting_date: date | None
    motivation: str | None
    project_table_workshop_ids: list[str]
    outcome: PriorityOutcome | None
    outcome_note: str | None
    restitution_workshop_id: uuid.UUID | None
    plan_action: str | None
    allowed: list[AllowedTransition]
    version: int
    created_at: datetime
    updated_at: datetime


class PriorityHistoryEntry(BaseModel):
    """One step of a priority's life, read back from its event stream."""

    version: int
    event_type: str
    from_state: str | None
    to_state: str
    at: datetime = Field(description="When the step happened (valid time: the sitting date of a decision).")
    recorded_at: datetime = Field(description="When the step was recorded (transaction time).")
    actor_id: str | None
    details: dict[str, Any]


class PriorityDetail(PriorityPublic):
    """A priority with its origin and full state history."""

    origin_detail: OriginDetail
    history: list[PriorityHistoryEntry]
    as_of: datetime | None = Field(default=None, description="Set when folded as of a valid time.")
    known_at: datetime | None = Field(default=None, description="Set when folded as known at a time.")
