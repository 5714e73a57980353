"""Request and response bodies of workshop minutes."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from services.workshops.sessions.schemas import ListText, PersonId
from shared.api.schemas import ApiModel, LongText


class FollowUp(ApiModel):
    """Something to do after the workshop."""

    text: ListText
    responsible_id: PersonId | None = None
    due_on: date | None = None


class MinutesIn(ApiModel):
    """The minutes / closing report; counts left out are computed (attendance, session records)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "text": "Five topics discussed, two proposals to the Ufficio di Piano.",
                    "attendees_count": 34,
                    "decisions": ["bring the 'shared map' proposal to the steering group"],
                    "follow_ups": [
                        {"text": "send the instant reports to all participants", "due_on": "2026-12-15"}
                    ],
                }
            ]
        },
    )

    text: LongText = Field(min_length=1)
    attendees_count: int | None = Field(default=None, ge=0, le=100_000)
    contributions_count: int | None = Field(default=None, ge=0, le=100_000)
    decisions: list[ListText] = Field(default_factory=list, max_length=100)
    follow_ups: list[FollowUp] = Field(default_factory=list, max_length=100)


class MinutesPublic(BaseModel):
    """The minutes of a workshop, with links to the outcomes it produced."""

    workshop_id: uuid.UUID
    text: str
    attendees_count: int | None
    attendees_count_source: str | None = Field(
        description="`attendance` (recorded attendance), `minutes` (as reported) or null."
    )
    contributions_count: int
    contributions_count_source: str = Field(description="`minutes` (as reported) or `computed`.")
    decisions: list[str]
    follow_ups: list[dict[str, Any]]
    recorded_at: datetime
    updated_at: datetime
    links: dict[str, str] = Field(description="Where to find what the workshop produced.")
