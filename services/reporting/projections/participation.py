"""Projection "participation": registrations and attendance of workshops."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sqlmodel import Session, SQLModel

from services.reporting.models import AttendanceAnonymous, AttendancePresence, RegistrationView
from services.reporting.projections.base import (
    Handler,
    Projection,
    as_int,
    as_uuid,
    batch_store,
    cached_for_update,
    category,
    entity_id,
    get_or_new,
)
from shared.eventlog import RecordedEvent

ATTENDANCE_TABLES: tuple[type[SQLModel], ...] = (AttendancePresence, AttendanceAnonymous)


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

    def keys(self, event: RecordedEvent) -> Iterator[tuple[type[SQLModel], Any]]:
        """The registration an event reads."""
        registration_id = event.payload.get("registration_id")
        if registration_id and event.type != "workshop.attendance_recorded":
            yield RegistrationView, str(registration_id)

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
        row = cached_for_update(session, RegistrationView, str(registration_id)) if registration_id else None
        if row is not None:
            row.cancelled = True

    def registration_promoted(self, session: Session, event: RecordedEvent) -> None:
        """A waitlisted registration got a place."""
        registration_id = event.payload.get("registration_id")
        row = cached_for_update(session, RegistrationView, str(registration_id)) if registration_id else None
        if row is not None:
            row.waitlisted = False

    def attendance_recorded(self, session: Session, event: RecordedEvent) -> None:
        """The attendance of a workshop, replacing any earlier record of it (so a replay is harmless)."""
        workshop_id = entity_id(event, "workshop_id")
        if workshop_id is None:
            return
        process_id = as_uuid(event.payload.get("process_id"))
        rows: list[tuple[type[SQLModel], dict[str, Any]]] = []
        for person_id in sorted({str(p) for p in event.payload.get("present") or [] if p}):
            rows.append(
                (
                    AttendancePresence,
                    {"workshop_id": workshop_id, "person_id": person_id, "process_id": process_id},
                )
            )
        counts: dict[str, int] = {}
        for key, value in (event.payload.get("anonymous_counts") or {}).items():
            number = as_int(value) or 0
            if number > 0:
                counts[category(key)] = counts.get(category(key), 0) + number
        for key, number in counts.items():
            rows.append(
                (
                    AttendanceAnonymous,
                    {
                        "workshop_id": workshop_id,
                        "actor_category": key,
                        "process_id": process_id,
                        "count": number,
                    },
                )
            )
        # A later record in the same batch replaces this one; the stored rows are deleted at the batch's end.
        batch_store(session).replace_group(ATTENDANCE_TABLES, "workshop_id", workshop_id, rows)
