"""Supervision and regional lab figures: counts per programme edition (and district), never people or notes."""

from __future__ import annotations

import uuid
from collections import Counter, defaultdict
from typing import Any

from sqlmodel import Session

from services.reporting import queries
from services.reporting.models import LabGroupView, LabMeetingView, SupervisionCaseView, SupervisionView

SUPERVISION_FIGURE_FIELDS: list[tuple[str, str, str]] = [
    ("id", "string", "Row id (one per programme edition and district)"),
    ("edition_id", "string", "Programme edition id (empty: none recorded)"),
    ("district_id", "string", "District of the cases' processes (empty: sessions without cases)"),
    ("sessions", "integer", "Supervision sessions with a case of the district (or without cases)"),
    ("cases", "integer", "Cases brought to supervision"),
    ("notes", "integer", "Notes written on the cases (their text is private)"),
]

RECIPIENTS = (
    "district_director",
    "ufficio_di_piano_head",
    "ctss_office",
    "tutor",
    "facilitator",
    "regional_officer",
    "other",
)

LAB_FIGURE_FIELDS: list[tuple[str, str, str]] = [
    ("id", "string", "Row id (the programme edition id)"),
    ("edition_id", "string", "Programme edition id"),
    ("meetings", "integer", "Meetings of the edition's regional lab"),
    ("groups", "integer", "Working groups"),
    ("participants", "integer", "Different people who took part in a meeting or a working group"),
    ("first_meeting_on", "date", "Date of the first meeting"),
    ("last_meeting_on", "date", "Date of the last meeting"),
    *[(r, "integer", f"Participants taking part as {r.replace('_', ' ')}") for r in RECIPIENTS],
]


def _uuid_text(value: uuid.UUID | None) -> str | None:
    return str(value) if value is not None else None


def supervision_figures(*, session: Session, edition_id: uuid.UUID | None = None) -> list[dict[str, Any]]:
    """One row per edition and district: sessions, cases and notes (a case counts for its process's edition)."""
    sessions = {s.id: s for s in session.exec(queries.all_of(SupervisionView))}
    groups: dict[tuple[str | None, str | None], dict[str, Any]] = defaultdict(
        lambda: {"sessions": set(), "cases": 0, "notes": 0}
    )
    with_cases: set[uuid.UUID] = set()
    for case in session.exec(queries.by_id(SupervisionCaseView)):
        held = sessions.get(case.supervision_id) if case.supervision_id else None
        edition = case.edition_id or (held.edition_id if held else None)
        figures = groups[(_uuid_text(edition), _uuid_text(case.district_id))]
        figures["sessions"].add(case.supervision_id)
        figures["cases"] += 1
        figures["notes"] += case.notes
        if case.supervision_id:
            with_cases.add(case.supervision_id)
    for held in sessions.values():
        if held.id not in with_cases:
            groups[(_uuid_text(held.edition_id), None)]["sessions"].add(held.id)
    rows = [
        {
            "id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"supervisions/{edition}/{district}")),
            "edition_id": edition,
            "district_id": district,
            "sessions": len(figures["sessions"]),
            "cases": figures["cases"],
            "notes": figures["notes"],
        }
        for (edition, district), figures in groups.items()
        if edition_id is None or edition == str(edition_id)
    ]
    rows.sort(key=lambda r: (r["edition_id"] or "", r["district_id"] or ""))
    return rows


def lab_figures(*, session: Session, edition_id: uuid.UUID | None = None) -> list[dict[str, Any]]:
    """One row per edition with a regional lab: meetings, groups and distinct participants by category."""
    meetings: dict[uuid.UUID, list[LabMeetingView]] = defaultdict(list)
    for meeting in session.exec(queries.by_id(LabMeetingView)):
        if meeting.edition_id is not None:
            meetings[meeting.edition_id].append(meeting)
    groups: dict[uuid.UUID, list[LabGroupView]] = defaultdict(list)
    for group in session.exec(queries.by_id(LabGroupView)):
        if group.edition_id is not None:
            groups[group.edition_id].append(group)
    rows = []
    for edition in sorted(set(meetings) | set(groups), key=str):
        if edition_id is not None and edition != edition_id:
            continue
        people: dict[str, str] = {}
        for group in groups.get(edition, []):
            people.update(group.members)
        for meeting in sorted(meetings.get(edition, []), key=lambda m: (m.held_on is None, m.held_on)):
            people.update(meeting.participants)
        categories = Counter(people.values())
        days = sorted(m.held_on for m in meetings.get(edition, []) if m.held_on is not None)
        rows.append(
            {
                "id": str(edition),
                "edition_id": str(edition),
                "meetings": len(meetings.get(edition, [])),
                "groups": len(groups.get(edition, [])),
                "participants": len(people),
                "first_meeting_on": days[0] if days else None,
                "last_meeting_on": days[-1] if days else None,
                **{r: categories.get(r, 0) for r in RECIPIENTS},
            }
        )
    return rows
