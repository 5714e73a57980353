"""Request and response bodies of regional labs (bounded, with examples)."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from pydantic import ConfigDict, Field

from services.workshops.processes.labs.models import LabRecipient
from shared.api.schemas import ApiDate, ApiModel, OptionalText, PublicModel, ShortText

EXAMPLE_PERSON = "2c3d4e5f-6a7b-4c8d-9e0f-1a2b3c4d5e6f"
EXAMPLE_GROUP = "3d4e5f6a-7b8c-4d9e-8f0a-2b3c4d5e6f7a"
_PEOPLE = [{"person_id": EXAMPLE_PERSON, "recipient": "district_director"}]


class LabPerson(ApiModel):
    """A registry person and the recipient category they take part as."""

    model_config = ConfigDict(extra="forbid")

    person_id: uuid.UUID
    recipient: LabRecipient


LabPeople = list[LabPerson]


class LabMeetingCreate(ApiModel):
    """A meeting of the edition's regional lab, the working groups that met and who took part."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "held_on": "2013-10-15",
                    "place": "Bologna, viale Aldo Moro 30",
                    "topic": "Lo studio dei casi locali",
                    "lab_group_ids": [EXAMPLE_GROUP],
                    "participants": _PEOPLE,
                }
            ]
        },
    )

    held_on: ApiDate
    place: OptionalText = ""
    topic: ShortText
    lab_group_ids: list[uuid.UUID] = Field(default_factory=list, max_length=20)
    participants: LabPeople = Field(default_factory=list, max_length=500)


class LabParticipantsSet(ApiModel):
    """Who took part (replaces the list)."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"participants": _PEOPLE}]})

    participants: LabPeople = Field(max_length=500)


class LabGroupCreate(ApiModel):
    """A working group of the edition's regional lab, with its members."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"name": "Gruppo di lavoro 1", "topic": "Soggetti e metodi", "members": _PEOPLE}]
        },
    )

    name: ShortText
    topic: OptionalText = ""
    members: LabPeople = Field(default_factory=list, max_length=500)


class LabMembersSet(ApiModel):
    """The members of a working group (replaces the list)."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"members": _PEOPLE}]})

    members: LabPeople = Field(max_length=500)


class RecipientCount(PublicModel):
    """How many took part as one recipient category."""

    recipient: LabRecipient
    people: int


class LabMeetingPublic(PublicModel):
    """A meeting with its working groups and counts of participants by recipient category."""

    id: uuid.UUID
    edition_id: uuid.UUID
    held_on: date
    place: str
    topic: str
    lab_group_ids: list[uuid.UUID]
    participants: int
    recipients: list[RecipientCount]
    version: int
    created_at: datetime


class LabGroupPublic(PublicModel):
    """A working group with counts of members by recipient category."""

    id: uuid.UUID
    edition_id: uuid.UUID
    name: str
    topic: str
    members: int
    recipients: list[RecipientCount]
    version: int
    created_at: datetime


class LabPersonPublic(PublicModel):
    """A participant or member (the person is read in the registry)."""

    person_id: uuid.UUID
    recipient: LabRecipient


class LabPeoplePublic(PublicModel):
    """Who took part in a meeting, or the members of a group (regional administrators only)."""

    id: uuid.UUID
    people: list[LabPersonPublic]
    version: int
