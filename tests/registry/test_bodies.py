"""Governance bodies and memberships over time: who was in the steering group on a date."""

from __future__ import annotations

import uuid
from collections.abc import Callable

import httpx
import pytest
from sqlmodel import Session

from shared.eventlog import read_stream
from tests.conftest import TestKey
from tests.registry.conftest import create_body, create_district, create_person, event_count

pytestmark = pytest.mark.anyio


async def _member(
    client: httpx.AsyncClient,
    headers: dict[str, str],
    body_id: str,
    person_id: str,
    role: str,
    start: str,
    end: str | None = None,
) -> dict[str, object]:
    response = await client.post(
        f"/bodies/{body_id}/members",
        json={"person_id": person_id, "role": role, "valid_from": start, "valid_to": end},
        headers=headers,
    )
    assert response.status_code == 201, response.text
    return dict(response.json())


async def test_steering_group_members_on_a_date(
    registry_client: httpx.AsyncClient, admin_headers: dict[str, str], session: Session
) -> None:
    district = await create_district(registry_client, admin_headers)
    process_id = str(uuid.uuid4())
    group = await create_body(
        registry_client,
        admin_headers,
        district["id"],
        "steering_group_core",
        process_id=process_id,
        name="Cabina",
    )
    assert group["process_id"] == process_id
    anna, bruno, carla = [
        await create_person(registry_client, admin_headers, [district["id"]]) for _ in range(3)
    ]
    await _member(registry_client, admin_headers, group["id"], anna["id"], "chair", "2018-01-01")
    bruno_m = await _member(registry_client, admin_headers, group["id"], bruno["id"], "member", "2018-01-01")
    await _member(
        registry_client, admin_headers, group["id"], carla["id"], "member", "2018-09-01", "2019-03-31"
    )
    ended = await registry_client.post(
        f"/bodies/{group['id']}/members/{bruno_m['id']}/end",
        json={"valid_to": "2018-06-30"},
        headers=admin_headers,
    )
    assert ended.status_code == 200 and ended.json()["valid_to"] == "2018-06-30"

    async def on(day: str) -> set[tuple[str, str]]:
        response = await registry_client.get(f"/bodies/{group['id']}/members", params={"on": day})
        assert response.status_code == 200
        return {(m["person_id"], m["role"]) for m in response.json()["items"]}

    assert await on("2017-12-31") == set()
    assert await on("2018-06-30") == {(anna["id"], "chair"), (bruno["id"], "member")}
    assert await on("2018-07-01") == {(anna["id"], "chair")}
    assert await on("2018-10-15") == {(anna["id"], "chair"), (carla["id"], "member")}
    assert await on("2019-04-01") == {(anna["id"], "chair")}
    everyone = await registry_client.get(f"/bodies/{group['id']}/members")
    assert len(everyone.json()["items"]) == 3

    types = [e.type for e in read_stream(session, "body", group["id"])]
    assert types == [
        "body.created",
        "body.member_added",
        "body.member_added",
        "body.member_added",
        "body.member_ended",
    ]
    ended_event = read_stream(session, "body", group["id"])[-1]
    assert ended_event.payload["valid_to"] == "2018-06-30"
    assert ended_event.payload["kind"] == "steering_group_core"
    assert ended_event.payload["process_id"] == process_id
    assert ended_event.payload["person_id"] == bruno["id"]
    assert ended_event.district_id == district["id"]

    again = await registry_client.post(
        f"/bodies/{group['id']}/members/{bruno_m['id']}/end",
        json={"valid_to": "2018-07-30"},
        headers=admin_headers,
    )
    assert again.status_code == 409
    overlap = await registry_client.post(
        f"/bodies/{group['id']}/members",
        json={"person_id": anna["id"], "role": "chair", "valid_from": "2019-01-01"},
        headers=admin_headers,
    )
    assert overlap.status_code == 409


async def test_district_memberships_shape_used_by_the_client(
    registry_client: httpx.AsyncClient, admin_headers: dict[str, str]
) -> None:
    district = await create_district(registry_client, admin_headers)
    ufficio = await create_body(registry_client, admin_headers, district["id"], "ufficio_di_piano")
    comitato = await create_body(registry_client, admin_headers, district["id"], "comitato_di_distretto")
    person = await create_person(registry_client, admin_headers, [district["id"]])
    other = await create_person(registry_client, admin_headers, [district["id"]])
    await _member(registry_client, admin_headers, ufficio["id"], person["id"], "staff", "2017-01-01")
    await _member(
        registry_client, admin_headers, comitato["id"], person["id"], "delegate", "2018-01-01", "2018-12-31"
    )
    await _member(registry_client, admin_headers, comitato["id"], other["id"], "chair", "2018-01-01")
    response = await registry_client.get(
        f"/districts/{district['id']}/memberships", params={"person_id": person["id"], "on": "2018-05-01"}
    )
    assert response.status_code == 200
    items = response.json()["items"]
    assert {(i["body_kind"], i["role"]) for i in items} == {
        ("ufficio_di_piano", "staff"),
        ("comitato_di_distretto", "delegate"),
    }
    assert {"body_id", "body_kind", "role", "person_id", "valid_from", "valid_to"} <= set(items[0])
    later = await registry_client.get(
        f"/districts/{district['id']}/memberships", params={"person_id": person["id"], "on": "2019-05-01"}
    )
    assert [(i["body_kind"], i["role"]) for i in later.json()["items"]] == [("ufficio_di_piano", "staff")]
    assert (
        await registry_client.get(f"/districts/{district['id']}/memberships", params={"on": "bad"})
    ).status_code == 422


async def test_body_rules_and_access(
    registry_client: httpx.AsyncClient,
    admin_headers: dict[str, str],
    create_api_key: Callable[..., TestKey],
    session: Session,
) -> None:
    mine = await create_district(registry_client, admin_headers)
    other = await create_district(registry_client, admin_headers)
    editor = create_api_key("district_editor", districts=[mine["id"]])
    own_body = await create_body(registry_client, editor.headers, mine["id"], "ufficio_di_piano")
    duplicate = await registry_client.post(
        "/bodies", json={"district_id": mine["id"], "kind": "ufficio_di_piano"}, headers=editor.headers
    )
    assert duplicate.status_code == 409
    process_on_ufficio = await registry_client.post(
        "/bodies",
        json={"district_id": mine["id"], "kind": "comitato_di_distretto", "process_id": str(uuid.uuid4())},
        headers=editor.headers,
    )
    assert process_on_ufficio.status_code == 422
    foreign_body = await create_body(registry_client, admin_headers, other["id"], "ufficio_di_piano")
    person = await create_person(registry_client, admin_headers, [mine["id"]])
    before = event_count(session)
    denied = await registry_client.post(
        f"/bodies/{foreign_body['id']}/members",
        json={"person_id": person["id"], "role": "member", "valid_from": "2018-01-01"},
        headers=editor.headers,
    )
    assert denied.status_code == 403
    assert event_count(session) == before
    backwards = await registry_client.post(
        f"/bodies/{own_body['id']}/members",
        json={
            "person_id": person["id"],
            "role": "member",
            "valid_from": "2018-01-01",
            "valid_to": "2017-01-01",
        },
        headers=editor.headers,
    )
    assert backwards.status_code == 422
    unknown_person = await registry_client.post(
        f"/bodies/{own_body['id']}/members",
        json={"person_id": str(uuid.uuid4()), "role": "member", "valid_from": "2018-01-01"},
        headers=editor.headers,
    )
    assert unknown_person.status_code == 404
    listed = await registry_client.get("/bodies", params={"district_id": mine["id"]})
    assert [b["id"] for b in listed.json()["items"]] == [own_body["id"]]
