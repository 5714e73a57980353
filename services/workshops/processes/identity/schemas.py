"""Request and response bodies of a process: identity card, phases, status."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field, model_validator

from services.workshops.processes.models import ActorCategory, ProcessStatus
from shared.api.schemas import (
    ApiModel,
    Count,
    LongText,
    OptionalText,
    PatchModel,
    PublicModel,
    ShortText,
)
from shared.errors import FieldRule


class Stature(BaseModel):
    """*Statura*: steering-group sizes and people involved by actor category."""

    model_config = ConfigDict(extra="forbid")

    core_steering_group_size: Count | None = None
    extended_steering_group_size: Count | None = None
    people_involved: dict[ActorCategory, Count] = Field(default_factory=dict, max_length=20)


class Contact(BaseModel):
    """A contact of the process: a registry person or organisation, with the role they play (no personal data)."""

    model_config = ConfigDict(extra="forbid")

    person_id: uuid.UUID | None = None
    organisation_id: uuid.UUID | None = None
    role: OptionalText = ""


class PhaseCreate(ApiModel):
    """A phase of a process."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "name": "listening",
                    "starts_on": "2018-10-01",
                    "ends_on": "2018-12-31",
                    "is_current": True,
                    "open_to_proposals": True,
                }
            ]
        },
    )

    name: ShortText
    starts_on: date | None = None
    ends_on: date | None = None
    is_current: bool = False
    open_to_proposals: bool = Field(
        default=False, description="Participants may put forward proposals from starts_on to ends_on."
    )

    @model_validator(mode="after")
    def _dates_in_order(self) -> PhaseCreate:
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            raise FieldRule("ends_on", "ends_on must not be before starts_on")
        return self


class PhaseUpdate(PatchModel):
    """Changes to a phase; ``is_current: true`` makes it the current phase."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"ends_on": "2019-01-31", "is_current": True}]}
    )
    nullable_fields: ClassVar[frozenset[str]] = frozenset({"starts_on", "ends_on"})

    name: ShortText | None = None
    starts_on: date | None = None
    ends_on: date | None = None
    is_current: bool | None = None
    open_to_proposals: bool | None = None


class PhasePublic(PublicModel):
    """A phase of a process."""

    id: uuid.UUID
    name: str
    starts_on: date | None
    ends_on: date | None
    is_current: bool
    position: int
    open_to_proposals: bool


_PROCESS_EXAMPLE: dict[str, Any] = {
    "district_id": "3f2b8c1e-8a44-4a4e-9c61-2a0d6f1d9b10",
    "title": "Aggiungi un posto al tavolo",
    "purpose": "Ripensare insieme i servizi per le famiglie fragili",
    "weight": "Le priorità emerse entrano nel Piano di Zona",
    "transformations": "Nuovi tavoli tra servizi e associazioni",
    "methods_and_tools": "Open Space Technology, World Café",
    "distinctive_marks": "Cittadini nella cabina di regia",
    "started_on": "2015-12-18",
    "location": "Unione dei Comuni della Bassa Romagna",
    "stature": {
        "core_steering_group_size": 6,
        "extended_steering_group_size": 20,
        "people_involved": {"citizen": 120, "third_sector": 30},
    },
    "contacts": [{"organisation_id": "8c0a4f5e-1d2b-4c3d-9e8f-7a6b5c4d3e2f", "role": "Ufficio di Piano"}],
    "phases": [
        {
            "name": "listening",
            "starts_on": "2015-12-18",
            "ends_on": "2016-03-31",
            "is_current": True,
            "open_to_proposals": True,
        }
    ],
}


class ProcessCreate(ApiModel):
    """A participatory process of a district with its identity card."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [_PROCESS_EXAMPLE]})

    district_id: uuid.UUID
    edition_id: uuid.UUID | None = None
    title: ShortText
    purpose: LongText = ""
    weight: LongText = ""
    transformations: LongText = ""
    methods_and_tools: LongText = ""
    distinctive_marks: LongText = ""
    started_on: date | None = None
    location: OptionalText = ""
    stature: Stature = Field(default_factory=Stature)
    contacts: list[Contact] = Field(default_factory=list, max_length=50)
    phases: list[PhaseCreate] = Field(default_factory=list, max_length=50)
    status: ProcessStatus = ProcessStatus.DRAFT


class ProcessUpdate(PatchModel):
    """Changes to a process's identity card (only the fields sent change)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"weight": "Tre priorità validate dal Comitato di Distretto"}]},
    )
    nullable_fields: ClassVar[frozenset[str]] = frozenset(
        {
            "edition_id",
            "started_on",
            "purpose",
            "weight",
            "transformations",
            "methods_and_tools",
            "distinctive_marks",
        }
    )

    edition_id: uuid.UUID | None = None
    title: ShortText | None = None
    purpose: LongText | None = None
    weight: LongText | None = None
    transformations: LongText | None = None
    methods_and_tools: LongText | None = None
    distinctive_marks: LongText | None = None
    started_on: date | None = None
    location: OptionalText | None = None
    stature: Stature | None = None
    contacts: list[Contact] | None = Field(default=None, max_length=50)


class ProcessStatusChange(ApiModel):
    """Move a process to draft, active or closed."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"status": "closed", "closed_on": "2019-12-31"}]}
    )

    status: ProcessStatus
    closed_on: date | None = None


class ProcessPublic(PublicModel):
    """A process with its identity card and phases."""

    id: uuid.UUID
    district_id: uuid.UUID
    edition_id: uuid.UUID | None
    title: str
    purpose: str
    weight: str
    transformations: str
    methods_and_tools: str
    distinctive_marks: str
    started_on: date | None
    location: str
    stature: dict[str, Any]
    contacts: list[dict[str, Any]]
    status: ProcessStatus
    closed_on: date | None
    phases: list[PhasePublic] = Field(default_factory=list)
    version: int
    as_of: datetime | None = Field(default=None, description="Set when the process was rebuilt as of a time.")
    known_at: datetime | None = Field(
        default=None, description="Set when the process was rebuilt as known at a time (transaction time)."
    )
