"""Rules of workshop minutes."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, select

from services.workshops.processes.models import Attendance, Workshop
from services.workshops.sessions import events as ev
from services.workshops.sessions.base import append_events, ids_of
from services.workshops.sessions.minutes.schemas import MinutesIn
from services.workshops.sessions.models import (
    CafeNote,
    OstTopic,
    PollinationLink,
    WorkshopMinutes,
)
from shared.db import utcnow
from shared.errors import NotFoundError
from shared.eventlog import NewEvent


def attendance_count(*, session: Session, workshop_id: uuid.UUID) -> int | None:
    """People present according to the attendance the processes domain recorded; None when not taken."""
    attendance = session.get(Attendance, workshop_id)
    if attendance is None:
        return None
    return len(attendance.present) + sum(int(n) for n in (attendance.anonymous_counts or {}).values())


def computed_contributions(*, session: Session, workshop_id: uuid.UUID) -> int:
    """Contributions recorded in the sessions: Open Space topics, café notes and pollination links."""
    total = 0
    for model in (OstTopic, CafeNote, PollinationLink):
        total += session.exec(
            select(func.count()).select_from(model).where(model.workshop_id == workshop_id)  # type: ignore[attr-defined]
        ).one()
    return int(total)


def record_minutes(
    *, session: Session, workshop: Workshop, data: MinutesIn, expected_version: int
) -> WorkshopMinutes:
    """Record (or replace) the minutes."""
    minutes = session.get(WorkshopMinutes, workshop.id)
    now = utcnow()
    if minutes is None:
        minutes = WorkshopMinutes(workshop_id=workshop.id, text="", recorded_at=now)
    minutes.text = data.text
    minutes.attendees_count = data.attendees_count
    minutes.contributions_count = data.contributions_count
    minutes.decisions = list(data.decisions)
    minutes.follow_ups = [f.model_dump(mode="json") for f in data.follow_ups]
    minutes.updated_at = now
    session.add(minutes)
    session.flush()
    payload = ev.MinutesRecorded(
        **ids_of(workshop),
        text=minutes.text,
        attendees_count=minutes.attendees_count,
        contributions_count=minutes.contributions_count,
        decisions=list(minutes.decisions),
        follow_ups=list(minutes.follow_ups),
    )
    append_events(
        session, workshop, [NewEvent(ev.MINUTES_RECORDED, payload.dump())], expected_version=expected_version
    )
    return minutes


def get_minutes(*, session: Session, workshop_id: uuid.UUID) -> WorkshopMinutes:
    """The minutes, or NotFoundError when none were recorded yet."""
    minutes = session.get(WorkshopMinutes, workshop_id)
    if minutes is None:
        raise NotFoundError(f"workshop {workshop_id} has no minutes yet")
    return minutes


def minutes_view(*, session: Session, minutes: WorkshopMinutes) -> dict[str, Any]:
    """The minutes with counts resolved (recorded attendance first) and links to the workshop's outcomes."""
    from_attendance = attendance_count(session=session, workshop_id=minutes.workshop_id)
    if from_attendance is not None:
        attendees, attendees_source = from_attendance, "attendance"
    elif minutes.attendees_count is not None:
        attendees, attendees_source = minutes.attendees_count, "minutes"
    else:
        attendees, attendees_source = None, None
    if minutes.contributions_count is not None:
        contributions, contributions_source = minutes.contributions_count, "minutes"
    else:
        contributions = computed_contributions(session=session, workshop_id=minutes.workshop_id)
        contributions_source = "computed"
    workshop_path = f"/workshops/{minutes.workshop_id}"
    return {
        "workshop_id": minutes.workshop_id,
        "text": minutes.text,
        "attendees_count": attendees,
        "attendees_count_source": attendees_source,
        "contributions_count": contributions,
        "contributions_count_source": contributions_source,
        "decisions": list(minutes.decisions),
        "follow_ups": list(minutes.follow_ups),
        "recorded_at": minutes.recorded_at,
        "updated_at": minutes.updated_at,
        "links": {
            "workshop": workshop_path,
            "outcomes": f"{workshop_path}/outcomes",
            "agenda": f"{workshop_path}/agenda",
        },
    }
