"""Courses (issue 22.1): editions, sessions, a cohort from the registry, attendance, completion and training."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from sqlmodel import Session

from shared.eventlog import read_stream
from tests.conftest import TestKey
from tests.registry.conftest import create_district, create_person

pytestmark = pytest.mark.anyio


async def _course_edition(
    client: httpx.AsyncClient,
    headers: dict[str, str],
    *,
    kind: str = "regional_facilitation_training",
    hours: int = 12,
) -> dict[str, Any]:
    course = await client.post(
        "/courses",
        json={
            "kind": kind,
            "title": "Formazione regionale alla facilitazione",
            "provider": "Regione Emilia-Romagna",
        },
        headers=headers,
    )
    assert course.status_code == 201, course.text
    edition = await client.post(
        "/course-editions",
        json={
            "course_id": course.json()["id"],
            "title": "Edizione 2018",
            "year": 2018,
            "completion_hours": hours,
        },
        headers=headers,
    )
    assert edition.status_code == 201, edition.text
    return dict(edition.json())


async def _session(
    client: httpx.AsyncClient, headers: dict[str, str], edition_id: str, day: str, hours: int
) -> str:
    response = await client.post(
        f"/course-editions/{edition_id}/sessions",
        json={"held_on": day, "place": "Bologna", "hours": hours},
        headers=headers,
    )
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


async def test_cohort_attendance_and_completion_write_a_training_record(
    registry_client: httpx.AsyncClient, admin_headers: dict[str, str], session: Session
) -> None:
    district = await create_district(registry_client, admin_headers)
    anna = await create_person(registry_client, admin_headers, [district["id"]])
    bruno = await create_person(registry_client, admin_headers, [district["id"]])
    edition = await _course_edition(registry_client, admin_headers, hours=12)
    eid = edition["id"]
    first = await _session(registry_client, admin_headers, eid, "2018-03-01", 8)
    second = await _session(registry_client, admin_headers, eid, "2018-04-05", 6)

    cohort = await registry_client.put(
        f"/course-editions/{eid}/cohort",
        json={"person_ids": [anna["id"], bruno["id"]]},
        headers=admin_headers,
    )
    assert cohort.status_code == 200, cohort.text
    assert {m["district_id"] for m in cohort.json()["members"]} == {district["id"]}
    stale = cohort.headers["ETag"]
    both = await registry_client.put(
        f"/course-editions/{eid}/sessions/{first}/attendance",
        json={"person_ids": [anna["id"], bruno["id"]]},
        headers={**admin_headers, "If-Match": stale},
    )
    assert both.status_code == 200, both.text
    refused = await registry_client.put(
        f"/course-editions/{eid}/sessions/{second}/attendance",
        json={"person_ids": [anna["id"]]},
        headers={**admin_headers, "If-Match": stale},
    )
    assert refused.status_code == 412
    only_anna = await registry_client.put(
        f"/course-editions/{eid}/sessions/{second}/attendance",
        json={"person_ids": [anna["id"]]},
        headers={**admin_headers, "If-Match": both.headers["ETag"]},
    )
    assert only_anna.status_code == 200
    hours = {m["person_id"]: m["attended_hours"] for m in only_anna.json()["members"]}
    assert hours == {anna["id"]: 14, bruno["id"]: 8}

    # Bruno has 8 of 12 hours: not complete on hours, but the editor may mark him.
    short = await registry_client.post(
        f"/course-editions/{eid}/completions", json={"person_id": bruno["id"]}, headers=admin_headers
    )
    assert short.status_code == 409
    assert short.headers["content-type"].startswith("application/problem+json")
    done = await registry_client.post(
        f"/course-editions/{eid}/completions", json={"person_id": anna["id"]}, headers=admin_headers
    )
    assert done.status_code == 201, done.text
    assert done.json()["completion_basis"] == "hours" and done.json()["attended_hours"] == 14
    marked = await registry_client.post(
        f"/course-editions/{eid}/completions",
        json={"person_id": bruno["id"], "basis": "marked"},
        headers=admin_headers,
    )
    assert marked.status_code == 201
    again = await registry_client.post(
        f"/course-editions/{eid}/completions", json={"person_id": anna["id"]}, headers=admin_headers
    )
    assert again.status_code == 409

    # The completion produced a training record on a (new) facilitator profile.
    profile = await registry_client.get(f"/facilitators/{anna['id']}", headers=admin_headers)
    assert profile.status_code == 200
    assert profile.json()["kind"] == "facilitator"
    [training] = profile.json()["trainings"]
    assert training["id"] == done.json()["training_id"]
    assert training["hours"] == 14 and training["year"] == 2018

    read = await registry_client.get(f"/course-editions/{eid}")
    assert read.json()["cohort_size"] == 2 and read.json()["completions"] == 2
    assert read.json()["hours_total"] == 14
    assert [s["attended"] for s in read.json()["sessions"]] == [2, 1]

    # A completed member cannot be dropped from the cohort.
    drop = await registry_client.put(
        f"/course-editions/{eid}/cohort", json={"person_ids": [bruno["id"]]}, headers=admin_headers
    )
    assert drop.status_code == 409

    # Events carry ids, hours and districts; never a name or an e-mail.
    stream = read_stream(session, "course_edition", eid)
    types = [e.type for e in stream]
    assert types == [
        "course.edition_created",
        "course.session_added",
        "course.session_added",
        "course.cohort_set",
        "course.attendance_recorded",
        "course.attendance_recorded",
        "course.completion_recorded",
        "course.completion_recorded",
    ]
    text = repr([e.payload for e in stream])
    for person in (anna, bruno):
        assert person["family_name"] not in text and person["email"] not in text
    assert stream[-2].payload["district_id"] == district["id"]
    assert stream[-2].payload["training_id"] == training["id"]
    person_stream = [e.type for e in read_stream(session, "person", anna["id"])]
    assert person_stream[-2:] == ["facilitator.profile_set", "facilitator.training_recorded"]


async def test_tutors_track_makes_tutors_and_attendance_stays_within_the_cohort(
    registry_client: httpx.AsyncClient, admin_headers: dict[str, str]
) -> None:
    district = await create_district(registry_client, admin_headers)
    member = await create_person(registry_client, admin_headers, [district["id"]])
    outsider = await create_person(registry_client, admin_headers, [district["id"]])
    edition = await _course_edition(registry_client, admin_headers, kind="tutors_track", hours=4)
    eid = edition["id"]
    day = await _session(registry_client, admin_headers, eid, "2019-02-01", 4)
    await registry_client.put(
        f"/course-editions/{eid}/cohort", json={"person_ids": [member["id"]]}, headers=admin_headers
    )
    outside = await registry_client.put(
        f"/course-editions/{eid}/sessions/{day}/attendance",
        json={"person_ids": [member["id"], outsider["id"]]},
        headers=admin_headers,
    )
    assert outside.status_code == 422
    assert outside.json()["errors"][0]["path"] == "body.person_ids[1]"
    not_member = await registry_client.post(
        f"/course-editions/{eid}/completions", json={"person_id": outsider["id"]}, headers=admin_headers
    )
    assert not_member.status_code == 422
    await registry_client.put(
        f"/course-editions/{eid}/sessions/{day}/attendance",
        json={"person_ids": [member["id"]]},
        headers=admin_headers,
    )
    done = await registry_client.post(
        f"/course-editions/{eid}/completions", json={"person_id": member["id"]}, headers=admin_headers
    )
    assert done.status_code == 201
    profile = await registry_client.get(f"/facilitators/{member['id']}", headers=admin_headers)
    assert profile.json()["kind"] == "tutor"
    unknown = await registry_client.post(
        f"/course-editions/{uuid.uuid4()}/sessions",
        json={"held_on": "2019-02-01", "hours": 2},
        headers=admin_headers,
    )
    assert unknown.status_code == 404


async def test_only_regional_admins_manage_courses_and_cohorts_show_people_by_scope(
    registry_client: httpx.AsyncClient,
    admin_headers: dict[str, str],
    create_api_key: Callable[..., TestKey],
) -> None:
    mine = await create_district(registry_client, admin_headers)
    other = await create_district(registry_client, admin_headers)
    local = await create_person(registry_client, admin_headers, [mine["id"]])
    away = await create_person(registry_client, admin_headers, [other["id"]])
    edition = await _course_edition(registry_client, admin_headers)
    eid = edition["id"]
    await registry_client.put(
        f"/course-editions/{eid}/cohort",
        json={"person_ids": [local["id"], away["id"]]},
        headers=admin_headers,
    )
    editor = create_api_key("district_editor", districts=[mine["id"]]).headers
    facilitator = create_api_key("facilitator", districts=[mine["id"]], person_id=local["id"]).headers
    for headers, status in ((editor, 403), (facilitator, 403), ({}, 401)):
        created = await registry_client.post(
            "/courses", json={"kind": "tutors_track", "title": "Percorso tutor"}, headers=headers
        )
        assert created.status_code == status
        cohort = await registry_client.put(
            f"/course-editions/{eid}/cohort", json={"person_ids": [local["id"]]}, headers=headers
        )
        assert cohort.status_code == status
        completion = await registry_client.post(
            f"/course-editions/{eid}/completions",
            json={"person_id": local["id"], "basis": "marked"},
            headers=headers,
        )
        assert completion.status_code == status

    anonymous = await registry_client.get(f"/course-editions/{eid}/cohort")
    assert [m["person_id"] for m in anonymous.json()["members"]] == [None, None]
    assert sorted(m["district_id"] for m in anonymous.json()["members"]) == sorted([mine["id"], other["id"]])
    as_editor = await registry_client.get(f"/course-editions/{eid}/cohort", headers=editor)
    seen = {m["person_id"] for m in as_editor.json()["members"]}
    assert seen == {local["id"], None}
    as_admin = await registry_client.get(f"/course-editions/{eid}/cohort", headers=admin_headers)
    assert {m["person_id"] for m in as_admin.json()["members"]} == {local["id"], away["id"]}
    listed = await registry_client.get("/course-editions", params={"course_id": edition["course_id"]})
    assert [e["id"] for e in listed.json()["items"]] == [eid]


async def test_people_are_added_to_a_cohort_once(
    registry_client: httpx.AsyncClient, admin_headers: dict[str, str]
) -> None:
    district = await create_district(registry_client, admin_headers)
    first = await create_person(registry_client, admin_headers, [district["id"]])
    second = await create_person(registry_client, admin_headers, [district["id"]])
    eid = (await _course_edition(registry_client, admin_headers))["id"]
    for person in (first, second, first):
        added = await registry_client.post(
            f"/course-editions/{eid}/cohort", json={"person_ids": [person["id"]]}, headers=admin_headers
        )
        assert added.status_code == 201, added.text
    assert sorted(m["person_id"] for m in added.json()["members"]) == sorted([first["id"], second["id"]])
    unknown = await registry_client.post(
        f"/course-editions/{eid}/cohort", json={"person_ids": [str(uuid.uuid4())]}, headers=admin_headers
    )
    assert unknown.status_code == 422
    assert unknown.json()["errors"][0]["path"] == "body.person_ids[0]"


async def test_a_year_out_of_range_in_the_editions_list_is_a_422_on_its_query_field(
    registry_client: httpx.AsyncClient, admin_headers: dict[str, str]
) -> None:
    # The fuzzer's huge integer once reached SQLite ("Python int too large") and answered 500.
    for year in ("99999999999999999999999", "1800"):
        response = await registry_client.get("/course-editions", params={"year": year}, headers=admin_headers)
        assert response.status_code == 422, response.text
        assert [e["path"] for e in response.json()["errors"]] == ["query.year"]
    assert (
        await registry_client.get("/course-editions", params={"year": 2018}, headers=admin_headers)
    ).status_code == 200
