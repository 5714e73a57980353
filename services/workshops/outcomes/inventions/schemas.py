"""Request and response bodies of inventions."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field, model_validator

from services.workshops.outcomes.models import (
    InventionKind,
    Theme,
)
from services.workshops.outcomes.schemas import (
    EXAMPLE_DISTRICT,
    EXAMPLE_PROCESS,
    EXAMPLE_WORKSHOP,
    Attachment,
    MediumText,
    OriginDetail,
    OriginIn,
    OriginOut,
)
from shared.api.schemas import ApiModel, LongText, PatchModel, PublicModel, ShortText
from shared.errors import FieldRule


class InventionCreate(ApiModel):
    """A new invention of a process."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "process_id": EXAMPLE_PROCESS,
                    "workshop_id": EXAMPLE_WORKSHOP,
                    "origin": {"kind": "workshop", "id": EXAMPLE_WORKSHOP},
                    "title": "Sportello di prossimità nei quartieri",
                    "description": "Un punto di ascolto gestito insieme da servizi sociali e volontari.",
                    "kind": "service_organisation",
                    "theme": "oltre_i_servizi",
                    "person_ids": [],
                    "organisation_ids": [],
                    "attachments": [{"title": "Presentazione", "url": "https://example.org/sportello.pdf"}],
                }
            ]
        },
    )

    process_id: uuid.UUID
    workshop_id: uuid.UUID | None = None
    origin: OriginIn | None = None
    title: ShortText
    description: LongText = ""
    kind: InventionKind
    theme: Theme
    person_ids: list[uuid.UUID] = Field(default_factory=list, max_length=50)
    organisation_ids: list[uuid.UUID] = Field(default_factory=list, max_length=50)
    attachments: list[Attachment] = Field(default_factory=list, max_length=20)
    restitution_workshop_id: uuid.UUID | None = None

    @model_validator(mode="after")
    def _origin_needs_workshop(self) -> InventionCreate:
        if self.origin is not None and self.workshop_id is None:
            raise FieldRule("workshop_id", "origin needs workshop_id: a session belongs to a workshop")
        return self


class InventionUpdate(PatchModel):
    """Changes to an invention (only the fields sent change)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "title": "Sportello di prossimità in tre quartieri",
                    "theme": "reti_vive",
                    "attachments": [{"title": "Foto", "url": "https://example.org/foto.jpg"}],
                }
            ]
        },
    )
    nullable_fields: ClassVar[frozenset[str]] = frozenset({"restitution_workshop_id"})

    title: ShortText | None = None
    description: LongText | None = None
    kind: InventionKind | None = None
    theme: Theme | None = None
    person_ids: list[uuid.UUID] | None = Field(default=None, max_length=50)
    organisation_ids: list[uuid.UUID] | None = Field(default=None, max_length=50)
    attachments: list[Attachment] | None = Field(default=None, max_length=20)
    restitution_workshop_id: uuid.UUID | None = None


class InventionHandover(ApiModel):
    """To whom an invention is passed ("a chi passo l'invenzione"): a district or an organisation."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "to_district_id": EXAMPLE_DISTRICT,
                    "on": "2026-11-20",
                    "note": "Presentata al tavolo del distretto vicino",
                }
            ]
        },
    )

    to_district_id: uuid.UUID | None = None
    to_organisation_id: uuid.UUID | None = None
    on: date
    note: MediumText | None = None

    @model_validator(mode="after")
    def _exactly_one_recipient(self) -> InventionHandover:
        if (self.to_district_id is None) == (self.to_organisation_id is None):
            raise FieldRule("to_district_id", "give exactly one of to_district_id and to_organisation_id")
        return self


class Handover(BaseModel):
    """The hand-over of an invention, once recorded."""

    to_district_id: uuid.UUID | None
    to_organisation_id: uuid.UUID | None
    on: date
    note: str | None


class InventionPublic(PublicModel):
    """An invention."""

    id: uuid.UUID
    process_id: uuid.UUID
    district_id: uuid.UUID
    edition_id: uuid.UUID | None
    workshop_id: uuid.UUID | None
    origin: OriginOut | None
    title: str
    description: str
    kind: InventionKind
    theme: Theme
    theme_label: dict[str, str]
    person_ids: list[str]
    organisation_ids: list[str]
    attachments: list[dict[str, Any]]
    restitution_workshop_id: uuid.UUID | None
    handover: Handover | None
    version: int
    created_at: datetime
    updated_at: datetime


class InventionDetail(InventionPublic):
    """An invention with its origin spelled out."""

    origin_detail: OriginDetail
    as_of: datetime | None = Field(default=None, description="Set when folded as of a valid time.")
    known_at: datetime | None = Field(default=None, description="Set when folded as known at a time.")
