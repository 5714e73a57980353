"""Tables of the registry: districts, organisations, people, governance bodies, facilitators."""

from __future__ import annotations

import unicodedata
import uuid
from datetime import date, datetime
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from shared.db import JSONType, UTCDateTime, utcnow

SCHEMA = "registry"


def normalise_search(*parts: str | None) -> str:
    """Lowercase, unaccented text used for accent-insensitive search ("Forlì" -> "forli")."""
    text = " ".join(p for p in parts if p)
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(stripped.casefold().split())[:1000]


class MunicipalityKind(StrEnum):
    """A municipality (comune) or a union of municipalities (unione di comuni)."""

    MUNICIPALITY = "municipality"
    UNION = "union"


class OrganisationKind(StrEnum):
    """What kind of body an organisation is."""

    MUNICIPALITY = "municipality"
    UNION = "union"
    AUSL = "ausl"
    HOSPITAL_COMPANY = "hospital_company"
    ASP = "asp"
    THIRD_SECTOR_ASSOCIATION = "third_sector_association"
    SOCIAL_COOPERATIVE = "social_cooperative"
    SCHOOL = "school"
    BUSINESS = "business"
    OTHER = "other"


class ActorCategory(StrEnum):
    """The category a person takes part as."""

    ADMINISTRATOR = "administrator"
    PLANNING_OFFICE_STAFF = "planning_office_staff"
    HEALTH_STAFF = "health_staff"
    SOCIAL_WORKER = "social_worker"
    EDUCATOR = "educator"
    THIRD_SECTOR = "third_sector"
    BUSINESS = "business"
    CITIZEN = "citizen"


class BodyKind(StrEnum):
    """Governance bodies of a district; steering groups belong to one process."""

    UFFICIO_DI_PIANO = "ufficio_di_piano"
    COMITATO_DI_DISTRETTO = "comitato_di_distretto"
    STEERING_GROUP_CORE = "steering_group_core"
    STEERING_GROUP_EXTENDED = "steering_group_extended"


class MembershipRole(StrEnum):
    """The role a person holds in a body."""

    MEMBER = "member"
    CHAIR = "chair"
    DELEGATE = "delegate"
    STAFF = "staff"
    COORDINATOR = "coordinator"
    DIRECTOR = "director"


class FacilitatorKind(StrEnum):
    """Facilitators run workshops; tutors accompany whole processes."""

    FACILITATOR = "facilitator"
    TUTOR = "tutor"


def _enum(enum: type[StrEnum], name: str) -> sa.Enum:
    # Stored as plain strings (no native PG enum) so adding a value needs no type migration.
    return sa.Enum(
        enum, name=name, native_enum=False, length=40, values_callable=lambda e: [m.value for m in e]
    )


class District(SQLModel, table=True):
    """A social-and-health district (distretto) with its boundary and validity period."""

    __tablename__ = "districts"
    __table_args__ = {"schema": SCHEMA}

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    name: str = Field(max_length=200)
    search_name: str = Field(default="", max_length=1000, index=True)
    # Blank where the region's table does not show the code: never invented.
    regional_code: str | None = Field(default=None, max_length=16)
    province: str | None = Field(default=None, max_length=8)
    health_authority: str | None = Field(default=None, max_length=200)
    boundary: dict[str, Any] | None = Field(default=None, sa_type=JSONType)
    valid_from: date | None = None
    valid_to: date | None = None
    version: int = Field(default=0)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class DistrictPopulation(SQLModel, table=True):
    """Resident population of a district in one year."""

    __tablename__ = "district_populations"
    __table_args__ = (
        sa.UniqueConstraint("district_id", "year", name="uq_registry_district_populations_year"),
        {"schema": SCHEMA},
    )

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    district_id: uuid.UUID = Field(foreign_key="registry.districts.id", index=True)
    year: int
    population: int


class DistrictMunicipality(SQLModel, table=True):
    """A municipality or union of municipalities belonging to a district."""

    __tablename__ = "district_municipalities"
    __table_args__ = {"schema": SCHEMA}

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    district_id: uuid.UUID = Field(foreign_key="registry.districts.id", index=True)
    name: str = Field(max_length=200)
    kind: MunicipalityKind = Field(sa_type=_enum(MunicipalityKind, "municipality_kind"))
    istat_code: str | None = Field(default=None, max_length=16)
    valid_from: date | None = None
    valid_to: date | None = None
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Organisation(SQLModel, table=True):
    """A municipality, AUSL, ASP, association, cooperative, school, business... serving some districts."""

    __tablename__ = "organisations"
    __table_args__ = {"schema": SCHEMA}

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    name: str = Field(max_length=200)
    search_name: str = Field(default="", max_length=1000, index=True)
    kind: OrganisationKind = Field(sa_type=_enum(OrganisationKind, "organisation_kind"))
    # Institutional contacts (switchboard, office mailbox, website); never events.
    contacts: list[dict[str, Any]] = Field(default_factory=list, sa_type=JSONType)
    version: int = Field(default=0)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class OrganisationDistrict(SQLModel, table=True):
    """A district an organisation serves."""

    __tablename__ = "organisation_districts"
    __table_args__ = {"schema": SCHEMA}

    organisation_id: uuid.UUID = Field(foreign_key="registry.organisations.id", primary_key=True)
    district_id: uuid.UUID = Field(foreign_key="registry.districts.id", primary_key=True, index=True)


class Person(SQLModel, table=True):
    """A person; the only place where names and contacts are kept. Erasure leaves a placeholder."""

    __tablename__ = "people"
    __table_args__ = {"schema": SCHEMA}

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    given_name: str | None = Field(default=None, max_length=200)
    family_name: str | None = Field(default=None, max_length=200)
    email: str | None = Field(default=None, max_length=254)
    phone: str | None = Field(default=None, max_length=40)
    search_name: str = Field(default="", max_length=1000, index=True)
    actor_category: ActorCategory = Field(sa_type=_enum(ActorCategory, "actor_category"))
    erased: bool = Field(default=False)
    erased_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    version: int = Field(default=0)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class PersonDistrict(SQLModel, table=True):
    """A district a person is active in."""

    __tablename__ = "person_districts"
    __table_args__ = {"schema": SCHEMA}

    person_id: uuid.UUID = Field(foreign_key="registry.people.id", primary_key=True)
    district_id: uuid.UUID = Field(foreign_key="registry.districts.id", primary_key=True, index=True)


class PersonAffiliation(SQLModel, table=True):
    """An organisation a person belongs to or works for."""

    __tablename__ = "person_affiliations"
    __table_args__ = {"schema": SCHEMA}

    person_id: uuid.UUID = Field(foreign_key="registry.people.id", primary_key=True)
    organisation_id: uuid.UUID = Field(foreign_key="registry.organisations.id", primary_key=True, index=True)


class ConsentRecord(SQLModel, table=True):
    """Consent a person gave for one purpose, and when it was withdrawn."""

    __tablename__ = "consent_records"
    __table_args__ = {"schema": SCHEMA}

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    person_id: uuid.UUID = Field(foreign_key="registry.people.id", index=True)
    purpose: str = Field(max_length=64)
    given_at: datetime = Field(sa_type=UTCDateTime)
    withdrawn_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class GovernanceBody(SQLModel, table=True):
    """Ufficio di Piano, Comitato di Distretto or a steering group (core/extended) of one process."""

    __tablename__ = "governance_bodies"
    __table_args__ = {"schema": SCHEMA}

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    district_id: uuid.UUID = Field(foreign_key="registry.districts.id", index=True)
    kind: BodyKind = Field(sa_type=_enum(BodyKind, "body_kind"))
    name: str = Field(default="", max_length=200)
    process_id: uuid.UUID | None = Field(default=None, index=True)
    version: int = Field(default=0)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class BodyMembership(SQLModel, table=True):
    """A person's role in a body from ``valid_from`` to ``valid_to`` (inclusive; open when null)."""

    __tablename__ = "body_memberships"
    __table_args__ = {"schema": SCHEMA}

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    body_id: uuid.UUID = Field(foreign_key="registry.governance_bodies.id", index=True)
    person_id: uuid.UUID = Field(foreign_key="registry.people.id", index=True)
    role: MembershipRole = Field(sa_type=_enum(MembershipRole, "membership_role"))
    valid_from: date
    valid_to: date | None = None
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class FacilitatorProfile(SQLModel, table=True):
    """A person working as facilitator or tutor, with availability; events go on the person's stream."""

    __tablename__ = "facilitator_profiles"
    __table_args__ = {"schema": SCHEMA}

    person_id: uuid.UUID = Field(foreign_key="registry.people.id", primary_key=True)
    kind: FacilitatorKind = Field(sa_type=_enum(FacilitatorKind, "facilitator_kind"))
    availability_notes: str = Field(default="", sa_type=sa.Text)
    # [{"weekday": 1-7 | null, "starts_on": date | null, "ends_on": date | null, "note": str}]
    availability: list[dict[str, Any]] = Field(default_factory=list, sa_type=JSONType)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class FacilitatorDistrict(SQLModel, table=True):
    """A district a facilitator or tutor serves."""

    __tablename__ = "facilitator_districts"
    __table_args__ = {"schema": SCHEMA}

    person_id: uuid.UUID = Field(foreign_key="registry.facilitator_profiles.person_id", primary_key=True)
    district_id: uuid.UUID = Field(foreign_key="registry.districts.id", primary_key=True, index=True)


class TrainingRecord(SQLModel, table=True):
    """A course a facilitator or tutor completed."""

    __tablename__ = "training_records"
    __table_args__ = {"schema": SCHEMA}

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    person_id: uuid.UUID = Field(foreign_key="registry.facilitator_profiles.person_id", index=True)
    course: str = Field(max_length=200)
    search_course: str = Field(default="", max_length=1000, index=True)
    year: int
    hours: int
    provider: str = Field(default="", max_length=200)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
