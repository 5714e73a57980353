"""Bodies shared by the outcomes topics: origins, attachments, localised text, brief references."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, Field

from shared.api.schemas import ApiModel, ShortText, Url

EXAMPLE_PROCESS = "5b1c3f0e-8d2a-4c6e-9f1a-2b3c4d5e6f70"
EXAMPLE_WORKSHOP = "6c2d4a1f-9e3b-4d7f-8a2b-3c4d5e6f7081"
EXAMPLE_DISTRICT = "7d3e5b2a-0f4c-4e8a-9b3c-4d5e6f708192"
EXAMPLE_PERSON = "8e4f6c3b-1a5d-4f9b-8c4d-5e6f708192a3"
EXAMPLE_ORG = "9f507d4c-2b6e-4a0c-9d5e-6f708192a3b4"

MediumText = Annotated[str, Field(max_length=5000)]


class OriginKind(StrEnum):
    """Kinds of "origin session" inside a workshop (resolved by the sessions domain)."""

    WORKSHOP = "workshop"
    OST_TOPIC = "ost_topic"
    CAFE_TABLE = "cafe_table"
    CAFE_ROUND = "cafe_round"


class OriginIn(ApiModel):
    """The session of a workshop an invention or priority was born in."""

    kind: OriginKind
    id: uuid.UUID


class Attachment(ApiModel):
    """A link to a document, photo or video about an invention."""

    title: ShortText
    url: Url


class LocalisedText(ApiModel):
    """A label in Italian (the working language) and English."""

    it: ShortText
    en: ShortText


class OriginOut(BaseModel):
    """An origin session as shown in responses."""

    kind: str
    id: str


class ProcessRef(BaseModel):
    """A process, briefly."""

    id: uuid.UUID
    title: str
    district_id: uuid.UUID
    edition_id: uuid.UUID | None


class WorkshopRef(BaseModel):
    """A workshop, briefly."""

    id: uuid.UUID
    title: str
    method: str
    starts_at: datetime


class SessionRef(BaseModel):
    """The session inside a workshop (an OST topic, a café table or round, or the whole workshop)."""

    kind: str
    id: str
    title: str | None


class OriginDetail(BaseModel):
    """Where something was born: the process, the workshop and the session inside it."""

    process: ProcessRef | None
    workshop: WorkshopRef | None
    session: SessionRef | None
