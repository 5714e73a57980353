"""Request and response bodies of the agenda of a workshop."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from services.workshops.sessions.schemas import PersonId
from shared.api.schemas import ApiModel, LongText, PatchModel, PublicModel, ShortText


class AgendaItemIn(ApiModel):
    """One agenda item; ``starts_at`` defaults to the end of the previous item (the workshop start for the first)."""

    starts_at: AwareDatetime | None = None
    duration_minutes: int = Field(ge=1, le=24 * 60)
    title: ShortText
    description: LongText = ""
    facilitator_id: PersonId | None = Field(
        default=None, description="Registry id of the responsible facilitator (one of the workshop's)."
    )


class AgendaUpdate(PatchModel):
    """The whole agenda, in order (replaces the current one)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "items": [
                        {"duration_minutes": 30, "title": "Welcome and marketplace", "description": ""},
                        {"duration_minutes": 90, "title": "Parallel sessions"},
                        {"duration_minutes": 30, "title": "Instant reports in plenary"},
                    ]
                }
            ]
        },
    )

    items: list[AgendaItemIn] = Field(max_length=100)


class AgendaItemPublic(PublicModel):
    """An agenda item as published."""

    id: uuid.UUID
    position: int
    starts_at: datetime
    ends_at: datetime
    duration_minutes: int
    title: str
    description: str
    facilitator_id: str | None


class AgendaPublic(BaseModel):
    """A workshop's agenda; ``version`` is the workshop's stream version (the ETag)."""

    workshop_id: uuid.UUID
    version: int
    items: list[AgendaItemPublic]
