"""Payloads of sign-in identities, role grants and ``GET /me``."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from services.registry.identity.models import GrantRole
from shared.errors import FieldRule

EXAMPLE_DISTRICT = "1b7d6a52-51b6-5a4e-9e0f-6d1d0d3c2a11"
EXAMPLE_PERSON = "5b1f3c1e-8a51-4c5e-9b49-3f7f4f8d2a10"


class GrantCreate(BaseModel):
    """A role to grant to a person: district editors name their district, regional admins none."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"person_id": EXAMPLE_PERSON, "role": "district_editor", "district_id": EXAMPLE_DISTRICT}
            ]
        },
    )

    person_id: uuid.UUID
    role: GrantRole
    district_id: uuid.UUID | None = None

    @model_validator(mode="after")
    def _district_matches_role(self) -> GrantCreate:
        if self.role is GrantRole.DISTRICT_EDITOR and self.district_id is None:
            raise FieldRule("district_id", "a district_editor grant needs district_id")
        if self.role is GrantRole.REGIONAL_ADMIN and self.district_id is not None:
            raise FieldRule("district_id", "a regional_admin grant is for the whole region: omit district_id")
        return self


class GrantPublic(BaseModel):
    """A role grant."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    person_id: uuid.UUID
    role: GrantRole
    district_id: uuid.UUID | None
    granted_at: datetime
    revoked_at: datetime | None


class GrantList(BaseModel):
    """A person's grants (bounded: a handful per person)."""

    items: list[GrantPublic]


class IdentityCreate(BaseModel):
    """Link a sign-in identity to an existing person (e.g. staff signing in through Keycloak)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"issuer": "https://sso.example/realms/communitylab", "value": "f3b1c0de-staff-sub"}]
        },
    )

    issuer: str = Field(min_length=1, max_length=500, description="A configured issuer.")
    value: str = Field(
        min_length=1, max_length=320, description="The value of that issuer's link claim for this person."
    )


class IdentityPublic(BaseModel):
    """A sign-in identity: shown only to the person themself and to regional administrators."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    person_id: uuid.UUID
    issuer: str
    claim: str
    value: str
    created_at: datetime


class IdentityList(BaseModel):
    """A person's sign-in identities."""

    items: list[IdentityPublic]


class MeMembership(BaseModel):
    """A governance-body membership active today."""

    body_id: uuid.UUID
    body_kind: str
    district_id: uuid.UUID
    process_id: uuid.UUID | None
    role: str
    valid_from: date
    valid_to: date | None


class MePermission(BaseModel):
    """One thing the caller may do, for a front end's menus; ``district_id`` null means everywhere."""

    action: str = Field(examples=["priorities.submit"])
    district_id: uuid.UUID | None = None


class MePerson(BaseModel):
    """The caller's own registry record (their personal data, shown to them)."""

    given_name: str | None
    family_name: str | None
    email: str | None
    actor_category: str


class Me(BaseModel):
    """Who the caller is and what they may do today."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "kind": "person",
                    "person_id": EXAMPLE_PERSON,
                    "issuer": "https://spid-broker.example",
                    "role": "participant",
                    "regional_admin": False,
                    "district_editor_of": [],
                    "facilitator": False,
                    "memberships": [],
                    "grants": [],
                    "permissions": [{"action": "priorities.submit", "district_id": EXAMPLE_DISTRICT}],
                    "on": "2026-12-02",
                }
            ]
        }
    )

    kind: Literal["person", "api_key"]
    person_id: uuid.UUID | None
    issuer: str | None = None
    role: str
    regional_admin: bool
    district_editor_of: list[uuid.UUID]
    facilitator: bool
    person: MePerson | None = None
    identities: list[IdentityPublic] | None = None
    memberships: list[MeMembership]
    grants: list[GrantPublic]
    permissions: list[MePermission]
    on: date
