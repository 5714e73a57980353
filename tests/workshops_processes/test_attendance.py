"""Registrations with capacity and waiting list, attendance and head counts by category."""

from __future__ import annotations

import pytest
from sqlmodel import Session

from shared.eventlog import last_position, read_stream
from tests.workshops_processes.conftest import World

pytestmark = pytest.mark.anyio


async def _register(world: World, workshop_id: str, headers: dict[str, str] | None = None, **body: object):  # type: ignore[no-untyped-def]
    return await world.client.post(
        f"/workshops/{workshop_id}/registrations", json=body, headers=headers or world.admin
    )


async def test_waiting_list_and_promotion(world: World, session: Session) -> None:
    district = await world.district()
    process = await world.process(district)
    workshop = await world.workshop(process["id"], capacity=3)
    anna = await world.person(district, "citizen")
    bruno = await world.person(district, "social_worker")
    carla = await world.person(district, "third_sector")

    first = await _register(world, workshop["id"], person_id=anna)
    assert first.status_code == 201, first.text
    assert first.json()["waitlisted"] is False and first.json()["actor_category"] == "citizen"
    group = await _register(world, workshop["id"], actor_category="citizen", count=2)
    assert group.json()["waitlisted"] is False
    full = await _register(world, workshop["id"], person_id=bruno)
    assert full.status_code == 201 and full.json()["waitlisted"] is True
    behind = await _register(world, workshop["id"], person_id=carla)
    assert behind.json()["waitlisted"] is True
    duplicate = await _register(world, workshop["id"], person_id=anna)
    assert duplicate.status_code == 409

    totals = (await world.client.get(f"/workshops/{workshop['id']}/totals")).json()
    assert totals["registered"] == {"citizen": 3}
    assert totals["waitlisted"] == {"social_worker": 1, "third_sector": 1}
    assert totals["seats_taken"] == 3

    # Anna cancels: Bruno (first in line) gets her seat, Carla still waits.
    cancelled = await world.client.delete(
        f"/workshops/{workshop['id']}/registrations/{first.json()['id']}", headers=world.admin
    )
    assert cancelled.status_code == 200, cancelled.text
    assert [r["id"] for r in cancelled.json()["promoted"]] == [full.json()["id"]]
    again = await world.client.delete(
        f"/workshops/{workshop['id']}/registrations/{first.json()['id']}", headers=world.admin
    )
    assert again.status_code == 409
    listed = (
        await world.client.get(f"/workshops/{workshop['id']}/registrations", headers=world.admin)
    ).json()
    assert [(r["person_id"], r["waitlisted"]) for r in listed["items"]] == [
        (None, False),
        (bruno, False),
        (carla, True),
    ]
    # Anonymous callers see the list without people's ids.
    public = (await world.client.get(f"/workshops/{workshop['id']}/registrations")).json()
    assert all(r["person_id"] is None for r in public["items"])

    # The group of two cancels: Carla moves up.
    freed = await world.client.delete(
        f"/workshops/{workshop['id']}/registrations/{group.json()['id']}", headers=world.admin
    )
    assert [r["id"] for r in freed.json()["promoted"]] == [behind.json()["id"]]

    types = [e.type for e in read_stream(session, "workshop", workshop["id"])]
    assert types == [
        "workshop.scheduled",
        "workshop.registration_added",
        "workshop.registration_added",
        "workshop.registration_added",
        "workshop.registration_added",
        "workshop.registration_cancelled",
        "workshop.registration_promoted",
        "workshop.registration_cancelled",
        "workshop.registration_promoted",
    ]
    added = read_stream(session, "workshop", workshop["id"])[3].payload
    assert added["person_id"] == bruno and added["waitlisted"] is True and added["count"] == 1


async def test_raising_capacity_promotes_the_waiting_list(world: World) -> None:
    district = await world.district()
    process = await world.process(district)
    workshop = await world.workshop(process["id"], capacity=1)
    await _register(world, workshop["id"], actor_category="citizen")
    waiting = await _register(world, workshop["id"], actor_category="business")
    assert waiting.json()["waitlisted"] is True
    lower = await world.client.patch(
        f"/workshops/{workshop['id']}", json={"capacity": 1}, headers=world.admin
    )
    assert lower.status_code == 200
    raised = await world.client.patch(
        f"/workshops/{workshop['id']}", json={"capacity": 2}, headers=world.admin
    )
    assert raised.status_code == 200
    totals = (await world.client.get(f"/workshops/{workshop['id']}/totals")).json()
    assert totals["registered"] == {"citizen": 1, "business": 1} and totals["waitlisted"] == {}


async def test_capacity_below_seats_taken_is_409(world: World) -> None:
    process = await world.process(await world.district())
    workshop = await world.workshop(process["id"], capacity=5)
    await _register(world, workshop["id"], actor_category="citizen", count=4)
    response = await world.client.patch(
        f"/workshops/{workshop['id']}", json={"capacity": 3}, headers=world.admin
    )
    assert response.status_code == 409


async def test_anonymous_registration_needs_a_category(world: World) -> None:
    process = await world.process(await world.district())
    workshop = await world.workshop(process["id"])
    assert (await _register(world, workshop["id"], count=3)).status_code == 422
    assert (await _register(world, workshop["id"], actor_category="alien")).status_code == 422
    assert (await _register(world, workshop["id"], actor_category="citizen", count=0)).status_code == 422
    unknown = await _register(world, workshop["id"], person_id="5b1c9d2e-3f4a-4b5c-8d6e-7f8091a2b3c4")
    assert unknown.status_code == 422 and unknown.json()["errors"][0]["path"] == "body.person_id"


async def test_attendance_by_facilitator_and_totals(world: World, session: Session) -> None:
    district = await world.district()
    facilitator = await world.person(district, "planning_office_staff")
    process = await world.process(district)
    first = await world.workshop(process["id"], facilitator_ids=[facilitator], capacity=10)
    second = await world.workshop(
        process["id"], starts_at="2016-03-20T09:00:00+01:00", ends_at="2016-03-20T12:00:00+01:00"
    )
    anna = await world.person(district, "citizen")
    bruno = await world.person(district, "health_staff")
    walk_in = await world.person(district, "educator")
    await _register(world, first["id"], person_id=anna)
    await _register(world, first["id"], person_id=bruno)
    await _register(world, first["id"], actor_category="third_sector", count=4)

    body = {
        "present": [anna, walk_in],
        "absent": [bruno],
        "anonymous_counts": {"citizen": 12, "third_sector": 3},
    }
    # A facilitator of another workshop, and an editor of another district, may not take this attendance.
    stranger = await world.person(district)
    other_district = await world.district("Altrove")
    before = last_position(session)
    for headers in (world.facilitator(stranger), world.editor(other_district)):
        denied = await world.client.put(f"/workshops/{first['id']}/attendance", json=body, headers=headers)
        assert denied.status_code == 403
    assert last_position(session) == before
    response = await world.client.put(
        f"/workshops/{first['id']}/attendance", json=body, headers=world.facilitator(facilitator)
    )
    assert response.status_code == 200, response.text
    assert response.json()["anonymous_counts"] == {"citizen": 12, "third_sector": 3}
    event = read_stream(session, "workshop", first["id"])[-1]
    assert event.type == "workshop.attendance_recorded"
    assert event.payload["present"] == [anna, walk_in] and event.payload["absent"] == [bruno]
    assert event.payload["process_id"] == process["id"]

    totals = (await world.client.get(f"/workshops/{first['id']}/totals")).json()
    assert totals["attended"] == {"citizen": 13, "educator": 1, "third_sector": 3}
    assert totals["attended_total"] == 17
    assert totals["registered"] == {"citizen": 1, "health_staff": 1, "third_sector": 4}

    await world.client.put(
        f"/workshops/{second['id']}/attendance",
        json={"anonymous_counts": {"citizen": 5}},
        headers=world.admin,
    )
    process_totals = (await world.client.get(f"/processes/{process['id']}/totals")).json()
    assert process_totals["attended"] == {"citizen": 18, "educator": 1, "third_sector": 3}
    assert process_totals["workshops"] == 2

    public = (await world.client.get(f"/workshops/{first['id']}/attendance")).json()
    assert public["present"] == [] and public["anonymous_counts"]["citizen"] == 12


async def test_attendance_rules(world: World) -> None:
    district = await world.district()
    process = await world.process(district)
    future = await world.workshop(
        process["id"], starts_at="2099-02-20T09:00:00+01:00", ends_at="2099-02-20T12:00:00+01:00"
    )
    early = await world.client.put(
        f"/workshops/{future['id']}/attendance",
        json={"anonymous_counts": {"citizen": 1}},
        headers=world.admin,
    )
    assert early.status_code == 409
    past = await world.workshop(process["id"])
    anna = await world.person(district)
    both = await world.client.put(
        f"/workshops/{past['id']}/attendance", json={"present": [anna], "absent": [anna]}, headers=world.admin
    )
    assert both.status_code == 422 and both.json()["errors"][0]["path"] == "body.absent[0]"
    await world.client.post(
        f"/workshops/{past['id']}/status", json={"status": "cancelled"}, headers=world.admin
    )
    cancelled = await world.client.put(
        f"/workshops/{past['id']}/attendance", json={"anonymous_counts": {"citizen": 1}}, headers=world.admin
    )
    assert cancelled.status_code == 409
    registration = await _register(world, past["id"], actor_category="citizen")
    assert registration.status_code == 409
