"""Tables of sign-in identities and role grants (schema ``registry``: the identifiers are personal data)."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from shared.db import UTCDateTime, utcnow

SCHEMA = "registry"


class PersonIdentity(SQLModel, table=True):
    """An identifier a provider vouches for (a fiscal code, a subject, an email), linked to one person.

    ``namespace`` is ``fiscal_number`` for fiscal codes (national: SPID and CIE brokers name the same person)
    and ``<issuer>#<claim>`` otherwise; a value is linked to at most one person within its namespace.
    """

    __tablename__ = "person_identities"
    __table_args__ = (
        sa.UniqueConstraint("namespace", "value", name="uq_registry_person_identities_namespace_value"),
        {"schema": SCHEMA},
    )

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    person_id: uuid.UUID = Field(foreign_key="registry.people.id", index=True)
    namespace: str = Field(max_length=600)
    value: str = Field(max_length=320)
    issuer: str = Field(max_length=500)
    claim: str = Field(max_length=100)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class GrantRole(StrEnum):
    """Roles the registry grants to people (the governance bodies' roles come from memberships)."""

    DISTRICT_EDITOR = "district_editor"
    REGIONAL_ADMIN = "regional_admin"


class RoleGrant(SQLModel, table=True):
    """A role granted to a person (for one district, for district editors) until revoked."""

    __tablename__ = "role_grants"
    __table_args__ = {"schema": SCHEMA}

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    person_id: uuid.UUID = Field(foreign_key="registry.people.id", index=True)
    role: GrantRole = Field(
        sa_type=sa.Enum(
            GrantRole,
            name="grant_role",
            native_enum=False,
            length=40,
            values_callable=lambda e: [m.value for m in e],
        )
    )
    district_id: uuid.UUID | None = Field(default=None, foreign_key="registry.districts.id", index=True)
    granted_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    version: int = Field(default=0)
