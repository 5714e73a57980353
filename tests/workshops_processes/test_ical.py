"""iCalendar feeds parsed back with the icalendar library."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from icalendar import Calendar
from sqlmodel import Session

from services.workshops.processes.models import Workshop
from services.workshops.processes.scheduling import ical
from tests.workshops_processes.conftest import World

pytestmark = pytest.mark.anyio


def _events(body: bytes) -> dict[str, object]:
    calendar = Calendar.from_ical(body)
    assert calendar["VERSION"] == "2.0" and "PRODID" in calendar
    return {str(event["UID"]): event for event in calendar.walk("VEVENT")}


async def test_district_feed_has_one_vevent_per_workshop(world: World) -> None:
    district = await world.district()
    facilitator = await world.person(district)
    process = await world.process(district)
    held = await world.workshop(
        process["id"], title="World Café", venue="Sala del Carmine", facilitator_ids=[facilitator]
    )
    cancelled = await world.workshop(
        process["id"],
        method="open_space_technology",
        title="OST",
        online_url="https://meet.example.org/ost",
        starts_at="2016-07-01T17:00:00+02:00",
        ends_at="2016-07-01T19:00:00+02:00",
    )
    cancel = await world.client.post(
        f"/workshops/{cancelled['id']}/status",
        json={"status": "cancelled", "reason": "Sala non disponibile"},
        headers=world.admin,
    )
    assert cancel.status_code == 200

    response = await world.client.get(f"/districts/{district}/calendar.ics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/calendar")
    assert b"\r\n" in response.content  # RFC 5545 lines end with CRLF
    events = _events(response.content)
    assert set(events) == {f"workshop-{held['id']}@communitylab", f"workshop-{cancelled['id']}@communitylab"}

    first = events[f"workshop-{held['id']}@communitylab"]
    assert first["SUMMARY"] == "World Café"
    assert first["LOCATION"] == "Sala del Carmine"
    assert first["STATUS"] == "TENTATIVE"
    assert first["SEQUENCE"] == 1
    assert first.decoded("DTSTART") == datetime(2016, 2, 20, 8, 0, tzinfo=UTC)
    assert first.decoded("DTEND") == datetime(2016, 2, 20, 11, 30, tzinfo=UTC)
    assert "DTSTAMP" in first

    second = events[f"workshop-{cancelled['id']}@communitylab"]
    assert second["STATUS"] == "CANCELLED"
    assert second["SEQUENCE"] == 2
    assert second["LOCATION"] == "https://meet.example.org/ost"
    assert "Sala non disponibile" in str(second["DESCRIPTION"])
    assert second.decoded("DTSTART") == datetime(2016, 7, 1, 15, 0, tzinfo=UTC)

    process_feed = await world.client.get(f"/processes/{process['id']}/calendar.ics")
    assert set(_events(process_feed.content)) == set(events)
    facilitator_feed = await world.client.get(f"/facilitators/{facilitator}/agenda.ics")
    assert set(_events(facilitator_feed.content)) == {f"workshop-{held['id']}@communitylab"}


async def test_description_hook_adds_text(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    def agenda(session: Session, workshop: Workshop) -> str:
        return f"09:00 Accoglienza — {workshop.title}"

    monkeypatch.setattr(ical, "_description_providers", [])
    ical.register_ical_description(agenda)
    ical.register_ical_description(agenda)  # registering twice adds it once
    process = await world.process(await world.district())
    workshop = await world.workshop(process["id"], description="Tre giri di tavoli")
    feed = await world.client.get(f"/processes/{process['id']}/calendar.ics")
    event = _events(feed.content)[f"workshop-{workshop['id']}@communitylab"]
    assert str(event["DESCRIPTION"]) == "Tre giri di tavoli\n\n09:00 Accoglienza — World Café"
