"""Facilitators and tutors with training; accent-insensitive search; the district actors overview."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest
from sqlmodel import Session

from shared.eventlog import read_stream
from tests.conftest import TestKey
from tests.registry.conftest import create_body, create_district, create_organisation, create_person, unique

pytestmark = pytest.mark.anyio


async def _facilitator(
    client: httpx.AsyncClient,
    headers: dict[str, str],
    person_id: str,
    district_ids: list[str],
    kind: str = "facilitator",
) -> dict[str, object]:
    response = await client.post(
        "/facilitators",
        json={
            "person_id": person_id,
            "kind": kind,
            "district_ids": district_ids,
            "availability_notes": "martedì pomeriggio",
            "availability": [{"weekday": 2, "note": "dalle 14"}],
        },
        headers=headers,
    )
    assert response.status_code == 201, response.text
    return dict(response.json())


async def test_facilitators_search_by_district_and_course(
    registry_client: httpx.AsyncClient, admin_headers: dict[str, str], session: Session
) -> None:
    north = await create_district(registry_client, admin_headers)
    south = await create_district(registry_client, admin_headers)
    anna = await create_person(registry_client, admin_headers, [north["id"]])
    bruno = await create_person(registry_client, admin_headers, [south["id"]])
    await _facilitator(registry_client, admin_headers, anna["id"], [north["id"]])
    await _facilitator(registry_client, admin_headers, bruno["id"], [north["id"], south["id"]], kind="tutor")
    course = unique("Facilitazione avanzata Città")
    training = await registry_client.post(
        f"/facilitators/{anna['id']}/trainings",
        json={"course": course, "year": 2018, "hours": 40, "provider": "Regione Emilia-Romagna"},
        headers=admin_headers,
    )
    assert training.status_code == 201, training.text
    assert training.headers["location"].startswith(f"/facilitators/{anna['id']}/trainings/")
    events = read_stream(session, "person", anna["id"])
    assert [e.type for e in events] == [
        "person.registered",
        "facilitator.profile_set",
        "facilitator.training_recorded",
    ]
    assert {k: events[-1].payload[k] for k in ("person_id", "course", "year", "hours")} == {
        "person_id": anna["id"],
        "course": course,
        "year": 2018,
        "hours": 40,
    }

    async def ids(**params: object) -> set[str]:
        response = await registry_client.get("/facilitators", params=params)
        assert response.status_code == 200, response.text
        return {f["person_id"] for f in response.json()["items"]}

    assert await ids(district_id=south["id"]) == {bruno["id"]}
    assert await ids(district_id=north["id"]) == {anna["id"], bruno["id"]}
    unaccented = course.replace("à", "a").upper()
    assert await ids(district_id=north["id"], course=unaccented) == {anna["id"]}
    assert await ids(district_id=north["id"], kind="tutor") == {bruno["id"]}
    assert await ids(district_id=north["id"], min_hours=41) == set()
    one = (await registry_client.get(f"/facilitators/{anna['id']}")).json()
    assert one["availability_notes"] is None  # anonymous: no personal notes
    assert one["trainings"][0]["hours"] == 40
    full = (await registry_client.get(f"/facilitators/{anna['id']}", headers=admin_headers)).json()
    assert full["availability_notes"] == "martedì pomeriggio"
    duplicate = await registry_client.post(
        "/facilitators",
        json={"person_id": anna["id"], "kind": "tutor", "district_ids": [north["id"]]},
        headers=admin_headers,
    )
    assert duplicate.status_code == 409
    patched = await registry_client.patch(
        f"/facilitators/{anna['id']}", json={"kind": "tutor"}, headers={**admin_headers, "If-Match": '"3"'}
    )
    assert patched.status_code == 200 and patched.json()["kind"] == "tutor"
    assert patched.headers["etag"] == '"4"'


async def test_facilitator_writes_need_editor_of_every_district(
    registry_client: httpx.AsyncClient, admin_headers: dict[str, str], create_api_key: Callable[..., TestKey]
) -> None:
    mine = await create_district(registry_client, admin_headers)
    other = await create_district(registry_client, admin_headers)
    editor = create_api_key("district_editor", districts=[mine["id"]])
    person = await create_person(registry_client, admin_headers, [mine["id"]])
    denied = await registry_client.post(
        "/facilitators",
        json={"person_id": person["id"], "kind": "facilitator", "district_ids": [other["id"]]},
        headers=editor.headers,
    )
    assert denied.status_code == 403
    await _facilitator(registry_client, editor.headers, person["id"], [mine["id"]])


async def test_accent_insensitive_search(
    registry_client: httpx.AsyncClient, admin_headers: dict[str, str]
) -> None:
    suffix = unique("")
    forli = await create_district(registry_client, admin_headers, name=f"Forlì{suffix}", province="FC")
    await create_district(registry_client, admin_headers, name=f"Faenza{suffix}", province="RA")
    for q in (f"Forli{suffix}", f"FORLÌ{suffix}", "forli"):
        response = await registry_client.get("/districts", params={"q": q, "limit": 500})
        assert forli["id"] in {d["id"] for d in response.json()["items"]}, q
    assert (await registry_client.get("/districts", params={"q": f"Forli{suffix}", "province": "RA"})).json()[
        "items"
    ] == []
    organisation = await create_organisation(
        registry_client,
        admin_headers,
        [forli["id"]],
        name=f"Società Cooperativa Àncora {suffix}",
        kind="social_cooperative",
    )
    found = await registry_client.get("/organisations", params={"q": "societa cooperativa ancora"})
    assert organisation["id"] in {o["id"] for o in found.json()["items"]}
    by_kind = await registry_client.get(
        "/organisations", params={"district_id": forli["id"], "kind": "school"}
    )
    assert by_kind.json()["items"] == []
    person = await create_person(
        registry_client, admin_headers, [forli["id"]], given_name="Nicolò", family_name="Bàrbieri"
    )
    people = await registry_client.get("/people", params={"q": "nicolo barbieri"}, headers=admin_headers)
    assert [p["id"] for p in people.json()["items"]] == [person["id"]]
    percent = await registry_client.get("/organisations", params={"q": "%"})
    assert percent.status_code == 200 and percent.json()["items"] == []


async def test_district_actors_overview(
    registry_client: httpx.AsyncClient, admin_headers: dict[str, str]
) -> None:
    district = await create_district(registry_client, admin_headers)
    await create_organisation(registry_client, admin_headers, [district["id"]], kind="asp")
    await create_organisation(registry_client, admin_headers, [district["id"]], kind="school")
    people = [
        await create_person(registry_client, admin_headers, [district["id"]], actor_category=category)
        for category in ("citizen", "citizen", "educator")
    ]
    body = await create_body(registry_client, admin_headers, district["id"], "comitato_di_distretto")
    await registry_client.post(
        f"/bodies/{body['id']}/members",
        json={"person_id": people[2]["id"], "role": "chair", "valid_from": "2018-01-01"},
        headers=admin_headers,
    )
    await registry_client.delete(f"/people/{people[0]['id']}", headers=admin_headers)
    response = await registry_client.get(f"/districts/{district['id']}/actors")
    assert response.status_code == 200, response.text
    actors = response.json()
    assert actors["organisations_by_kind"] == {"asp": 1, "school": 1}
    assert actors["people_by_category"] == {"citizen": 1, "educator": 1}
    assert [(b["kind"], b["current_members"]) for b in actors["bodies"]] == [("comitato_di_distretto", 1)]
    past = (
        await registry_client.get(f"/districts/{district['id']}/actors", params={"on": "2017-01-01"})
    ).json()
    assert past["bodies"][0]["current_members"] == 0
