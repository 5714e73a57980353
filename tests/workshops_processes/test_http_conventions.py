"""Idempotent creation, ETags and If-Match on the processes routes."""

from __future__ import annotations

import pytest
from sqlmodel import Session

from shared.eventlog import last_position, read_stream
from tests.workshops_processes.conftest import World

pytestmark = pytest.mark.anyio


async def test_retried_process_creation_replays_without_a_second_event(
    world: World, session: Session
) -> None:
    district = await world.district()
    body = {"district_id": district, "title": "Aggiungi un posto al tavolo"}
    headers = {**world.admin, "Idempotency-Key": "create-process-1"}
    first = await world.client.post("/processes", json=body, headers=headers)
    before = last_position(session)
    again = await world.client.post("/processes", json=body, headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json() == first.json() and again.headers["Location"] == first.headers["Location"]
    assert last_position(session) == before
    other = await world.client.post("/processes", json={**body, "title": "Altro"}, headers=headers)
    assert other.status_code == 422


async def test_retried_workshop_scheduling_is_not_a_clash_with_itself(world: World, session: Session) -> None:
    district = await world.district()
    process = await world.process(district)
    facilitator = await world.person(district)
    body = {
        "method": "world_cafe",
        "title": "World Café",
        "starts_at": "2016-02-20T09:00:00+01:00",
        "ends_at": "2016-02-20T12:30:00+01:00",
        "venue": "Sala del Carmine",
        "facilitator_ids": [facilitator],
    }
    headers = {**world.admin, "Idempotency-Key": "schedule-1"}
    first = await world.client.post(f"/processes/{process['id']}/workshops", json=body, headers=headers)
    again = await world.client.post(f"/processes/{process['id']}/workshops", json=body, headers=headers)
    assert first.status_code == again.status_code == 201, again.text
    assert again.json()["id"] == first.json()["id"]
    assert len(read_stream(session, "workshop", first.json()["id"])) == 1


async def test_workshop_if_match(world: World, session: Session) -> None:
    process = await world.process(await world.district())
    workshop = await world.workshop(process["id"])
    url = f"/workshops/{workshop['id']}"
    fetched = await world.client.get(url)
    assert fetched.headers["ETag"] == '"1"'
    # A registration moves the workshop's stream on: an edit based on the old ETag is refused.
    await world.client.post(f"{url}/registrations", json={"actor_category": "citizen"}, headers=world.admin)
    stale = await world.client.patch(url, json={"title": "Nuovo"}, headers={**world.admin, "If-Match": '"1"'})
    assert stale.status_code == 412
    assert (await world.client.get(url)).json()["title"] == "World Café"
    fresh = await world.client.patch(url, json={"title": "Nuovo"}, headers={**world.admin, "If-Match": '"2"'})
    assert fresh.status_code == 200 and fresh.headers["ETag"] == '"3"'
    assert [e.version for e in read_stream(session, "workshop", workshop["id"])] == [1, 2, 3]


async def test_unknown_ids_are_404_problems(world: World) -> None:
    missing = "5b1c9d2e-3f4a-4b5c-8d6e-7f8091a2b3c4"
    for path in (
        f"/processes/{missing}",
        f"/workshops/{missing}",
        f"/programmes/{missing}",
        f"/editions/{missing}",
        f"/workshops/{missing}/totals",
        f"/processes/{missing}/calendar.ics",
        f"/facilitators/{missing}/agenda",
    ):
        response = await world.client.get(path)
        assert response.status_code == 404, path
        assert response.headers["content-type"].startswith("application/problem+json")
    bad = await world.client.get("/processes/not-a-uuid")
    assert bad.status_code == 422
