"""iCalendar (RFC 5545) feeds of workshops: one VEVENT per workshop, cancellations as STATUS:CANCELLED.

Other workshops domains add text to an event's DESCRIPTION (e.g. the sessions' agenda) through
``register_ical_description``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, date
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event, vText
from sqlmodel import Session

from services.workshops.processes.models import Workshop, WorkshopStatus
from shared.db import utcnow

ICAL_MEDIA_TYPE = "text/calendar; charset=utf-8"
UID_DOMAIN = "communitylab"
ROME = ZoneInfo("Europe/Rome")
"""Feeds give local times with TZID=Europe/Rome (and its VTIMEZONE): what a participant's calendar shows."""

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
    """An RFC 5545 calendar of the workshops: times with TZID=Europe/Rome, defined by a VTIMEZONE."""
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
        event.add("dtstart", workshop.starts_at.astimezone(ROME).replace(microsecond=0))
        event.add("dtend", workshop.ends_at.astimezone(ROME).replace(microsecond=0))
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
        # SEQUENCE counts revisions of this entry (times, place, title, status), not every event of the
        # workshop's stream: a registration must not make calendars ask to re-accept (RFC 5545 3.8.7.4).
        event.add("sequence", workshop.ical_sequence)
        event.add("categories", [workshop.method.value])
        calendar.add_component(event)
    if workshops:
        # The VTIMEZONE covers the whole years the feed spans (transitions from the tz database), not 1970-2038.
        first = min(w.starts_at for w in workshops).astimezone(ROME).year
        last = max(w.ends_at for w in workshops).astimezone(ROME).year
        calendar.add_missing_timezones(first_date=date(first, 1, 1), last_date=date(last + 1, 1, 1))
    content: bytes = calendar.to_ical()
    return content
