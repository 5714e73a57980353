"""iCalendar (RFC 5545) feeds of workshops: one VEVENT per workshop, cancellations as STATUS:CANCELLED.

Other workshops domains add text to an event's DESCRIPTION (e.g. the sessions' agenda) through
``register_ical_description``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC

from icalendar import Calendar, Event, vText
from sqlmodel import Session

from services.workshops.processes.models import Workshop, WorkshopStatus
from shared.db import utcnow

ICAL_MEDIA_TYPE = "text/calendar; charset=utf-8"
UID_DOMAIN = "communitylab"

IcalDescriptionProvider = Callable[[Session, Workshop], str | None]
"""Text to append to a workshop's VEVENT DESCRIPTION (None or empty to add nothing)."""

_description_providers: list[IcalDescriptionProvider] = []

_STATUS = {
    WorkshopStatus.PLANNED: "TENTATIVE",
    WorkshopStatus.POSTPONED: "TENTATIVE",
    WorkshopStatus.CONFIRMED: "CONFIRMED",
    WorkshopStatus.HELD: "CONFIRMED",
    WorkshopStatus.CANCELLED: "CANCELLED",
}


def register_ical_description(provider: IcalDescriptionProvider) -> None:
    """Let another domain (sessions: the agenda) add text to each workshop's DESCRIPTION."""
    if provider not in _description_providers:
        _description_providers.append(provider)


def workshop_uid(workshop: Workshop) -> str:
    """The stable UID of a workshop's VEVENT."""
    return f"workshop-{workshop.id}@{UID_DOMAIN}"


def _description(session: Session, workshop: Workshop) -> str:
    parts = [workshop.description.strip()] if workshop.description.strip() else []
    if workshop.status_reason and workshop.status in (WorkshopStatus.CANCELLED, WorkshopStatus.POSTPONED):
        parts.append(f"{workshop.status.value}: {workshop.status_reason}")
    for provider in _description_providers:
        text = provider(session, workshop)
        if text:
            parts.append(text.strip())
    if workshop.online_url:
        parts.append(workshop.online_url)
    return "\n\n".join(parts)


def build_calendar(*, session: Session, workshops: Sequence[Workshop], name: str) -> bytes:
    """An RFC 5545 calendar of the workshops (times in UTC; X-WR-TIMEZONE says Europe/Rome for display)."""
    calendar = Calendar()
    calendar.add("prodid", "-//communitylab//workshops//IT")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", "Europe/Rome")
    stamp = utcnow().replace(microsecond=0)
    for workshop in workshops:
        event = Event()
        event.add("uid", workshop_uid(workshop))
        event.add("dtstamp", stamp)
        event.add("dtstart", workshop.starts_at.astimezone(UTC).replace(microsecond=0))
        event.add("dtend", workshop.ends_at.astimezone(UTC).replace(microsecond=0))
        event.add("last-modified", workshop.updated_at.astimezone(UTC).replace(microsecond=0))
        event.add("summary", workshop.title)
        location = workshop.venue or workshop.online_url
        if location:
            event.add("location", vText(location))
        if workshop.online_url:
            event.add("url", workshop.online_url)
        description = _description(session, workshop)
        if description:
            event.add("description", description)
        event.add("status", _STATUS[workshop.status])
        event.add("sequence", workshop.version)
        event.add("categories", [workshop.method.value])
        calendar.add_component(event)
    content: bytes = calendar.to_ical()
    return content
