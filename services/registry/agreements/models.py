"""Tables of programme agreements and the organisations that are party to them."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum

from sqlmodel import Field, SQLModel

from services.registry.common.models import SCHEMA, enum_column
from shared.db import UTCDateTime, utcnow


class AgreementKind(StrEnum):
    """The kind of document: an accordo di programma or a protocol of understanding."""

    ACCORDO_DI_PROGRAMMA = "accordo_di_programma"
    PROTOCOLLO_D_INTESA = "protocollo_d_intesa"


class Agreement(SQLModel, table=True):
    """A dated document between organisations of a district (e.g. the Accordo di Programma of the plan)."""

    __tablename__ = "agreements"
    __table_args__ = {"schema": SCHEMA}

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    district_id: uuid.UUID = Field(foreign_key="registry.districts.id", index=True)
    kind: AgreementKind = Field(sa_type=enum_column(AgreementKind, "agreement_kind"))
    title: str = Field(max_length=200)
    reference: str = Field(default="", max_length=200)
    signed_on: date
    valid_from: date
    valid_to: date | None = None
    version: int = Field(default=0)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class AgreementParty(SQLModel, table=True):
    """An organisation that signed an agreement."""

    __tablename__ = "agreement_parties"
    __table_args__ = {"schema": SCHEMA}

    agreement_id: uuid.UUID = Field(foreign_key="registry.agreements.id", primary_key=True)
    organisation_id: uuid.UUID = Field(foreign_key="registry.organisations.id", primary_key=True, index=True)
