"""Request and response bodies of the governance bodies API (bounded, with examples)."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field, model_validator

from services.registry.bodies.models import (
    SINGLE_PER_DISTRICT,
    STEERING_GROUPS,
    BodyKind,
    MembershipRole,
    RelationKind,
)
from services.registry.common.schemas import EXAMPLE_DISTRICT, EXAMPLE_PERSON, EXAMPLE_PROCESS, check_period
from shared.api.schemas import ApiDate, ApiModel, OptionalText, PublicModel
from shared.errors import FieldRule


class BodyCreate(ApiModel):
    """A new governance body of a district."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "district_id": EXAMPLE_DISTRICT,
                    "kind": "steering_group_core",
                    "name": "Cabina di regia ristretta",
                    "process_id": EXAMPLE_PROCESS,
                }
            ]
        },
    )

    district_id: uuid.UUID
    kind: BodyKind
    name: OptionalText = ""
    process_id: uuid.UUID | None = Field(default=None, description="Steering groups belong to one process.")

    @model_validator(mode="after")
    def _process_only_for_steering_groups(self) -> BodyCreate:
        steering = self.kind in STEERING_GROUPS
        if self.process_id is not None and not steering:
            raise FieldRule("process_id", "only steering groups belong to a process")
        if not steering and self.kind not in SINGLE_PER_DISTRICT and not self.name.strip():
            # A district has many thematic tables, GRI and project tables: the name tells them apart.
            raise FieldRule("name", f"a {self.kind.value} needs a name")
        return self


class BodyPublic(PublicModel):
    """A governance body."""

    id: uuid.UUID
    district_id: uuid.UUID
    kind: BodyKind
    name: str
    process_id: uuid.UUID | None
    version: int
    created_at: datetime


class MembershipCreate(ApiModel):
    """A person joins a body in a role from a date."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"person_id": EXAMPLE_PERSON, "role": "member", "valid_from": "2018-01-15", "valid_to": None}
            ]
        },
    )

    person_id: uuid.UUID
    role: MembershipRole
    valid_from: date
    valid_to: date | None = None

    @model_validator(mode="after")
    def _period(self) -> MembershipCreate:
        check_period(self.valid_from, self.valid_to)
        return self


class MembershipEnd(ApiModel):
    """The last day of a membership."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"valid_to": "2019-06-30"}]})

    valid_to: date


class MembershipPublic(PublicModel):
    """A membership of a person in a body."""

    id: uuid.UUID
    body_id: uuid.UUID
    body_kind: BodyKind
    district_id: uuid.UUID
    process_id: uuid.UUID | None
    person_id: uuid.UUID
    role: MembershipRole
    valid_from: date
    valid_to: date | None


class MembershipList(BaseModel):
    """Memberships (not paginated: bounded by the body or district and date)."""

    items: list[MembershipPublic]


class RelationCreate(ApiModel):
    """This body acts on another body of the same district from a date (proposes to, validates...)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "to_body_id": "7a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d",
                    "kind": "proposes_to",
                    "note": "priorità annuali",
                    "valid_from": "2014-01-01",
                    "valid_to": None,
                }
            ]
        },
    )

    to_body_id: uuid.UUID
    kind: RelationKind
    note: OptionalText = ""
    valid_from: ApiDate
    valid_to: ApiDate | None = None

    @model_validator(mode="after")
    def _period(self) -> RelationCreate:
        check_period(self.valid_from, self.valid_to)
        return self


class RelationEnd(ApiModel):
    """The last day of a relation."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"valid_to": "2019-12-31"}]})

    valid_to: ApiDate


class RelationPublic(PublicModel):
    """A relation between two bodies of a district."""

    id: uuid.UUID
    district_id: uuid.UUID
    from_body_id: uuid.UUID
    to_body_id: uuid.UUID
    kind: RelationKind
    note: str
    valid_from: date
    valid_to: date | None


class RelationList(BaseModel):
    """Relations (not paginated: bounded by the body or district)."""

    items: list[RelationPublic]


class ArchitectureAgreement(BaseModel):
    """A programme agreement in a district's institutional architecture."""

    id: uuid.UUID
    title: str
    kind: str
    signed_on: date
    valid_from: date
    valid_to: date | None
    organisation_ids: list[uuid.UUID]


class ArchitecturePublic(BaseModel):
    """A district's institutional design: its bodies, the relations between them and its agreements."""

    district_id: uuid.UUID
    on: date | None
    bodies: list[BodyPublic]
    relations: list[RelationPublic]
    agreements: list[ArchitectureAgreement]
