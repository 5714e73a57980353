"""Projection "participation": registrations and attendance of workshops."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, col, delete

from services.reporting.models import AttendanceAnonymous, AttendancePresence, RegistrationView
from services.reporting.projections.base import (
    Handler,
    Projection,
    as_int,
    as_uuid,
    cached,
    category,
    entity_id,
    get_or_new,
)
from shared.eventlog import RecordedEvent

PENDING_ATTENDANCE = "reporting_pending_attendance"


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
        row = cached(session, RegistrationView, str(registration_id)) if registration_id else None
        if row is not None:
            row.cancelled = True

    def registration_promoted(self, session: Session, event: RecordedEvent) -> None:
        """A waitlisted registration got a place."""
        registration_id = event.payload.get("registration_id")
        row = cached(session, RegistrationView, str(registration_id)) if registration_id else None
        if row is not None:
            row.waitlisted = False

    def attendance_recorded(self, session: Session, event: RecordedEvent) -> None:
        """The attendance of a workshop, replacing any earlier record of it (so a replay is harmless)."""
        workshop_id = entity_id(event, "workshop_id")
        if workshop_id is None:
            return
        process_id = as_uuid(event.payload.get("process_id"))
        # Rows added earlier in this batch are not flushed yet: drop them from the session, then delete the
        # stored ones without an autoflush (one statement per table instead of a flush per event).
        pending: dict[Any, list[Any]] = session.info.setdefault(PENDING_ATTENDANCE, {})
        for row in pending.pop(workshop_id, []):
            if row in session.new:
                session.expunge(row)
        with session.no_autoflush:
            for model in (AttendancePresence, AttendanceAnonymous):
                session.exec(
                    delete(model)
                    .where(col(model.workshop_id) == workshop_id)
                    .execution_options(synchronize_session=False)
                )
        added: list[Any] = []
        for person_id in sorted({str(p) for p in event.payload.get("present") or [] if p}):
            added.append(
                AttendancePresence(workshop_id=workshop_id, person_id=person_id, process_id=process_id)
            )
        counts: dict[str, int] = {}
        for key, value in (event.payload.get("anonymous_counts") or {}).items():
            number = as_int(value) or 0
            if number > 0:
                counts[category(key)] = counts.get(category(key), 0) + number
        for key, number in counts.items():
            added.append(
                AttendanceAnonymous(
                    workshop_id=workshop_id, actor_category=key, process_id=process_id, count=number
                )
            )
        session.add_all(added)
        pending[workshop_id] = added
