"""Tables of facilitator and tutor profiles, the districts they serve and their training."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from services.registry.common.models import SCHEMA, enum_column
from shared.db import JSONType, UTCDateTime, utcnow


class FacilitatorKind(StrEnum):
    """Facilitators run workshops; tutors accompany whole processes."""

    FACILITATOR = "facilitator"
    TUTOR = "tutor"


class FacilitatorProfile(SQLModel, table=True):
    """A person working as facilitator or tutor, with availability; events go on the person's stream."""

    __tablename__ = "facilitator_profiles"
    __table_args__ = {"schema": SCHEMA}

    person_id: uuid.UUID = Field(foreign_key="registry.people.id", primary_key=True)
    kind: FacilitatorKind = Field(sa_type=enum_column(FacilitatorKind, "facilitator_kind"))
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
