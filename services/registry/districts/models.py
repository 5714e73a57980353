"""Tables of districts: the district, its population by year and its municipalities."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from services.registry.common.models import SCHEMA, enum_column
from shared.db import JSONType, UTCDateTime, utcnow


class MunicipalityKind(StrEnum):
    """A municipality (comune) or a union of municipalities (unione di comuni)."""

    MUNICIPALITY = "municipality"
    UNION = "union"


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
    kind: MunicipalityKind = Field(sa_type=enum_column(MunicipalityKind, "municipality_kind"))
    istat_code: str | None = Field(default=None, max_length=16)
    valid_from: date | None = None
    valid_to: date | None = None
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
