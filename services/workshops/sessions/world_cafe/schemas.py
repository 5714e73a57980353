"""Request and response bodies of World Café (tables, rounds, notes, harvest)."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import ConfigDict, Field

from services.workshops.sessions.schemas import (
    EXAMPLE_PERSON,
    EXAMPLE_TOPIC,
    EXAMPLE_WORKSHOP,
    ListText,
    PersonId,
    ThemeText,
)
from shared.api.schemas import ApiModel, LongText, PublicModel, ShortText


class CafeTableCreate(ApiModel):
    """A World Café table and its host."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"name": "Table 1", "host_id": EXAMPLE_PERSON, "theme": "Frailty"}]},
    )

    name: ShortText
    host_id: PersonId | None = None
    theme: ThemeText = ""


class CafeTablePublic(PublicModel):
    """A World Café table."""

    id: uuid.UUID
    workshop_id: uuid.UUID
    name: str
    host_id: str | None
    theme: str
    created_at: datetime


class CafeRoundCreate(ApiModel):
    """A round: its question and duration (``number`` defaults to the next one)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"question": "What makes a neighbourhood caring?", "duration_minutes": 25}]
        },
    )

    number: int | None = Field(default=None, ge=1, le=100)
    question: ListText
    duration_minutes: int = Field(ge=1, le=240)


class CafeRoundPublic(PublicModel):
    """A World Café round."""

    id: uuid.UUID
    workshop_id: uuid.UUID
    number: int
    question: str
    duration_minutes: int
    created_at: datetime


class CafeNoteCreate(ApiModel):
    """What one table produced in one round."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "table_id": EXAMPLE_TOPIC,
                    "round_id": EXAMPLE_WORKSHOP,
                    "text": "Neighbours know first; services know last.",
                    "key_ideas": ["neighbourhood sentinels"],
                }
            ]
        },
    )

    table_id: uuid.UUID
    round_id: uuid.UUID
    text: LongText = Field(min_length=1)
    key_ideas: list[ListText] = Field(default_factory=list, max_length=50)


class CafeNotePublic(PublicModel):
    """A table's notes for a round."""

    id: uuid.UUID
    workshop_id: uuid.UUID
    table_id: uuid.UUID
    round_id: uuid.UUID
    text: str
    key_ideas: list[str]
    created_at: datetime


class CafeHarvestIn(ApiModel):
    """The final plenary harvest."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "text": "Three threads ran through every table.",
                    "key_ideas": ["neighbourhood sentinels", "shared map"],
                    "themes": ["reti vive"],
                }
            ]
        },
    )

    text: LongText = Field(min_length=1)
    key_ideas: list[ListText] = Field(default_factory=list, max_length=100)
    themes: list[ShortText] = Field(default_factory=list, max_length=20)


class CafeHarvestPublic(PublicModel):
    """The recorded plenary harvest."""

    workshop_id: uuid.UUID
    text: str
    key_ideas: list[str]
    themes: list[str]
    recorded_at: datetime
