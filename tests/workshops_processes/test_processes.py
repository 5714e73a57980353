"""Programmes, editions and processes through the API, with their events."""

from __future__ import annotations

import uuid

import httpx
import pytest
from sqlmodel import Session

from shared.clients.registry import RegistryClient
from shared.eventlog import last_position, read_stream
from tests.workshops_processes.conftest import World

pytestmark = pytest.mark.anyio


async def test_programme_and_edition_with_districts(world: World, session: Session) -> None:
    district = await world.district("Bassa Romagna")
    other = await world.district("Reggio Emilia")
    response = await world.client.post("/programmes", json={"name": "Community Lab"}, headers=world.admin)
    assert response.status_code == 201, response.text
    programme = response.json()
    assert response.headers["Location"] == f"/programmes/{programme['id']}"
    response = await world.client.post(
        f"/programmes/{programme['id']}/editions",
        json={"name": "Community Lab 2018-2019", "starts_on": "2018-09-01", "district_ids": [district]},
        headers=world.admin,
    )
    assert response.status_code == 201, response.text
    edition = response.json()
    assert edition["district_ids"] == [district]
    # A district's editor adds their district; a second time is a conflict.
    response = await world.client.post(
        f"/editions/{edition['id']}/districts", json={"district_id": other}, headers=world.editor(other)
    )
    assert response.status_code == 200, response.text
    assert response.json()["district_ids"] == [district, other]
    response = await world.client.post(
        f"/editions/{edition['id']}/districts", json={"district_id": other}, headers=world.admin
    )
    assert response.status_code == 409
    listed = await world.client.get(f"/programmes/{programme['id']}/editions")
    assert [e["id"] for e in listed.json()["items"]] == [edition["id"]]
    stream = read_stream(session, "edition", edition["id"])
    assert [e.type for e in stream] == ["edition.created", "edition.district_added"]
    assert stream[1].payload["district_id"] == other and stream[1].district_id == other


async def test_edition_with_unknown_district_is_422(world: World) -> None:
    programme = (await world.client.post("/programmes", json={"name": "CE"}, headers=world.admin)).json()
    response = await world.client.post(
        f"/programmes/{programme['id']}/editions",
        json={"name": "Community Express 2016-2017", "district_ids": [str(uuid.uuid4())]},
        headers=world.admin,
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["path"] == "body.district_ids[0]"


async def test_only_admins_create_programmes(world: World, session: Session) -> None:
    district = await world.district()
    before = last_position(session)
    response = await world.client.post("/programmes", json={"name": "X"}, headers=world.editor(district))
    assert response.status_code == 403
    response = await world.client.post("/programmes", json={"name": "X"})
    assert response.status_code == 401
    assert last_position(session) == before


async def test_create_process_with_identity_card_and_phases(world: World, session: Session) -> None:
    district = await world.district()
    body = {
        "district_id": district,
        "title": "Aggiungi un posto al tavolo",
        "purpose": "Ripensare i servizi per le famiglie",
        "weight": "Entra nel Piano di Zona",
        "transformations": "Nuovi tavoli",
        "methods_and_tools": "OST, World Café",
        "distinctive_marks": "Cittadini in cabina di regia",
        "started_on": "2015-12-18",
        "location": "Unione dei Comuni della Bassa Romagna",
        "stature": {
            "core_steering_group_size": 6,
            "extended_steering_group_size": 20,
            "people_involved": {"citizen": 120, "third_sector": 30},
        },
        "contacts": [{"organisation_id": str(uuid.uuid4()), "role": "Ufficio di Piano"}],
        "phases": [
            {"name": "listening", "starts_on": "2015-12-18", "ends_on": "2016-03-31", "is_current": True},
            {"name": "co-design", "starts_on": "2016-04-01", "ends_on": "2016-09-30"},
        ],
    }
    response = await world.client.post("/processes", json=body, headers=world.editor(district))
    assert response.status_code == 201, response.text
    process = response.json()
    assert response.headers["ETag"] == '"3"'
    assert process["status"] == "draft"
    assert process["stature"]["core_steering_group_size"] == 6
    assert process["stature"]["people_involved"] == {"citizen": 120, "third_sector": 30}
    assert [p["name"] for p in process["phases"]] == ["listening", "co-design"]
    assert [p["is_current"] for p in process["phases"]] == [True, False]
    stream = read_stream(session, "process", process["id"])
    assert [e.type for e in stream] == ["process.created", "process.phase_added", "process.phase_added"]
    assert stream[0].payload["title"] == "Aggiungi un posto al tavolo"
    assert stream[0].district_id == district
    fetched = await world.client.get(f"/processes/{process['id']}")
    assert fetched.status_code == 200 and fetched.json() == process
    listed = await world.client.get(f"/districts/{district}/processes")
    assert [p["id"] for p in listed.json()["items"]] == [process["id"]]


async def test_process_of_unknown_district_is_422(world: World, session: Session) -> None:
    before = last_position(session)
    response = await world.client.post(
        "/processes", json={"district_id": str(uuid.uuid4()), "title": "X"}, headers=world.admin
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["path"] == "body.district_id"
    assert last_position(session) == before


async def test_process_of_another_district_is_403_and_writes_nothing(world: World, session: Session) -> None:
    mine, theirs = await world.district("A"), await world.district("B")
    before = last_position(session)
    response = await world.client.post(
        "/processes", json={"district_id": theirs, "title": "X"}, headers=world.editor(mine)
    )
    assert response.status_code == 403
    process = await world.process(theirs)
    response = await world.client.patch(
        f"/processes/{process['id']}", json={"title": "Y"}, headers=world.editor(mine)
    )
    assert response.status_code == 403
    assert last_position(session) == before + 1


async def test_update_process_honours_if_match(world: World, session: Session) -> None:
    district = await world.district()
    process = await world.process(district)
    url = f"/processes/{process['id']}"
    response = await world.client.patch(
        url, json={"weight": "alto"}, headers={**world.admin, "If-Match": '"1"'}
    )
    assert response.status_code == 200, response.text
    assert response.json()["weight"] == "alto" and response.headers["ETag"] == '"2"'
    stale = await world.client.patch(
        url, json={"weight": "basso"}, headers={**world.admin, "If-Match": '"1"'}
    )
    assert stale.status_code == 412
    event = read_stream(session, "process", process["id"])[-1]
    assert event.type == "process.updated" and event.payload["changes"] == {"weight": "alto"}


async def test_phases_move_the_current_mark(world: World, session: Session) -> None:
    district = await world.district()
    process = await world.process(district, phases=[{"name": "listening", "is_current": True}])
    response = await world.client.post(
        f"/processes/{process['id']}/phases",
        json={"name": "co-design", "is_current": True},
        headers=world.admin,
    )
    assert response.status_code == 201, response.text
    fetched = (await world.client.get(f"/processes/{process['id']}")).json()
    assert [(p["name"], p["is_current"]) for p in fetched["phases"]] == [
        ("listening", False),
        ("co-design", True),
    ]
    types = [e.type for e in read_stream(session, "process", process["id"])]
    assert types[-2:] == ["process.phase_added", "process.phase_changed"]


async def test_process_status_transitions(world: World) -> None:
    district = await world.district()
    process = await world.process(district, status="draft")
    url = f"/processes/{process['id']}/status"
    assert (await world.client.post(url, json={"status": "active"}, headers=world.admin)).status_code == 200
    again = await world.client.post(url, json={"status": "active"}, headers=world.admin)
    assert again.status_code == 409
    closed = await world.client.post(
        url, json={"status": "closed", "closed_on": "2019-12-31"}, headers=world.admin
    )
    assert closed.status_code == 200 and closed.json()["closed_on"] == "2019-12-31"


async def test_registry_down_is_503(make_client, admin_headers) -> None:  # type: ignore[no-untyped-def]
    unreachable = RegistryClient("http://127.0.0.1:9", timeout=0.5, cache_seconds=0)
    async with make_client("workshops", registry=unreachable) as client:
        response = await client.post(
            "/processes", json={"district_id": str(uuid.uuid4()), "title": "X"}, headers=admin_headers
        )
    assert response.status_code == 503
    assert response.headers["content-type"].startswith("application/problem+json")


async def test_edition_must_include_the_district(world: World) -> None:
    district, other = await world.district("A"), await world.district("B")
    programme = (await world.client.post("/programmes", json={"name": "CL"}, headers=world.admin)).json()
    edition = (
        await world.client.post(
            f"/programmes/{programme['id']}/editions",
            json={"name": "CL 2018", "district_ids": [other]},
            headers=world.admin,
        )
    ).json()
    response = await world.client.post(
        "/processes",
        json={"district_id": district, "title": "X", "edition_id": edition["id"]},
        headers=world.admin,
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["path"] == "body.edition_id"


async def test_unknown_fields_and_bad_values_are_422(world: World) -> None:
    district = await world.district()
    for body in (
        {"district_id": district, "title": "X", "colour": "red"},
        {"district_id": district, "title": "X", "status": "sleeping"},
        {"district_id": district, "title": "X", "stature": {"core_steering_group_size": -1}},
        {"district_id": district, "title": ""},
    ):
        response = await world.client.post("/processes", json=body, headers=world.admin)
        assert response.status_code == 422, body


_ = httpx


async def test_process_list_carries_each_process_phases_and_filters(world: World) -> None:
    district, other = await world.district("A"), await world.district("B")
    first = await world.process(
        district, phases=[{"name": "listening"}, {"name": "co-design", "is_current": True}]
    )
    second = await world.process(district, status="draft", phases=[{"name": "restitution"}])
    await world.process(other)
    listed = (await world.client.get("/processes", params={"district_id": district})).json()["items"]
    assert [(p["id"], [ph["name"] for ph in p["phases"]]) for p in listed] == [
        (first["id"], ["listening", "co-design"]),
        (second["id"], ["restitution"]),
    ]
    drafts = (await world.client.get(f"/districts/{district}/processes", params={"status": "draft"})).json()
    assert [p["id"] for p in drafts["items"]] == [second["id"]]


async def test_moving_a_process_to_an_edition_moves_its_workshops(world: World, session: Session) -> None:
    district = await world.district()
    programme = (await world.client.post("/programmes", json={"name": "CL"}, headers=world.admin)).json()
    edition = (
        await world.client.post(
            f"/programmes/{programme['id']}/editions",
            json={"name": "Community Lab 2018-2019", "district_ids": [district]},
            headers=world.admin,
        )
    ).json()
    process = await world.process(district)
    workshop = await world.workshop(process["id"])
    assert workshop["edition_id"] is None
    moved = await world.client.patch(
        f"/processes/{process['id']}", json={"edition_id": edition["id"]}, headers=world.admin
    )
    assert moved.status_code == 200 and moved.json()["edition_id"] == edition["id"]
    assert (await world.client.get(f"/workshops/{workshop['id']}")).json()["edition_id"] == edition["id"]
    event = read_stream(session, "workshop", workshop["id"])[-1]
    assert event.type == "workshop.updated" and event.payload["changes"] == {"edition_id": edition["id"]}
    in_edition = (await world.client.get("/processes", params={"edition_id": edition["id"]})).json()
    assert [p["id"] for p in in_edition["items"]] == [process["id"]]
