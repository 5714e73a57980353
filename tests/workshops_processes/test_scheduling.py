"""Scheduling rules: every clash is a 409 problem+json naming it; agendas and calendars."""

from __future__ import annotations

from typing import Any

import pytest
from sqlmodel import Session

from shared.eventlog import last_position, read_stream
from tests.workshops_processes.conftest import World

pytestmark = pytest.mark.anyio


async def _two_districts(world: World) -> tuple[str, str, dict[str, Any], dict[str, Any]]:
    a, b = await world.district("Bassa Romagna"), await world.district("Reggio Emilia")
    return a, b, await world.process(a), await world.process(b)


async def test_facilitator_booked_twice_across_districts_is_409(world: World, session: Session) -> None:
    a, _, process_a, process_b = await _two_districts(world)
    facilitator = await world.person(a, "social_worker")
    first = await world.workshop(process_a["id"], facilitator_ids=[facilitator], title="OST a Lugo")
    before = last_position(session)
    response = await world.schedule(
        process_b["id"],
        facilitator_ids=[facilitator],
        starts_at="2016-02-20T11:00:00+01:00",
        ends_at="2016-02-20T13:00:00+01:00",
    )
    assert response.status_code == 409
    assert response.headers["content-type"].startswith("application/problem+json")
    problem = response.json()
    clash = problem["clashes"][0]
    assert clash["kind"] == "facilitator_double_booked"
    assert clash["facilitator_id"] == facilitator
    assert clash["workshop_id"] == first["id"]
    assert clash["district_id"] == a
    assert clash["starts_at"] == "2016-02-20T08:00:00+00:00"
    assert clash["starts_at_local"] == "2016-02-20T09:00:00+01:00"
    assert "OST a Lugo" in problem["detail"] and facilitator in problem["detail"]
    assert last_position(session) == before
    # Back to back is not a clash.
    touching = await world.schedule(
        process_b["id"],
        facilitator_ids=[facilitator],
        starts_at="2016-02-20T12:30:00+01:00",
        ends_at="2016-02-20T14:00:00+01:00",
    )
    assert touching.status_code == 201, touching.text


async def test_venue_booked_twice_is_409(world: World) -> None:
    _, _, process_a, process_b = await _two_districts(world)
    first = await world.workshop(process_a["id"], venue="Sala del Carmine, Lugo")
    response = await world.schedule(
        process_b["id"],
        venue="  sala del carmine,   LUGO ",
        starts_at="2016-02-20T12:00:00+01:00",
        ends_at="2016-02-20T15:00:00+01:00",
    )
    assert response.status_code == 409
    clash = response.json()["clashes"][0]
    assert clash["kind"] == "venue_double_booked"
    assert clash["venue"] == "Sala del Carmine, Lugo"
    assert clash["workshop_id"] == first["id"]
    other_venue = await world.schedule(process_b["id"], venue="Teatro Rossini")
    assert other_venue.status_code == 201


async def test_end_before_start_is_422_with_path(world: World) -> None:
    process = await world.process(await world.district())
    for ends_at in ("2016-02-20T08:00:00+01:00", "2016-02-20T09:00:00+01:00"):
        response = await world.schedule(process["id"], ends_at=ends_at)
        assert response.status_code == 422
        assert response.json()["errors"][0]["path"] == "body.ends_at"
    naive = await world.schedule(process["id"], starts_at="2016-02-20T09:00:00")
    assert naive.status_code == 422


async def test_workshop_outside_the_process_dates_is_409(world: World) -> None:
    district = await world.district()
    process = await world.process(district, started_on="2016-01-01")
    response = await world.schedule(
        process["id"], starts_at="2015-12-01T09:00:00+01:00", ends_at="2015-12-01T12:00:00+01:00"
    )
    assert response.status_code == 409
    clash = response.json()["clashes"][0]
    assert clash["kind"] == "outside_process_dates" and clash["process_starts_on"] == "2016-01-01"
    # Midnight in Rome is still the day before in UTC: the process's dates are Rome dates.
    midnight = await world.schedule(
        process["id"], starts_at="2016-01-01T00:30:00+01:00", ends_at="2016-01-01T02:00:00+01:00"
    )
    assert midnight.status_code == 201, midnight.text

    phased = await world.process(
        district,
        started_on=None,
        phases=[
            {"name": "listening", "starts_on": "2016-03-01", "ends_on": "2016-04-30"},
            {"name": "co-design", "starts_on": "2016-05-01", "ends_on": "2016-06-30"},
        ],
    )
    late = await world.schedule(
        phased["id"], starts_at="2016-07-15T09:00:00+02:00", ends_at="2016-07-15T12:00:00+02:00"
    )
    assert late.status_code == 409
    assert late.json()["clashes"][0]["process_ends_on"] == "2016-06-30"
    early = await world.schedule(phased["id"])  # 20 Feb 2016, before the first phase
    assert early.status_code == 409
    inside = await world.schedule(
        phased["id"], starts_at="2016-05-10T09:00:00+02:00", ends_at="2016-05-10T12:00:00+02:00"
    )
    assert inside.status_code == 201


async def test_closed_process_takes_no_workshops(world: World) -> None:
    process = await world.process(await world.district())
    closed = await world.client.post(
        f"/processes/{process['id']}/status",
        json={"status": "closed", "closed_on": "2019-12-31"},
        headers=world.admin,
    )
    assert closed.status_code == 200
    response = await world.schedule(process["id"])
    assert response.status_code == 409
    assert "process_closed" in [c["kind"] for c in response.json()["clashes"]]


async def test_held_workshop_cannot_change(world: World, session: Session) -> None:
    process = await world.process(await world.district())
    workshop = await world.workshop(process["id"])
    held = await world.client.post(
        f"/workshops/{workshop['id']}/status", json={"status": "held"}, headers=world.admin
    )
    assert held.status_code == 200, held.text
    before = last_position(session)
    patch = await world.client.patch(
        f"/workshops/{workshop['id']}", json={"title": "Nuovo"}, headers=world.admin
    )
    assert patch.status_code == 409
    assert patch.json()["clashes"][0]["kind"] == "workshop_held"
    status = await world.client.post(
        f"/workshops/{workshop['id']}/status", json={"status": "cancelled"}, headers=world.admin
    )
    assert status.status_code == 409
    assert last_position(session) == before


async def test_future_workshop_cannot_be_held(world: World) -> None:
    process = await world.process(await world.district())
    workshop = await world.workshop(
        process["id"], starts_at="2099-02-20T09:00:00+01:00", ends_at="2099-02-20T12:00:00+01:00"
    )
    response = await world.client.post(
        f"/workshops/{workshop['id']}/status", json={"status": "held"}, headers=world.admin
    )
    assert response.status_code == 409
    assert response.json()["clashes"][0]["kind"] == "not_started"


async def test_cancelled_workshop_frees_its_slot(world: World, session: Session) -> None:
    a, _, process_a, process_b = await _two_districts(world)
    facilitator = await world.person(a)
    first = await world.workshop(process_a["id"], facilitator_ids=[facilitator], venue="Sala A")
    cancel = await world.client.post(
        f"/workshops/{first['id']}/status",
        json={"status": "cancelled", "reason": "Allerta meteo"},
        headers={**world.admin, "If-Match": '"1"'},
    )
    assert cancel.status_code == 200, cancel.text
    assert cancel.json()["status_reason"] == "Allerta meteo"
    second = await world.workshop(process_b["id"], facilitator_ids=[facilitator], venue="Sala A")
    # Reinstating the cancelled one now clashes with the workshop that took its slot.
    reinstate = await world.client.post(
        f"/workshops/{first['id']}/status", json={"status": "planned"}, headers=world.admin
    )
    assert reinstate.status_code == 409
    kinds = {(c["kind"], c["workshop_id"]) for c in reinstate.json()["clashes"]}
    assert kinds == {("facilitator_double_booked", second["id"]), ("venue_double_booked", second["id"])}
    stream = read_stream(session, "workshop", first["id"])
    assert [e.type for e in stream] == ["workshop.scheduled", "workshop.status_changed"]
    assert stream[1].payload == {
        "workshop_id": first["id"],
        "process_id": process_a["id"],
        "district_id": a,
        "status": "cancelled",
        "previous_status": "planned",
        "reason": "Allerta meteo",
    }


async def test_moving_a_workshop_into_a_clash_is_409(world: World, session: Session) -> None:
    district = await world.district()
    facilitator = await world.person(district)
    process = await world.process(district)
    first = await world.workshop(process["id"], facilitator_ids=[facilitator])
    second = await world.workshop(
        process["id"],
        facilitator_ids=[facilitator],
        starts_at="2016-02-21T09:00:00+01:00",
        ends_at="2016-02-21T12:00:00+01:00",
    )
    # Moving within its own slot is no clash with itself.
    shifted = await world.client.patch(
        f"/workshops/{first['id']}", json={"ends_at": "2016-02-20T13:00:00+01:00"}, headers=world.admin
    )
    assert shifted.status_code == 200, shifted.text
    assert shifted.json()["version"] == 2
    moved = await world.client.patch(
        f"/workshops/{second['id']}",
        json={"starts_at": "2016-02-20T10:00:00+01:00", "ends_at": "2016-02-20T11:00:00+01:00"},
        headers=world.admin,
    )
    assert moved.status_code == 409
    assert moved.json()["clashes"][0]["workshop_id"] == first["id"]
    bad = await world.client.patch(
        f"/workshops/{second['id']}", json={"ends_at": "2016-02-21T08:00:00+01:00"}, headers=world.admin
    )
    assert bad.status_code == 422 and bad.json()["errors"][0]["path"] == "body.ends_at"
    event = read_stream(session, "workshop", first["id"])[-1]
    assert event.type == "workshop.updated"
    assert event.payload["changes"] == {"ends_at": "2016-02-20T12:00:00+00:00"}


async def test_unknown_facilitator_is_422(world: World) -> None:
    process = await world.process(await world.district())
    response = await world.schedule(process["id"], facilitator_ids=["5b1c9d2e-3f4a-4b5c-8d6e-7f8091a2b3c4"])
    assert response.status_code == 422
    assert response.json()["errors"][0]["path"] == "body.facilitator_ids[0]"


async def test_other_districts_editor_cannot_schedule(world: World, session: Session) -> None:
    a, b, process_a, _ = await _two_districts(world)
    before = last_position(session)
    response = await world.client.post(
        f"/processes/{process_a['id']}/workshops",
        json={
            "method": "world_cafe",
            "title": "X",
            "starts_at": "2016-02-20T09:00:00+01:00",
            "ends_at": "2016-02-20T12:00:00+01:00",
        },
        headers=world.editor(b),
    )
    assert response.status_code == 403
    assert last_position(session) == before
    mine = await world.client.post(
        f"/processes/{process_a['id']}/workshops",
        json={
            "method": "open_space_technology",
            "title": "OST",
            "starts_at": "2016-02-20T09:00:00+01:00",
            "ends_at": "2016-02-20T12:00:00+01:00",
        },
        headers=world.editor(a),
    )
    assert mine.status_code == 201


async def test_facilitator_agenda_and_district_calendar(world: World) -> None:
    a, b, process_a, process_b = await _two_districts(world)
    facilitator = await world.person(a)
    later = await world.workshop(
        process_b["id"],
        facilitator_ids=[facilitator],
        starts_at="2016-03-05T15:00:00+01:00",
        ends_at="2016-03-05T18:00:00+01:00",
    )
    earlier = await world.workshop(process_a["id"], facilitator_ids=[facilitator])
    without = await world.workshop(
        process_a["id"], starts_at="2016-04-02T09:00:00+02:00", ends_at="2016-04-02T12:00:00+02:00"
    )
    agenda = await world.client.get(f"/facilitators/{facilitator}/agenda")
    assert agenda.status_code == 200, agenda.text
    assert [w["id"] for w in agenda.json()["items"]] == [earlier["id"], later["id"]]
    assert agenda.json()["items"][0]["starts_at_local"] == "2016-02-20T09:00:00+01:00"
    paged = await world.client.get(f"/facilitators/{facilitator}/agenda", params={"limit": 1})
    assert [w["id"] for w in paged.json()["items"]] == [earlier["id"]]
    assert 'rel="next"' in paged.headers["Link"]
    window = await world.client.get(
        f"/facilitators/{facilitator}/agenda", params={"from": "2016-03-01T00:00:00Z"}
    )
    assert [w["id"] for w in window.json()["items"]] == [later["id"]]
    calendar = await world.client.get(f"/districts/{a}/calendar")
    assert [w["id"] for w in calendar.json()["items"]] == [earlier["id"], without["id"]]
    summer = (await world.client.get(f"/workshops/{without['id']}")).json()
    assert summer["starts_at"] == "2016-04-02T07:00:00Z" or summer["starts_at"].startswith(
        "2016-04-02T07:00:00"
    )
    assert summer["starts_at_local"] == "2016-04-02T09:00:00+02:00"
    unknown = await world.client.get("/districts/5b1c9d2e-3f4a-4b5c-8d6e-7f8091a2b3c4/calendar")
    assert unknown.status_code == 404
    assert b


async def test_facilitator_may_mark_held_but_not_cancel(world: World, session: Session) -> None:
    district = await world.district()
    facilitator = await world.person(district)
    process = await world.process(district)
    workshop = await world.workshop(process["id"], facilitator_ids=[facilitator])
    url = f"/workshops/{workshop['id']}/status"
    headers = world.facilitator(facilitator)
    stranger = world.facilitator(await world.person(district))
    before = last_position(session)
    cancel = await world.client.post(url, json={"status": "cancelled"}, headers=headers)
    assert cancel.status_code == 403
    other = await world.client.post(url, json={"status": "held"}, headers=stranger)
    assert other.status_code == 403
    assert last_position(session) == before
    held = await world.client.post(url, json={"status": "held"}, headers=headers)
    assert held.status_code == 200 and held.json()["status"] == "held"
