"""Event types and payloads of the sessions domain (the catalogue consumers rely on).

Every event goes to the workshop's stream (stream type ``workshop``, stream id = the workshop id) and
carries workshop_id, process_id and district_id. People appear by registry id only.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict

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


class PollinationLinked(_Payload):
    """An idea was carried from one place to another (``to`` may belong to another workshop)."""

    link_id: str
    from_: dict[str, str]
    to: dict[str, str]
    to_workshop_id: str
    note: str

    def dump(self) -> dict[str, Any]:
        """JSON-native payload, with ``from`` spelled as such."""
        data = self.model_dump(mode="json")
        data["from"] = data.pop("from_")
        return data


class MinutesRecorded(_Payload):
    """The minutes / closing report were recorded (or replaced)."""

    text: str
    attendees_count: int | None
    contributions_count: int | None
    decisions: list[str]
    follow_ups: list[dict[str, Any]]
