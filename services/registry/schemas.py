"""Request and response bodies of the registry API (bounded, with examples)."""

from __future__ import annotations

import math
import uuid
from datetime import date, datetime
from typing import Annotated, Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from services.registry.models import (
    ActorCategory,
    BodyKind,
    FacilitatorKind,
    MembershipRole,
    MunicipalityKind,
    OrganisationKind,
)
from shared.api.schemas import (
    ApiModel,
    Code,
    Email,
    LongText,
    OptionalText,
    PatchModel,
    Phone,
    PublicModel,
    ShortText,
    Url,
    bounded_list,
)

EXAMPLE_DISTRICT = "3f2b1c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d"
EXAMPLE_ORGANISATION = "8a1b2c3d-4e5f-4a6b-9c7d-1e2f3a4b5c6d"
EXAMPLE_PERSON = "5c6d7e8f-9a0b-4c1d-8e2f-3a4b5c6d7e8f"
EXAMPLE_PROCESS = "9d8c7b6a-5f4e-4d3c-8b2a-1f0e9d8c7b6a"

Year = Annotated[int, Field(ge=1900, le=2200)]
Population = Annotated[int, Field(ge=0, le=100_000_000)]
MAX_POSITIONS = 200_000


def _check_positions(node: Any, depth: int, counter: list[int]) -> None:
    """Walk GeoJSON coordinates: ``depth`` levels of arrays down to [lon, lat] positions."""
    if not isinstance(node, list):
        raise ValueError("coordinates must be nested arrays")
    if depth == 0:
        if len(node) not in (2, 3) or not all(
            isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v) for v in node
        ):
            raise ValueError("a position is [longitude, latitude]")
        if not (-180 <= node[0] <= 180 and -90 <= node[1] <= 90):
            raise ValueError("positions are WGS84 longitude/latitude (RFC 7946)")
        counter[0] += 1
        if counter[0] > MAX_POSITIONS:
            raise ValueError(f"at most {MAX_POSITIONS} positions")
        return
    if depth == 1 and len(node) < 4:
        raise ValueError("a linear ring has at least 4 positions")
    for child in node:
        _check_positions(child, depth - 1, counter)


class Geometry(BaseModel):
    """A GeoJSON Polygon or MultiPolygon in WGS84 longitude/latitude."""

    model_config = ConfigDict(extra="forbid")

    type: Literal["Polygon", "MultiPolygon"]
    coordinates: list[Any] = Field(max_length=10_000)

    @model_validator(mode="after")
    def _valid_coordinates(self) -> Geometry:
        _check_positions(self.coordinates, 2 if self.type == "Polygon" else 3, [0])
        return self


def _check_period(valid_from: date | None, valid_to: date | None, field: str = "valid_to") -> None:
    if valid_from and valid_to and valid_to < valid_from:
        raise ValueError(f"{field} must not be before valid_from")


# ---------------------------------------------------------------- districts


class PopulationEntry(ApiModel):
    """Resident population in one year."""

    year: Year
    population: Population


class DistrictCreate(ApiModel):
    """A new district."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "name": "Forlì",
                    "regional_code": "038",
                    "province": "FC",
                    "health_authority": "AUSL della Romagna",
                    "valid_from": "2014-01-01",
                    "valid_to": None,
                    "population": [{"year": 2016, "population": 187641}],
                    "boundary": {
                        "type": "Polygon",
                        "coordinates": [[[12.0, 44.2], [12.1, 44.2], [12.1, 44.3], [12.0, 44.2]]],
                    },
                }
            ]
        },
    )

    name: ShortText
    regional_code: Code | None = Field(default=None, description="The region's code; leave blank if unknown.")
    province: Annotated[str, Field(min_length=2, max_length=8, pattern=r"^[A-Z]{2,8}$")] | None = None
    health_authority: ShortText | None = None
    valid_from: date | None = None
    valid_to: date | None = None
    population: list[PopulationEntry] = bounded_list(200)
    boundary: Geometry | None = None

    @model_validator(mode="after")
    def _period(self) -> DistrictCreate:
        _check_period(self.valid_from, self.valid_to)
        years = [p.year for p in self.population]
        if len(years) != len(set(years)):
            raise ValueError("population years must be unique")
        return self


class DistrictUpdate(PatchModel):
    """Changes to a district's attributes (population and boundary have their own routes)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"health_authority": "AUSL della Romagna", "valid_to": "2018-12-31"}]
        },
    )
    nullable_fields: ClassVar[frozenset[str]] = frozenset(
        {"regional_code", "province", "health_authority", "valid_from", "valid_to"}
    )

    name: ShortText | None = None
    regional_code: Code | None = None
    province: Annotated[str, Field(min_length=2, max_length=8, pattern=r"^[A-Z]{2,8}$")] | None = None
    health_authority: ShortText | None = None
    valid_from: date | None = None
    valid_to: date | None = None


class PopulationSet(ApiModel):
    """The population of a district in one year."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"year": 2016, "population": 187641}]}
    )

    year: Year
    population: Population


class BoundarySet(ApiModel):
    """A district's boundary."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "boundary": {
                        "type": "Polygon",
                        "coordinates": [[[12.0, 44.2], [12.1, 44.2], [12.1, 44.3], [12.0, 44.2]]],
                    }
                }
            ]
        },
    )

    boundary: Geometry


class MunicipalityCreate(ApiModel):
    """A municipality or union of municipalities of the district."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "name": "Unione dei Comuni della Bassa Romagna",
                    "kind": "union",
                    "istat_code": None,
                    "valid_from": "2008-01-01",
                    "valid_to": None,
                }
            ]
        },
    )

    name: ShortText
    kind: MunicipalityKind
    istat_code: Code | None = None
    valid_from: date | None = None
    valid_to: date | None = None

    @model_validator(mode="after")
    def _period(self) -> MunicipalityCreate:
        _check_period(self.valid_from, self.valid_to)
        return self


class MunicipalityPublic(PublicModel):
    """A municipality or union of a district."""

    id: uuid.UUID
    district_id: uuid.UUID
    name: str
    kind: MunicipalityKind
    istat_code: str | None
    valid_from: date | None
    valid_to: date | None


class DistrictPublic(PublicModel):
    """A district."""

    id: uuid.UUID
    name: str
    regional_code: str | None
    province: str | None
    health_authority: str | None
    valid_from: date | None
    valid_to: date | None
    version: int
    population: list[PopulationEntry] = Field(default_factory=list)
    municipalities: list[MunicipalityPublic] = Field(default_factory=list)
    has_boundary: bool = False
    boundary: dict[str, Any] | None = Field(
        default=None, description="GeoJSON geometry (only on GET /districts/{id})."
    )


# ---------------------------------------------------------------- organisations


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


# ---------------------------------------------------------------- people


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
    """A person; names, contacts and consents are null for callers who may not see personal data."""

    id: uuid.UUID
    actor_category: ActorCategory
    erased: bool
    district_ids: list[uuid.UUID]
    organisation_ids: list[uuid.UUID]
    given_name: str | None = None
    family_name: str | None = None
    email: str | None = None
    phone: str | None = None
    consents: list[ConsentPublic] | None = None
    version: int
    created_at: datetime


# ---------------------------------------------------------------- governance bodies


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
        steering = self.kind in (BodyKind.STEERING_GROUP_CORE, BodyKind.STEERING_GROUP_EXTENDED)
        if self.process_id is not None and not steering:
            raise ValueError("only steering groups belong to a process")
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
        _check_period(self.valid_from, self.valid_to)
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


# ---------------------------------------------------------------- facilitators


class AvailabilityWindow(ApiModel):
    """When a facilitator is available: a weekday and/or a date range."""

    weekday: Annotated[int, Field(ge=1, le=7, description="ISO weekday, 1 = Monday")] | None = None
    starts_on: date | None = None
    ends_on: date | None = None
    note: OptionalText = ""

    @model_validator(mode="after")
    def _period(self) -> AvailabilityWindow:
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            raise ValueError("ends_on must not be before starts_on")
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
    """A facilitator or tutor; availability notes only for callers who see personal data."""

    person_id: uuid.UUID
    kind: FacilitatorKind
    district_ids: list[uuid.UUID]
    availability_notes: str | None = None
    availability: list[dict[str, Any]] | None = None
    trainings: list[TrainingPublic]
    version: int


# ---------------------------------------------------------------- overview


class BodySummary(BaseModel):
    """A body in the district overview."""

    id: uuid.UUID
    kind: BodyKind
    name: str
    process_id: uuid.UUID | None
    current_members: int


class OrganisationSummary(BaseModel):
    """An organisation in the district overview."""

    id: uuid.UUID
    name: str
    kind: OrganisationKind


class DistrictActors(BaseModel):
    """Who acts in a district: organisations, people by category, governance bodies, facilitators."""

    district_id: uuid.UUID
    organisations: list[OrganisationSummary]
    organisations_by_kind: dict[str, int]
    people_by_category: dict[str, int]
    bodies: list[BodySummary]
    facilitators: int
