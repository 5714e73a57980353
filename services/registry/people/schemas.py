"""Request and response bodies of the people API (bounded, with examples)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, ClassVar

from pydantic import ConfigDict, Field, field_validator

from services.registry.common.schemas import EXAMPLE_DISTRICT
from services.registry.people.models import ActorCategory
from shared.api.schemas import ApiModel, Code, Email, PatchModel, Phone, PublicModel, ShortText, bounded_list
from shared.privacy import Personal


class PersonCreate(ApiModel):
    """A new person."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "given_name": "Giulia",
                    "family_name": "Bianchi",
                    "email": "giulia.bianchi@example.org",
                    "phone": "+39 051 000000",
                    "actor_category": "social_worker",
                    "organisation_ids": [],
                    "district_ids": [EXAMPLE_DISTRICT],
                }
            ]
        },
    )

    given_name: ShortText
    family_name: ShortText
    email: Email | None = None
    phone: Phone | None = None
    actor_category: ActorCategory
    organisation_ids: list[uuid.UUID] = bounded_list(20)
    district_ids: list[uuid.UUID] = Field(min_length=1, max_length=50)
    different_person: bool = Field(
        default=False,
        description="True registers this person although someone with the same email is already registered "
        "(two people sharing an address); otherwise that is a 409 naming the existing person.",
    )


class PersonUpdate(PatchModel):
    """Changes to a person."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"phone": "+39 051 111111", "actor_category": "planning_office_staff"}]
        },
    )
    nullable_fields: ClassVar[frozenset[str]] = frozenset({"email", "phone"})

    given_name: ShortText | None = None
    family_name: ShortText | None = None
    email: Email | None = None
    phone: Phone | None = None
    actor_category: ActorCategory | None = None
    organisation_ids: list[uuid.UUID] | None = Field(default=None, max_length=20)
    district_ids: list[uuid.UUID] | None = Field(default=None, min_length=1, max_length=50)


class ConsentCreate(ApiModel):
    """Consent a person gave for one purpose."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"purpose": "workshop_contact", "given_at": "2018-03-01T09:00:00Z"}]},
    )

    purpose: Code
    given_at: datetime | None = Field(default=None, description="Defaults to now; timezone required.")

    @field_validator("given_at")
    @classmethod
    def _aware(cls, value: datetime | None) -> datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("given_at needs a timezone (e.g. Z)")
        return value


class ConsentWithdraw(ApiModel):
    """When a consent was withdrawn."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"withdrawn_at": "2019-01-10T12:00:00Z"}]}
    )

    withdrawn_at: datetime | None = None

    @field_validator("withdrawn_at")
    @classmethod
    def _aware(cls, value: datetime | None) -> datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("withdrawn_at needs a timezone (e.g. Z)")
        return value


class ConsentPublic(PublicModel):
    """A consent record."""

    id: uuid.UUID
    purpose: str
    given_at: datetime
    withdrawn_at: datetime | None


class PersonPublic(PublicModel):
    """A person; names, contacts and consents are null for callers who may not see them (shared.privacy)."""

    id: uuid.UUID
    actor_category: ActorCategory
    erased: bool
    district_ids: list[uuid.UUID]
    organisation_ids: list[uuid.UUID]
    given_name: Annotated[str | None, Personal] = None
    family_name: Annotated[str | None, Personal] = None
    email: Annotated[str | None, Personal] = None
    phone: Annotated[str | None, Personal] = None
    consents: Annotated[list[ConsentPublic] | None, Personal] = None
    version: int
    created_at: datetime
