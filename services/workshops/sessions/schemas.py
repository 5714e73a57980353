"""Request and response bodies of the sessions domain (bounded, with examples)."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Any

from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, Field, model_validator

from services.workshops.sessions.models import OriginKind
from shared.api.schemas import ApiModel, Code, LongText, PatchModel, PublicModel, ShortText

# People are referenced by registry id only (checked against the registry on write).
PersonId = uuid.UUID


def _no_nul(value: str) -> str:
    # PostgreSQL text and JSONB cannot hold NUL: refuse it as a 422 instead of failing at insert.
    if "\x00" in value:
        raise ValueError("text must not contain NUL characters")
    return value


ListText = Annotated[str, Field(min_length=1, max_length=2000), AfterValidator(_no_nul)]
SlotLabel = Annotated[str, Field(min_length=1, max_length=100), AfterValidator(_no_nul)]
ThemeText = Annotated[str, Field(max_length=200), AfterValidator(_no_nul)]
Note = Annotated[str, Field(max_length=2000), AfterValidator(_no_nul)]

EXAMPLE_PERSON = "5b1d6c1e-3f7a-4a59-9a63-0c8f0f1e2d3c"
EXAMPLE_WORKSHOP = "8a6e0b52-2f3c-4d1f-b6a3-5c2e9d7a1b40"
EXAMPLE_TOPIC = "0f2b7c9e-1d4a-4e8b-9c3f-6a5d2e1b7c80"


# --- agenda -------------------------------------------------------------------------------------------------


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


# --- Open Space -----------------------------------------------------------------------------------------------


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
            raise ValueError("slot_starts_at and slot_ends_at go together")
        if self.slot_starts_at and self.slot_ends_at and self.slot_ends_at <= self.slot_starts_at:
            raise ValueError("slot_ends_at must be after slot_starts_at")
        if self.slot_label is None and self.slot_starts_at is None:
            raise ValueError("give a slot_label or slot_starts_at and slot_ends_at")
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
            raise ValueError("give exactly one of person_id and participant_code")
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


# --- World Café -----------------------------------------------------------------------------------------------


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


# --- cross-pollination ----------------------------------------------------------------------------------------


class ItemRef(ApiModel):
    """A thing inside a workshop: the workshop itself, an Open Space topic, a café table or round."""

    kind: OriginKind
    id: uuid.UUID


class PollinationLinkCreate(ApiModel):
    """An idea carried from something of this workshop to something of this or another workshop."""

    model_config = ConfigDict(
        extra="forbid",
        populate_by_name=True,
        json_schema_extra={
            "examples": [
                {
                    "from": {"kind": "workshop", "id": EXAMPLE_WORKSHOP},
                    "to": {"kind": "workshop", "id": EXAMPLE_WORKSHOP},
                    "note": "The 'shared map' idea travelled on to the next table.",
                }
            ]
        },
    )

    from_: ItemRef = Field(alias="from")
    to: ItemRef
    note: Note = ""


class PollinationLinkPublic(BaseModel):
    """A cross-pollination link."""

    model_config = ConfigDict(populate_by_name=True, serialize_by_alias=True)

    id: uuid.UUID
    workshop_id: uuid.UUID
    from_: dict[str, Any] = Field(alias="from")
    to: dict[str, Any]
    to_workshop_id: uuid.UUID
    note: str
    created_at: datetime


# --- minutes --------------------------------------------------------------------------------------------------


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
