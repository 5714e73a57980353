"""Course figures in the dashboard and open data: cohort, hours and completions per district, no person."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlmodel import Session

from services.reporting.consumer import catch_up

pytestmark = pytest.mark.anyio


async def _ok(response: httpx.Response, status: int = 201) -> dict[str, Any]:
    assert response.status_code == status, (response.request.url, response.text)
    return dict(response.json())


async def test_hours_and_completions_per_district_and_edition_without_people(
    session: Session,
    registry_client: httpx.AsyncClient,
    reporting_client: httpx.AsyncClient,
    admin_headers: dict[str, str],
) -> None:
    h = admin_headers
    parma = (await _ok(await registry_client.post("/districts", json={"name": "Parma"}, headers=h)))["id"]
    forli = (await _ok(await registry_client.post("/districts", json={"name": "Forlì"}, headers=h)))["id"]
    people = {}
    for family, district in (("Rossi", parma), ("Verdi", parma), ("Neri", forli)):
        person = {
            "given_name": "Anna",
            "family_name": family,
            "actor_category": "social_worker",
            "district_ids": [district],
        }
        people[family] = (await _ok(await registry_client.post("/people", json=person, headers=h)))["id"]
    course = await _ok(
        await registry_client.post(
            "/courses",
            json={"kind": "advanced_university_course", "title": "Alta Formazione welfare partecipativo"},
            headers=h,
        )
    )
    edition = await _ok(
        await registry_client.post(
            "/course-editions",
            json={"course_id": course["id"], "title": "2018-2019", "year": 2018, "completion_hours": 10},
            headers=h,
        )
    )
    eid = edition["id"]
    days = []
    for day, hours in (("2018-10-05", 6), ("2018-11-09", 6)):
        payload = {"held_on": day, "place": "Parma, Università", "hours": hours}
        days.append(
            (
                await _ok(
                    await registry_client.post(f"/course-editions/{eid}/sessions", json=payload, headers=h)
                )
            )["id"]
        )
    await _ok(
        await registry_client.put(
            f"/course-editions/{eid}/cohort", json={"person_ids": list(people.values())}, headers=h
        ),
        200,
    )
    await _ok(
        await registry_client.put(
            f"/course-editions/{eid}/sessions/{days[0]}/attendance",
            json={"person_ids": list(people.values())},
            headers=h,
        ),
        200,
    )
    # A correction of the second session's list replaces the first one.
    for names in (["Rossi", "Neri"], ["Rossi"]):
        await _ok(
            await registry_client.put(
                f"/course-editions/{eid}/sessions/{days[1]}/attendance",
                json={"person_ids": [people[n] for n in names]},
                headers=h,
            ),
            200,
        )
    await _ok(
        await registry_client.post(
            f"/course-editions/{eid}/completions", json={"person_id": people["Rossi"]}, headers=h
        )
    )
    await _ok(
        await registry_client.post(
            f"/course-editions/{eid}/completions",
            json={"person_id": people["Neri"], "basis": "marked"},
            headers=h,
        )
    )
    catch_up(session)

    dashboard = await _ok(await reporting_client.get("/dashboard"), 200)
    figures = {(r["course_edition_id"], r["district_id"]): r for r in dashboard["courses"]}
    assert {k: (v["cohort"], v["attended_hours"], v["completions"]) for k, v in figures.items()} == {
        (eid, parma): (2, 18, 1),
        (eid, forli): (1, 6, 1),
    }
    assert figures[(eid, parma)]["course_title"] == "Alta Formazione welfare partecipativo"
    assert figures[(eid, parma)]["kind"] == "advanced_university_course"

    catch_up(session)  # nothing new: the same figures
    assert (await _ok(await reporting_client.get("/dashboard"), 200))["courses"] == dashboard["courses"]

    rows = (await reporting_client.get("/opendata/course_figures.json")).json()
    assert sorted(
        (r["district_id"], r["cohort"], r["attended_hours"], r["completions"]) for r in rows
    ) == sorted([(parma, 2, 18, 1), (forli, 1, 6, 1)])
    csv = (await reporting_client.get("/opendata/course_figures.csv")).text
    for text in (str(dashboard), str(rows), csv):
        assert "Rossi" not in text and not any(p in text for p in people.values())
