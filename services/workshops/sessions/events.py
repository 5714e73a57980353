"""Event types and payloads of the sessions domain (the catalogue consumers rely on).

Every event goes to the workshop's stream (stream type ``workshop``, stream id = the workshop id) and
carries workshop_id, process_id and district_id. People appear by registry id only.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

WORKSHOP = "workshop"

AGENDA_SET = "workshop.agenda_set"
OST_TOPIC_PROPOSED = "workshop.ost_topic_proposed"
OST_JOINED = "workshop.ost_joined"
OST_LEFT = "workshop.ost_left"
OST_REPORT_FILED = "workshop.ost_report_filed"
CAFE_TABLE_ADDED = "workshop.cafe_table_added"
CAFE_ROUND_ADDED = "workshop.cafe_round_added"
CAFE_NOTE_ADDED = "workshop.cafe_note_added"
CAFE_HARVEST_RECORDED = "workshop.cafe_harvest_recorded"
POLLINATION_LINKED = "workshop.pollination_linked"
MINUTES_RECORDED = "workshop.minutes_recorded"


class _Payload(BaseModel):
    model_config = ConfigDict(extra="forbid")

    workshop_id: str
    process_id: str
    district_id: str

    def dump(self) -> dict[str, Any]:
        """JSON-native payload."""
        return self.model_dump(mode="json")


class AgendaItemPayload(BaseModel):
    """One agenda item as carried by ``workshop.agenda_set``."""

    item_id: str
    position: int
    starts_at: str
    duration_minutes: int
    title: str
    description: str
    facilitator_id: str | None


class AgendaSet(_Payload):
    """The agenda was replaced by ``items`` (the whole agenda, in order)."""

    items: list[AgendaItemPayload]


class OstTopicProposed(_Payload):
    """A topic was proposed at the Open Space marketplace."""

    topic_id: str
    title: str
    convener_id: str | None
    slot_label: str | None
    slot_starts_at: str | None
    slot_ends_at: str | None
    space: str


class OstJoined(_Payload):
    """A participant joined a topic (person by registry id, or an anonymous badge code)."""

    topic_id: str
    participation_id: str
    person_id: str | None
    participant_code: str | None
    moved_from_topic_id: str | None = None


class OstLeft(_Payload):
    """A participant left a topic; ``reason`` is ``left`` or ``moved`` (law of two feet)."""

    topic_id: str
    participation_id: str
    person_id: str | None
    participant_code: str | None
    reason: str
    moved_to_topic_id: str | None = None


class OstReportFiled(_Payload):
    """A topic's instant report was filed (or replaced)."""

    topic_id: str
    text: str
    key_points: list[str]
    proposals: list[str]


class CafeTableAdded(_Payload):
    """A World Café table was set up."""

    table_id: str
    name: str
    host_id: str | None
    theme: str


class CafeRoundAdded(_Payload):
    """A World Café round was added."""

    round_id: str
    number: int
    question: str
    duration_minutes: int


class CafeNoteAdded(_Payload):
    """A table recorded its notes for a round."""

    note_id: str
    table_id: str
    round_id: str
    text: str
    key_ideas: list[str]


class CafeHarvestRecorded(_Payload):
    """The plenary harvest was recorded (or replaced)."""

    text: str
    key_ideas: list[str]
    themes: list[str]


class PollinationEnd(BaseModel):
    """One end of a pollination link: what kind of thing (``table``, ``topic``, ...) and its id."""

    model_config = ConfigDict(extra="forbid")

    kind: str
    id: str


class PollinationLinked(_Payload):
    """An idea was carried from one place to another (``to`` may belong to another workshop)."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    link_id: str
    from_: PollinationEnd = Field(alias="from")
    to: PollinationEnd
    to_workshop_id: str
    note: str

    def dump(self) -> dict[str, Any]:
        """JSON-native payload, with ``from`` spelled as such."""
        return self.model_dump(mode="json", by_alias=True)


class MinutesRecorded(_Payload):
    """The minutes / closing report were recorded (or replaced)."""

    text: str
    attendees_count: int | None
    contributions_count: int | None
    decisions: list[str]
    follow_ups: list[dict[str, Any]]


# The payload model of every event type this domain writes (the webhooks' OpenAPI is generated from it).
PAYLOADS: dict[str, type[BaseModel]] = {
    AGENDA_SET: AgendaSet,
    OST_TOPIC_PROPOSED: OstTopicProposed,
    OST_JOINED: OstJoined,
    OST_LEFT: OstLeft,
    OST_REPORT_FILED: OstReportFiled,
    CAFE_TABLE_ADDED: CafeTableAdded,
    CAFE_ROUND_ADDED: CafeRoundAdded,
    CAFE_NOTE_ADDED: CafeNoteAdded,
    CAFE_HARVEST_RECORDED: CafeHarvestRecorded,
    POLLINATION_LINKED: PollinationLinked,
    MINUTES_RECORDED: MinutesRecorded,
}
