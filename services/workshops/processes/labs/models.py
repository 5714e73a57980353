"""Tables of regional labs: meetings and working groups of an edition, their participants and members."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from shared.db import JSONType, UTCDateTime, utcnow

SCHEMA = "workshops"


class LabRecipient(StrEnum):
    """The category a person takes part in a regional lab as (the lab's recipients, by role)."""

    DISTRICT_DIRECTOR = "district_director"
    UFFICIO_DI_PIANO_HEAD = "ufficio_di_piano_head"
    CTSS_OFFICE = "ctss_office"
    TUTOR = "tutor"
    FACILITATOR = "facilitator"
    REGIONAL_OFFICER = "regional_officer"
    OTHER = "other"


def _recipient_column() -> sa.Enum:
    return sa.Enum(
        LabRecipient,
        name="lab_recipient",
        native_enum=False,
        length=40,
        values_callable=lambda e: [m.value for m in e],
    )


class LabMeeting(SQLModel, table=True):
    """A meeting of an edition's regional lab: date, place, topic, and the working groups that met."""

    __tablename__ = "lab_meetings"
    __table_args__ = {"schema": SCHEMA}

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    edition_id: uuid.UUID = Field(foreign_key="workshops.editions.id", index=True)
    held_on: date
    place: str = Field(default="", max_length=200)
    topic: str = Field(max_length=200)
    lab_group_ids: list[Any] = Field(default_factory=list, sa_type=JSONType)
    version: int = Field(default=0)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class LabMeetingParticipant(SQLModel, table=True):
    """A registry person who took part in a meeting, as a recipient category."""

    __tablename__ = "lab_meeting_participants"
    __table_args__ = {"schema": SCHEMA}

    lab_meeting_id: uuid.UUID = Field(foreign_key="workshops.lab_meetings.id", primary_key=True)
    person_id: uuid.UUID = Field(primary_key=True)
    recipient: LabRecipient = Field(sa_type=_recipient_column())


class LabGroup(SQLModel, table=True):
    """A working group of an edition's regional lab."""

    __tablename__ = "lab_groups"
    __table_args__ = {"schema": SCHEMA}

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    edition_id: uuid.UUID = Field(foreign_key="workshops.editions.id", index=True)
    name: str = Field(max_length=200)
    topic: str = Field(default="", max_length=200)
    version: int = Field(default=0)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class LabGroupMember(SQLModel, table=True):
    """A registry person in a working group, as a recipient category."""

    __tablename__ = "lab_group_members"
    __table_args__ = {"schema": SCHEMA}

    lab_group_id: uuid.UUID = Field(foreign_key="workshops.lab_groups.id", primary_key=True)
    person_id: uuid.UUID = Field(primary_key=True)
    recipient: LabRecipient = Field(sa_type=_recipient_column())
