"""Request and response bodies of follows, notifications and e-mail preferences (bounded, with examples)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from services.registry.notifications.models import EmailFrequency, EmailState, NotificationKind, TargetType
from shared.api.schemas import ApiModel, PatchModel, PublicModel

EXAMPLE_PROCESS = "6f1c7a52-3b7e-4d0e-9b1a-2f3c4d5e6f70"


class FollowCreate(ApiModel):
    """Follow a process or a proposal."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"target_type": "process", "target_id": EXAMPLE_PROCESS}]},
    )

    target_type: TargetType
    target_id: uuid.UUID


class FollowPublic(PublicModel):
    """A follow: the person, what they follow, and whether they chose it or follow as author."""

    id: uuid.UUID
    person_id: uuid.UUID
    target_type: TargetType
    target_id: uuid.UUID
    source: str = Field(description="`person` (chosen) or `author` (their own proposal).")
    created_at: datetime


class NotificationPublic(BaseModel):
    """One notification: what happened, a sentence in Italian, and whether it was read or e-mailed."""

    id: uuid.UUID
    kind: NotificationKind
    message: str = Field(examples=["L'Ufficio di Piano ha risposto alla proposta «Più panchine»: accolta."])
    process_id: uuid.UUID | None
    proposal_id: uuid.UUID | None
    phase_id: uuid.UUID | None
    data: dict[str, Any] = Field(description="Titles, answer state, priority id... of the event.")
    read: bool
    read_at: datetime | None
    email_state: EmailState
    created_at: datetime


class NotificationsMark(ApiModel):
    """Mark some notifications (or all of them) read or unread."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"notification_ids": ["0b0e5a8e-9d7c-4c4e-8f00-5a6b7c8d9e0f"], "read": True}]
        },
    )

    notification_ids: list[uuid.UUID] = Field(default_factory=list, max_length=500)
    all: bool = Field(default=False, description="Every notification of the person (ids are then ignored).")
    read: bool = True


class NotificationsMarked(BaseModel):
    """How many notifications changed."""

    changed: int = Field(examples=[1])


class NotificationSettingsPublic(BaseModel):
    """A person's e-mail choice and whether e-mail can reach them at all."""

    person_id: uuid.UUID
    email_frequency: EmailFrequency
    unsubscribed_at: datetime | None
    email_consent: bool = Field(description="An active consent for notification e-mail is on record.")
    email_on_file: bool = Field(description="The registry has an e-mail address for the person.")
    version: int


class NotificationSettingsUpdate(PatchModel):
    """Change how notifications are e-mailed: one by one, as a daily digest, or not at all."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"email_frequency": "daily"}]})

    email_frequency: EmailFrequency | None = None


class Unsubscribed(BaseModel):
    """The outcome of an unsubscribe link."""

    unsubscribed: bool = Field(examples=[True])
    email_frequency: EmailFrequency
