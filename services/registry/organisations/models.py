"""Tables of organisations and the districts they serve."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlmodel import Field, SQLModel

from services.registry.common.models import SCHEMA, enum_column
from shared.db import JSONType, UTCDateTime, utcnow


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


class Organisation(SQLModel, table=True):
    """A municipality, AUSL, ASP, association, cooperative, school, business... serving some districts."""

    __tablename__ = "organisations"
    __table_args__ = {"schema": SCHEMA}

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    name: str = Field(max_length=200)
    search_name: str = Field(default="", max_length=1000, index=True)
    kind: OrganisationKind = Field(sa_type=enum_column(OrganisationKind, "organisation_kind"))
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
