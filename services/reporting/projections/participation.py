"""Projection "participation": registrations and attendance of workshops."""

from __future__ import annotations

from sqlmodel import Session, col, delete

from services.reporting.models import AttendanceAnonymous, AttendancePresence, RegistrationView
from services.reporting.projections.base import (
    Handler,
    Projection,
    as_int,
    as_uuid,
    category,
    entity_id,
    get_or_new,
)
from shared.eventlog import RecordedEvent


class ParticipationProjection(Projection):
    """Who took part: identified people present and anonymous counts by actor category."""

    name = "participation"
    tables = (RegistrationView, AttendancePresence, AttendanceAnonymous)

    def handlers(self) -> dict[str, Handler]:
        """Event type -> handler."""
        return {
            "workshop.registration_added": self.registration_added,
            "workshop.registration_cancelled": self.registration_cancelled,
            "workshop.registration_promoted": self.registration_promoted,
            "workshop.attendance_recorded": self.attendance_recorded,
        }

    def registration_added(self, session: Session, event: RecordedEvent) -> None:
        """A registration (upserted by its id)."""
        registration_id = event.payload.get("registration_id")
        workshop_id = entity_id(event, "workshop_id")
        if not registration_id or workshop_id is None:
            return
        row = get_or_new(
            session, RegistrationView, str(registration_id), id=str(registration_id), workshop_id=workshop_id
        )
        row.process_id = as_uuid(event.payload.get("process_id"))
        row.actor_category = category(event.payload.get("actor_category"))
        row.count = max(as_int(event.payload.get("count")) or 1, 0)
        row.waitlisted = bool(event.payload.get("waitlisted"))
        row.cancelled = False

    def registration_cancelled(self, session: Session, event: RecordedEvent) -> None:
        """A registration withdrawn."""
        registration_id = event.payload.get("registration_id")
        row = session.get(RegistrationView, str(registration_id)) if registration_id else None
        if row is not None:
            row.cancelled = True

    def registration_promoted(self, session: Session, event: RecordedEvent) -> None:
        """A waitlisted registration got a place."""
        registration_id = event.payload.get("registration_id")
        row = session.get(RegistrationView, str(registration_id)) if registration_id else None
        if row is not None:
            row.waitlisted = False

    def attendance_recorded(self, session: Session, event: RecordedEvent) -> None:
        """The attendance of a workshop, replacing any earlier record of it (so a replay is harmless)."""
        workshop_id = entity_id(event, "workshop_id")
        if workshop_id is None:
            return
        process_id = as_uuid(event.payload.get("process_id"))
        session.exec(delete(AttendancePresence).where(col(AttendancePresence.workshop_id) == workshop_id))
        session.exec(delete(AttendanceAnonymous).where(col(AttendanceAnonymous.workshop_id) == workshop_id))
        for person_id in sorted({str(p) for p in event.payload.get("present") or [] if p}):
            session.add(
                AttendancePresence(workshop_id=workshop_id, person_id=person_id, process_id=process_id)
            )
        counts: dict[str, int] = {}
        for key, value in (event.payload.get("anonymous_counts") or {}).items():
            number = as_int(value) or 0
            if number > 0:
                counts[category(key)] = counts.get(category(key), 0) + number
        for key, number in counts.items():
            session.add(
                AttendanceAnonymous(
                    workshop_id=workshop_id, actor_category=key, process_id=process_id, count=number
                )
            )
