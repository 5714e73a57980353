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
    # The rest of a district's institutional design (Reggio Emilia: Comitato di distretto -> Ufficio di Piano
    # -> Tavoli Tematici / GRI; the CTSS approves the policy act that frames the plans).
    THEMATIC_TABLE = "thematic_table"
    PROJECT_TABLE = "project_table"
    GRI = "gri"
    CTSS = "ctss"


# One of each per district; the other kinds are told apart by their name (or their process).
SINGLE_PER_DISTRICT = frozenset({BodyKind.UFFICIO_DI_PIANO, BodyKind.COMITATO_DI_DISTRETTO, BodyKind.CTSS})
STEERING_GROUPS = frozenset({BodyKind.STEERING_GROUP_CORE, BodyKind.STEERING_GROUP_EXTENDED})


class RelationKind(StrEnum):
    """How one body acts on another: the arrows of a district's institutional design."""

    PROPOSES_TO = "proposes_to"
    VALIDATES = "validates"
    CONVENES = "convenes"
    REPORTS_TO = "reports_to"
    SUPPORTS = "supports"


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


class BodyRelation(SQLModel, table=True):
    """``from_body`` acts on ``to_body`` (proposes to, validates...) from ``valid_from`` to ``valid_to``."""

    __tablename__ = "body_relations"
    __table_args__ = {"schema": SCHEMA}

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    district_id: uuid.UUID = Field(foreign_key="registry.districts.id", index=True)
    from_body_id: uuid.UUID = Field(foreign_key="registry.governance_bodies.id", index=True)
    to_body_id: uuid.UUID = Field(foreign_key="registry.governance_bodies.id", index=True)
    kind: RelationKind = Field(sa_type=enum_column(RelationKind, "relation_kind"))
    note: str = Field(default="", max_length=200)
    valid_from: date
    valid_to: date | None = None
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
