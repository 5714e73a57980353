"""Tables of people (the only home of personal data), their districts, affiliations and consents."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from sqlmodel import Field, SQLModel

from services.registry.common.models import SCHEMA, enum_column
from shared.db import UTCDateTime, utcnow


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
    actor_category: ActorCategory = Field(sa_type=enum_column(ActorCategory, "actor_category"))
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
