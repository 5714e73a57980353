"""Request and response bodies of the organisations API (bounded, with examples)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, ClassVar

from pydantic import ConfigDict, Field

from services.registry.common.schemas import EXAMPLE_DISTRICT
from services.registry.organisations.models import OrganisationKind
from shared.api.schemas import (
    ApiModel,
    Email,
    OptionalText,
    PatchModel,
    Phone,
    PublicModel,
    ShortText,
    Url,
    bounded_list,
)


class Contact(ApiModel):
    """An institutional contact point of an organisation."""

    label: OptionalText = ""
    email: Email | None = None
    phone: Phone | None = None
    url: Url | None = None


class OrganisationCreate(ApiModel):
    """A new organisation."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "name": "Cooperativa Sociale Il Mosaico",
                    "kind": "social_cooperative",
                    "district_ids": [EXAMPLE_DISTRICT],
                    "contacts": [
                        {"label": "segreteria", "email": "info@example.org", "phone": "+39 0543 000000"}
                    ],
                }
            ]
        },
    )

    name: ShortText
    kind: OrganisationKind
    district_ids: list[uuid.UUID] = Field(min_length=1, max_length=50)
    contacts: list[Contact] = bounded_list(20)


class OrganisationUpdate(PatchModel):
    """Changes to an organisation."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"name": "Cooperativa Sociale Il Mosaico (ONLUS)"}]},
    )
    nullable_fields: ClassVar[frozenset[str]] = frozenset({"contacts"})

    name: ShortText | None = None
    kind: OrganisationKind | None = None
    district_ids: list[uuid.UUID] | None = Field(default=None, min_length=1, max_length=50)
    contacts: list[Contact] | None = Field(default=None, max_length=20)


class OrganisationPublic(PublicModel):
    """An organisation."""

    id: uuid.UUID
    name: str
    kind: OrganisationKind
    district_ids: list[uuid.UUID]
    contacts: list[dict[str, Any]]
    version: int
    created_at: datetime
