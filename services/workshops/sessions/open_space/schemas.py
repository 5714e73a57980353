"""Request and response bodies of Open Space Technology (topics, law of two feet, reports)."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, model_validator

from services.workshops.sessions.schemas import EXAMPLE_PERSON, ListText, PersonId, SlotLabel
from shared.api.schemas import ApiModel, Code, LongText, PublicModel, ShortText
from shared.errors import FieldRule


class OstTopicCreate(ApiModel):
    """A topic proposed at the marketplace: a slot (label and/or start and end) and a space."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "title": "Loneliness of the elderly in small villages",
                    "description": "Who notices, who acts?",
                    "convener_id": EXAMPLE_PERSON,
                    "slot_label": "morning-1",
                    "space": "Room A",
                }
            ]
        },
    )

    title: ShortText
    description: LongText = ""
    convener_id: PersonId | None = Field(
        default=None, description="Registry person id of the convener; omit for an anonymous convener."
    )
    slot_label: SlotLabel | None = None
    slot_starts_at: AwareDatetime | None = None
    slot_ends_at: AwareDatetime | None = None
    space: ShortText

    @model_validator(mode="after")
    def _slot_given(self) -> OstTopicCreate:
        if (self.slot_starts_at is None) != (self.slot_ends_at is None):
            raise FieldRule("slot_ends_at", "slot_starts_at and slot_ends_at go together")
        if self.slot_starts_at and self.slot_ends_at and self.slot_ends_at <= self.slot_starts_at:
            raise FieldRule("slot_ends_at", "slot_ends_at must be after slot_starts_at")
        if self.slot_label is None and self.slot_starts_at is None:
            raise FieldRule("slot_label", "give a slot_label or slot_starts_at and slot_ends_at")
        return self


class OstReportIn(ApiModel):
    """The instant report that closes a topic's session."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "text": "Twelve people; pharmacies and parishes already notice isolation first.",
                    "key_points": ["pharmacies as sentinels", "no shared map of who is alone"],
                    "proposals": ["a village-level 'who is alone' map kept by volunteers"],
                }
            ]
        },
    )

    text: LongText = Field(min_length=1)
    key_points: list[ListText] = Field(default_factory=list, max_length=50)
    proposals: list[ListText] = Field(default_factory=list, max_length=50)


class OstReportPublic(BaseModel):
    """A filed instant report."""

    text: str
    key_points: list[str]
    proposals: list[str]
    reported_at: datetime


class OstParticipantIn(ApiModel):
    """Who moves: a registry person id, or the badge code of an anonymous participant."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"person_id": EXAMPLE_PERSON}, {"participant_code": "badge-17"}]},
    )

    person_id: PersonId | None = None
    participant_code: Code | None = None

    @model_validator(mode="after")
    def _exactly_one(self) -> OstParticipantIn:
        if (self.person_id is None) == (self.participant_code is None):
            raise FieldRule("person_id", "give exactly one of person_id and participant_code")
        return self


class OstParticipantPublic(BaseModel):
    """A participant currently in a topic (ids shown only to callers who may see personal data)."""

    person_id: str | None
    participant_code: str | None
    joined_at: datetime


class OstTopicPublic(BaseModel):
    """An Open Space topic with its current participants and its instant report."""

    id: uuid.UUID
    workshop_id: uuid.UUID
    title: str
    description: str
    convener_id: str | None
    anonymous_convener: bool
    slot_label: str | None
    slot_starts_at: datetime | None
    slot_ends_at: datetime | None
    space: str
    participant_count: int
    participants: list[OstParticipantPublic] | None = Field(
        default=None, description="Null for callers who may not see who took part."
    )
    report: OstReportPublic | None
    created_at: datetime


class OstStayPublic(PublicModel):
    """One stay of a participant in a topic (the law of two feet, as recorded)."""

    id: uuid.UUID
    topic_id: uuid.UUID
    person_id: str | None
    participant_code: str | None
    joined_at: datetime
    left_at: datetime | None
    left_reason: str | None = Field(description="`left`, `moved` (to a topic of the same slot) or null.")


class OstMovePublic(BaseModel):
    """The result of a join or a leave: the moves recorded (a join may imply a leave)."""

    topic_id: uuid.UUID
    participation_id: uuid.UUID | None
    joined: bool
    left_topic_ids: list[uuid.UUID]
    recorded: bool = Field(description="False when nothing changed (already there / already gone).")
