"""Tables of governance bodies and the memberships of people in them."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum

from sqlmodel import Field, SQLModel

from services.registry.common.models import SCHEMA, enum_column
from shared.db import UTCDateTime, utcnow


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


class GovernanceBody(SQLModel, table=True):
    """Ufficio di Piano, Comitato di Distretto or a steering group (core/extended) of one process."""

    __tablename__ = "governance_bodies"
    __table_args__ = {"schema": SCHEMA}

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    district_id: uuid.UUID = Field(foreign_key="registry.districts.id", index=True)
    kind: BodyKind = Field(sa_type=enum_column(BodyKind, "body_kind"))
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
    role: MembershipRole = Field(sa_type=enum_column(MembershipRole, "membership_role"))
    valid_from: date
    valid_to: date | None = None
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
