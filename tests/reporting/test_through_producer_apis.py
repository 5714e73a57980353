"""End to end through the producers' APIs: registry and workshops write, reporting consumes and reports."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlmodel import Session

from services.reporting.consumer import catch_up
from shared.eventlog import last_position

pytestmark = pytest.mark.anyio


async def _ok(response: httpx.Response, status: int = 201) -> dict[str, Any]:
    assert response.status_code == status, (response.request.url, response.text)
    return dict(response.json())


async def test_reports_from_events_written_by_the_producers(
    session: Session,
    registry_client: httpx.AsyncClient,
    workshops_client: httpx.AsyncClient,
    reporting_client: httpx.AsyncClient,
    admin_headers: dict[str, str],
) -> None:
    h = admin_headers
    district = (
        await _ok(await registry_client.post("/districts", json={"name": "Distretto API"}, headers=h))
    )["id"]
    await _ok(
        await registry_client.put(
            f"/districts/{district}/population", json={"year": 2018, "population": 40_000}, headers=h
        ),
        200,
    )
    await _ok(
        await registry_client.put(
            f"/districts/{district}/boundary",
            json={
                "boundary": {
                    "type": "Polygon",
                    "coordinates": [[[12.0, 44.2], [12.1, 44.2], [12.1, 44.3], [12.0, 44.2]]],
                }
            },
            headers=h,
        ),
        200,
    )
    people = []
    for category in ("citizen", "third_sector"):
        body = {
            "given_name": "Anna",
            "family_name": "Rossi",
            "actor_category": category,
            "district_ids": [district],
        }
        people.append((await _ok(await registry_client.post("/people", json=body, headers=h)))["id"])

    programme = await _ok(
        await workshops_client.post("/programmes", json={"name": "Community Lab"}, headers=h)
    )
    edition = await _ok(
        await workshops_client.post(
            f"/programmes/{programme['id']}/editions",
            json={"name": "Community Lab 2018-2019", "district_ids": [district]},
            headers=h,
        )
    )
    process = await _ok(
        await workshops_client.post(
            "/processes",
            json={"district_id": district, "edition_id": edition["id"], "title": "Percorso API"},
            headers=h,
        )
    )
    workshop = await _ok(
        await workshops_client.post(
            f"/processes/{process['id']}/workshops",
            json={
                "method": "world_cafe",
                "title": "Café di quartiere",
                "starts_at": "2018-11-15T17:00:00Z",
                "ends_at": "2018-11-15T20:00:00Z",
                "facilitator_ids": [],
            },
            headers=h,
        )
    )
    await _ok(
        await workshops_client.put(
            f"/workshops/{workshop['id']}/attendance",
            json={"present": people, "absent": [], "anonymous_counts": {"citizen": 6}},
            headers=h,
        ),
        200,
    )
    await _ok(
        await workshops_client.post(
            "/inventions",
            json={
                "process_id": process["id"],
                "title": "Sportello di prossimità",
                "description": "Un punto di ascolto",
                "kind": "service_organisation",
                "theme": "oltre_i_servizi",
            },
            headers=h,
        )
    )

    result = catch_up(session)
    assert result.position == last_position(session) and result.applied > 0

    diary = await _ok(
        await reporting_client.get(f"/districts/{district}/diary", params={"edition": edition["id"]}), 200
    )
    assert diary["district"]["name"] == "Distretto API" and diary["district"]["population"] == 40_000
    assert [p["title"] for p in diary["processes"]] == ["Percorso API"]
    assert diary["workshops"]["by_method"] == {"world_cafe": 1}
    assert diary["participation"]["people_involved"] == 8
    assert diary["participation"]["by_category"] == {"citizen": 7, "third_sector": 1}
    assert diary["participation"]["per_10000_residents"] == 2.0
    assert diary["inventions"]["by_theme"] == {"oltre_i_servizi": 1}

    dashboard = await _ok(await reporting_client.get("/dashboard", params={"edition": edition["id"]}), 200)
    row = next(r for r in dashboard["districts"] if r["id"] == district)
    assert row["participating"] and row["has_boundary"] and row["people_involved"] == 8

    timeline = await _ok(await reporting_client.get(f"/processes/{process['id']}/timeline"), 200)
    english = [item["sentence"]["en"] for item in timeline["items"]]
    # By occurrence: the attendance of the workshop held in the past comes before the process typed in today,
    # and says when it was recorded; in log order the process's creation is first.
    assert "Participatory process 'Percorso API' was created" in english
    attendance = next(s for s in english if s.startswith("Attendance of workshop 'Café di quartiere'"))
    assert english.index(attendance) == 0 and "(recorded on " in attendance
    log = await _ok(
        await reporting_client.get(f"/processes/{process['id']}/timeline", params={"order": "log"}), 200
    )
    assert log["items"][0]["sentence"]["en"] == "Participatory process 'Percorso API' was created"
    assert any("Café di quartiere" in s and "World Café" in s for s in english)
    assert any(
        s.startswith("Attendance of workshop 'Café di quartiere' was recorded: 8 present") for s in english
    )
    # No personal data reaches reporting's outputs.
    everything = str(diary) + str(timeline) + (await reporting_client.get("/opendata/workshops.csv")).text
    assert "Rossi" not in everything and all(person not in everything for person in people)
