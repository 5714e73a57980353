"""Events of supervisions: ids, dates and counts only; a note's text never leaves the registry's tables."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict

SUPERVISION = "supervision"

SUPERVISION_SCHEDULED = "supervision.scheduled"
SUPERVISION_CASE_BROUGHT = "supervision.case_brought"
SUPERVISION_NOTE_ADDED = "supervision.note_added"


class _Payload(BaseModel):
    model_config = ConfigDict(extra="forbid")

    def dump(self) -> dict[str, Any]:
        """JSON-native payload."""
        return self.model_dump(mode="json")


class SupervisionScheduled(_Payload):
    """A supervision session was scheduled with its supervisors (by id)."""

    supervision_id: str
    held_on: str
    edition_id: str | None
    supervisor_ids: list[str]


class SupervisionCaseBrought(_Payload):
    """A facilitator or tutor brought a case from a process (or one of its workshops) to a session."""

    supervision_id: str
    case_id: str
    brought_by_id: str
    subject_kind: str
    subject_id: str
    process_id: str
    district_id: str
    edition_id: str | None


class SupervisionNoteAdded(_Payload):
    """A note was added to a case (who and when; its text is private and is not in the event)."""

    supervision_id: str
    case_id: str
    note_id: str
    author_id: str | None
    district_id: str


PAYLOADS: dict[str, type[BaseModel]] = {
    SUPERVISION_SCHEDULED: SupervisionScheduled,
    SUPERVISION_CASE_BROUGHT: SupervisionCaseBrought,
    SUPERVISION_NOTE_ADDED: SupervisionNoteAdded,
}
