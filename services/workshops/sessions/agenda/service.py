"""Rules of the agenda of a workshop."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from sqlalchemy import delete
from sqlmodel import Session, select

from services.workshops.localtime import ROME
from services.workshops.processes.models import Workshop
from services.workshops.processes.scheduling.ical import register_ical_description
from services.workshops.sessions import events as ev
from services.workshops.sessions.agenda.schemas import AgendaUpdate
from services.workshops.sessions.base import append_events, ids_of, invalid, person_str
from services.workshops.sessions.models import (
    AgendaItem,
)
from shared.eventlog import NewEvent


def list_agenda(*, session: Session, workshop_id: uuid.UUID) -> list[AgendaItem]:
    """The agenda items in order."""
    return list(
        session.exec(
            select(AgendaItem).where(AgendaItem.workshop_id == workshop_id).order_by(AgendaItem.position)
        ).all()
    )


def item_ends_at(item: AgendaItem) -> datetime:
    """When an agenda item ends."""
    return item.starts_at + timedelta(minutes=item.duration_minutes)


def set_agenda(
    *, session: Session, workshop: Workshop, data: AgendaUpdate, expected_version: int
) -> list[AgendaItem]:
    """Replace the agenda; items start where the previous one ends unless given, inside the workshop's time."""
    facilitators = {str(f) for f in workshop.facilitator_ids}
    items: list[AgendaItem] = []
    cursor = workshop.starts_at
    previous_start: datetime | None = None
    for index, item in enumerate(data.items):
        path = f"body.items[{index}]"
        starts_at = item.starts_at or cursor
        if starts_at < workshop.starts_at or starts_at >= workshop.ends_at:
            raise invalid(f"{path}.starts_at", "must fall within the workshop's start and end")
        if previous_start is not None and starts_at < previous_start:
            raise invalid(f"{path}.starts_at", "items must be in chronological order")
        ends_at = starts_at + timedelta(minutes=item.duration_minutes)
        if ends_at > workshop.ends_at:
            raise invalid(f"{path}.duration_minutes", "the item would end after the workshop ends")
        if item.facilitator_id is not None and str(item.facilitator_id) not in facilitators:
            raise invalid(f"{path}.facilitator_id", "not one of the workshop's facilitators")
        items.append(
            AgendaItem(
                workshop_id=workshop.id,
                position=index + 1,
                starts_at=starts_at,
                duration_minutes=item.duration_minutes,
                title=item.title,
                description=item.description,
                facilitator_id=person_str(item.facilitator_id),
            )
        )
        previous_start, cursor = starts_at, ends_at
    session.execute(delete(AgendaItem).where(AgendaItem.workshop_id == workshop.id))  # type: ignore[arg-type]
    session.flush()
    session.add_all(items)
    session.flush()
    payload = ev.AgendaSet(
        **ids_of(workshop),
        items=[
            ev.AgendaItemPayload(
                item_id=str(i.id),
                position=i.position,
                starts_at=i.starts_at.isoformat(),
                duration_minutes=i.duration_minutes,
                title=i.title,
                description=i.description,
                facilitator_id=i.facilitator_id,
            )
            for i in items
        ],
    )
    append_events(
        session, workshop, [NewEvent(ev.AGENDA_SET, payload.dump())], expected_version=expected_version
    )
    return items


def agenda_ical_description(session: Session, workshop: Workshop) -> str | None:
    """The agenda as plain text lines for the workshop's iCalendar DESCRIPTION (times in Europe/Rome)."""
    lines = []
    for item in list_agenda(session=session, workshop_id=workshop.id):
        start = item.starts_at.astimezone(ROME)
        end = start + timedelta(minutes=item.duration_minutes)
        lines.append(f"{start:%H:%M}-{end:%H:%M} {item.title}")
    return ("Agenda:\n" + "\n".join(lines)) if lines else None


# The processes domain builds the iCalendar feeds; the agenda goes into each workshop's DESCRIPTION.
register_ical_description(agenda_ical_description)
