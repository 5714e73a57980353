"""Projection "learning": supervisions and regional labs (issue 22.2 and 22.6), for counts only.

Supervision events carry ids only (a note's text never leaves the registry): the projection keeps each case's
district and edition and how many notes it has. Lab events carry registry person ids with their recipient
category: they are kept to count distinct people per category; reports and open data show counts only.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sqlmodel import Session, SQLModel

from services.reporting.models import LabGroupView, LabMeetingView, SupervisionCaseView, SupervisionView
from services.reporting.projections.base import (
    Handler,
    Projection,
    as_date,
    as_uuid,
    entity_id,
    get_or_new,
    text,
)
from shared.eventlog import RecordedEvent


def _people(value: Any) -> dict[str, str]:
    return {
        str(p["person_id"]): text(p.get("recipient"), 40)
        for p in (value if isinstance(value, list) else [])
        if isinstance(p, dict) and as_uuid(p.get("person_id"))
    }


class LearningProjection(Projection):
    """Supervision sessions and cases, lab meetings and groups, keyed by the ids their events carry."""

    name = "learning"
    tables = (SupervisionView, SupervisionCaseView, LabMeetingView, LabGroupView)

    def handlers(self) -> dict[str, Handler]:
        """Event type -> handler."""
        return {
            "supervision.scheduled": self.supervision_scheduled,
            "supervision.case_brought": self.case_brought,
            "supervision.note_added": self.note_added,
            "lab_meeting.scheduled": self.meeting_scheduled,
            "lab_meeting.participants_recorded": self.participants,
            "lab_group.created": self.group_created,
            "lab_group.members_set": self.members,
        }

    def keys(self, event: RecordedEvent) -> Iterator[tuple[type[SQLModel], Any]]:
        """The rows an event writes."""
        if event.type == "supervision.scheduled":
            yield SupervisionView, entity_id(event, "supervision_id")
        elif event.type.startswith("supervision."):
            yield SupervisionCaseView, as_uuid(event.payload.get("case_id"))
        elif event.type.startswith("lab_meeting."):
            yield LabMeetingView, entity_id(event, "lab_meeting_id")
        else:
            yield LabGroupView, entity_id(event, "lab_group_id")

    def supervision_scheduled(self, session: Session, event: RecordedEvent) -> None:
        """A session."""
        supervision_id = entity_id(event, "supervision_id")
        if supervision_id is None:
            return
        row = get_or_new(session, SupervisionView, supervision_id, id=supervision_id)
        row.held_on = as_date(event.payload.get("held_on"))
        row.edition_id = as_uuid(event.payload.get("edition_id"))

    def case_brought(self, session: Session, event: RecordedEvent) -> None:
        """A case, counted for its process's district and edition."""
        case_id = as_uuid(event.payload.get("case_id"))
        if case_id is None:
            return
        row = get_or_new(session, SupervisionCaseView, case_id, id=case_id)
        row.supervision_id = entity_id(event, "supervision_id")
        row.district_id = as_uuid(event.payload.get("district_id"))
        row.edition_id = as_uuid(event.payload.get("edition_id"))

    def note_added(self, session: Session, event: RecordedEvent) -> None:
        """One more note on a case (its text is not in the event)."""
        case_id = as_uuid(event.payload.get("case_id"))
        if case_id is None:
            return
        row = get_or_new(session, SupervisionCaseView, case_id, id=case_id)
        row.notes = (row.notes or 0) + 1

    def meeting_scheduled(self, session: Session, event: RecordedEvent) -> None:
        """A lab meeting of an edition."""
        meeting_id = entity_id(event, "lab_meeting_id")
        if meeting_id is None:
            return
        row = get_or_new(session, LabMeetingView, meeting_id, id=meeting_id)
        row.edition_id = as_uuid(event.payload.get("edition_id"))
        row.held_on = as_date(event.payload.get("held_on"))
        row.topic = text(event.payload.get("topic"))
        groups = event.payload.get("lab_group_ids")
        row.lab_group_ids = [str(g) for g in groups if as_uuid(g)] if isinstance(groups, list) else []

    def participants(self, session: Session, event: RecordedEvent) -> None:
        """Who took part replaces the previous list."""
        meeting_id = entity_id(event, "lab_meeting_id")
        if meeting_id is None:
            return
        row = get_or_new(session, LabMeetingView, meeting_id, id=meeting_id)
        row.edition_id = row.edition_id or as_uuid(event.payload.get("edition_id"))
        row.participants = _people(event.payload.get("participants"))

    def group_created(self, session: Session, event: RecordedEvent) -> None:
        """A working group of an edition."""
        group_id = entity_id(event, "lab_group_id")
        if group_id is None:
            return
        row = get_or_new(session, LabGroupView, group_id, id=group_id)
        row.edition_id = as_uuid(event.payload.get("edition_id"))
        row.name = text(event.payload.get("name"))

    def members(self, session: Session, event: RecordedEvent) -> None:
        """The members replace the previous list."""
        group_id = entity_id(event, "lab_group_id")
        if group_id is None:
            return
        row = get_or_new(session, LabGroupView, group_id, id=group_id)
        row.edition_id = row.edition_id or as_uuid(event.payload.get("edition_id"))
        row.members = _people(event.payload.get("members"))
