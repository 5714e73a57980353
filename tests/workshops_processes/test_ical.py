"""iCalendar feeds parsed back with the icalendar library."""

from __future__ import annotations

import json
import shutil
import subprocess
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

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
    assert first["SEQUENCE"] == 0  # RFC 5545: a new entry starts at 0
    assert first["DTSTART"].params["TZID"] == "Europe/Rome"
    assert b"DTSTART;TZID=Europe/Rome:20160220T090000\r\n" in response.content  # local wall-clock time
    assert first.decoded("DTSTART") == datetime(2016, 2, 20, 8, 0, tzinfo=UTC)
    assert first.decoded("DTEND") == datetime(2016, 2, 20, 11, 30, tzinfo=UTC)
    assert "DTSTAMP" in first

    second = events[f"workshop-{cancelled['id']}@communitylab"]
    assert second["STATUS"] == "CANCELLED"
    assert second["SEQUENCE"] == 1  # cancelling is a revision of the entry
    assert b"DTSTART;TZID=Europe/Rome:20160701T170000\r\n" in response.content  # summer time, +02:00
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


def _timezones(body: bytes) -> dict[str, object]:
    return {str(tz["TZID"]): tz for tz in Calendar.from_ical(body).walk("VTIMEZONE")}


async def test_feeds_define_europe_rome_with_a_vtimezone(world: World) -> None:
    process = await world.process(await world.district())
    await world.workshop(process["id"])  # February: CET
    await world.workshop(
        process["id"],
        title="Estate",
        starts_at="2016-07-01T17:00:00+02:00",
        ends_at="2016-07-01T19:00:00+02:00",
    )
    body = (await world.client.get(f"/processes/{process['id']}/calendar.ics")).content
    zones = _timezones(body)
    assert set(zones) == {"Europe/Rome"}  # every TZID used is defined in the file
    rome = zones["Europe/Rome"]
    offsets = {(c.name, str(c["TZNAME"]), c["TZOFFSETTO"].td.total_seconds()) for c in rome.subcomponents}
    assert ("STANDARD", "CET", 3600.0) in offsets and ("DAYLIGHT", "CEST", 7200.0) in offsets
    # The 2016 switch to summer time (last Sunday of March, 02:00 local) is in the definition.
    daylight = [c for c in rome.subcomponents if c.name == "DAYLIGHT"]
    starts = {c.decoded("DTSTART").date() for c in daylight} | {
        d.dt.date() for c in daylight for rdate in c.get("RDATE", []) for d in getattr(rdate, "dts", [])
    }
    assert datetime(2016, 3, 27).date() in starts

    empty = await world.process(await world.district("Lugo"))
    empty_feed = await world.client.get(f"/processes/{empty['id']}/calendar.ics")
    assert empty_feed.status_code == 200 and not Calendar.from_ical(empty_feed.content).walk("VEVENT")


async def test_sequence_moves_only_when_the_entry_changes(world: World) -> None:
    district = await world.district()
    process = await world.process(district)
    workshop = await world.workshop(process["id"], capacity=30)
    uid = f"workshop-{workshop['id']}@communitylab"
    url = f"/workshops/{workshop['id']}"

    async def sequence() -> int:
        return int(_events((await world.client.get(f"{url}.ics")).content)[uid]["SEQUENCE"])

    assert await sequence() == 0
    person = await world.person(district)
    registered = await world.client.post(
        f"{url}/registrations", json={"person_id": person}, headers=world.admin
    )
    assert registered.status_code == 201, registered.text
    head_count = await world.client.post(
        f"{url}/registrations", json={"actor_category": "citizen", "count": 3}, headers=world.admin
    )
    assert head_count.status_code == 201, head_count.text
    seats = await world.client.patch(url, json={"capacity": 50}, headers=world.admin)
    assert seats.status_code == 200, seats.text
    assert await sequence() == 0  # registrations and seats are not in the calendar entry

    moved = await world.client.patch(
        url,
        json={"starts_at": "2016-02-27T09:00:00+01:00", "ends_at": "2016-02-27T12:30:00+01:00"},
        headers=world.admin,
    )
    assert moved.status_code == 200, moved.text
    assert await sequence() == 1
    renamed = await world.client.patch(url, json={"venue": "Sala del Carmine"}, headers=world.admin)
    assert renamed.status_code == 200
    assert await sequence() == 2
    confirmed = await world.client.post(f"{url}/status", json={"status": "confirmed"}, headers=world.admin)
    assert confirmed.status_code == 200, confirmed.text
    assert await sequence() == 3


async def test_one_workshop_feed(world: World) -> None:
    process = await world.process(await world.district())
    workshop = await world.workshop(process["id"], title="World Café", venue="Sala del Carmine")
    other = await world.workshop(process["id"], title="Altro", venue="Biblioteca")
    response = await world.client.get(f"/workshops/{workshop['id']}.ics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/calendar")
    assert f'filename="workshop-{workshop["id"]}.ics"' in response.headers["content-disposition"]
    events = _events(response.content)
    assert list(events) == [f"workshop-{workshop['id']}@communitylab"]  # the same UID as in the other feeds
    assert other["id"] not in response.text
    assert set(_timezones(response.content)) == {"Europe/Rome"}
    # The JSON resource is still served at the path without the suffix.
    assert (await world.client.get(f"/workshops/{workshop['id']}")).json()["title"] == "World Café"

    missing = await world.client.get("/workshops/00000000-0000-4000-8000-000000000000.ics")
    assert missing.status_code == 404
    assert missing.headers["content-type"].startswith("application/problem+json")


ICALJS_DIR = Path(__file__).parent / "icaljs"


def _icaljs(body: bytes) -> dict[str, Any]:
    """The feed as ical.js (Thunderbird's parser) reads it, or skip when node or the package is missing."""
    node = shutil.which("node")
    if node is None or not (ICALJS_DIR / "node_modules" / "ical.js").is_dir():
        pytest.skip("ical.js is not installed: run `npm ci --prefix tests/workshops_processes/icaljs`")
    done = subprocess.run(
        [node, str(ICALJS_DIR / "parse.mjs")], input=body, capture_output=True, check=True, timeout=60
    )
    parsed: dict[str, Any] = json.loads(done.stdout)
    return parsed


async def test_ical_js_reads_local_times_through_the_vtimezone(world: World) -> None:
    process = await world.process(await world.district())
    winter = await world.workshop(process["id"], title="Inverno")
    summer = await world.workshop(
        process["id"],
        title="Estate",
        starts_at="2016-07-01T17:00:00+02:00",
        ends_at="2016-07-01T19:00:00+02:00",
    )
    cancel = await world.client.post(
        f"/workshops/{summer['id']}/status",
        json={"status": "cancelled", "reason": "Pioggia"},
        headers=world.admin,
    )
    assert cancel.status_code == 200
    feed = _icaljs((await world.client.get(f"/processes/{process['id']}/calendar.ics")).content)
    assert feed["timezones"] == ["Europe/Rome"]
    events = {e["uid"]: e for e in feed["events"]}
    first = events[f"workshop-{winter['id']}@communitylab"]
    assert first["tzid"] == "Europe/Rome" and first["start_local"] == "2016-02-20T09:00:00"
    assert first["start_utc"] == "2016-02-20T08:00:00.000Z" and first["end_utc"] == "2016-02-20T11:30:00.000Z"
    assert first["sequence"] == 0 and first["summary"] == "Inverno"
    second = events[f"workshop-{summer['id']}@communitylab"]
    assert second["start_utc"] == "2016-07-01T15:00:00.000Z"  # CEST resolved from the file's own VTIMEZONE
    assert second["status"] == "CANCELLED" and second["sequence"] == 1
    one = _icaljs((await world.client.get(f"/workshops/{winter['id']}.ics")).content)
    assert [e["uid"] for e in one["events"]] == [f"workshop-{winter['id']}@communitylab"]
