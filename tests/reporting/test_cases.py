"""Cases in the reports: the Diario of the district lists its published cases with their guidance by line, the
open datasets hold them; drafts (and a case taken back to draft) stay out, and no person is in any of it."""

from __future__ import annotations

import csv
import io
from typing import Any

import httpx
import pytest
from sqlmodel import Session

from services.reporting.consumer import catch_up

pytestmark = pytest.mark.anyio


async def _ok(response: httpx.Response, status: int = 201) -> dict[str, Any]:
    assert response.status_code == status, (response.request.url, response.text)
    return dict(response.json())


async def test_published_cases_show_in_the_diary_and_open_data_drafts_do_not(
    session: Session,
    registry_client: httpx.AsyncClient,
    workshops_client: httpx.AsyncClient,
    reporting_client: httpx.AsyncClient,
    admin_headers: dict[str, str],
) -> None:
    h = admin_headers
    district = (
        await _ok(await registry_client.post("/districts", json={"name": "Reggio Emilia"}, headers=h))
    )["id"]
    programme = await _ok(
        await workshops_client.post("/programmes", json={"name": "Community Lab"}, headers=h)
    )
    edition = await _ok(
        await workshops_client.post(
            f"/programmes/{programme['id']}/editions", json={"name": "Community Lab 2013"}, headers=h
        )
    )
    process = await _ok(
        await workshops_client.post(
            "/processes",
            json={"district_id": district, "title": "Piano di zona", "started_on": "2013-03-01"},
            headers=h,
        )
    )
    body = {
        "district_id": district,
        "side": "social_and_health",
        "title": "La casa della salute come luogo di comunità",
        "summary": "Servizi e associazioni ripensano l'accoglienza.",
        "story": "Nel distretto la casa della salute è diventata un luogo di incontro.",
        "lines": ["subjects", "institutional_architectures"],
        "questions": ["Chi decide l'uso degli spazi comuni?"],
        "guidance": [
            {
                "line": "institutional_architectures",
                "text": "Un tavolo stabile tra AUSL, Comuni e terzo settore.",
            },
            {"line": "subjects", "text": "Coinvolgere le associazioni fin dalla progettazione."},
        ],
        "process_ids": [process["id"]],
    }
    case = await _ok(await workshops_client.post("/cases", json=body, headers=h))
    draft = await _ok(
        await workshops_client.post(
            "/cases", json={**body, "title": "Una bozza riservata", "code": "bozza"}, headers=h
        )
    )
    await _ok(
        await workshops_client.post(f"/cases/{case['id']}/status", json={"status": "published"}, headers=h),
        200,
    )
    catch_up(session)

    params = {"edition": edition["id"]}
    diary = await _ok(await reporting_client.get(f"/districts/{district}/diary", params=params), 200)
    section = diary["cases"]
    assert section["count"] == 1 and [c["id"] for c in section["items"]] == [case["id"]]
    shown = section["items"][0]
    assert shown["side_label"] == "socio-sanitario" and shown["process_ids"] == [process["id"]]
    # Guidance grouped by line, in the lines' order (subjects before institutional architectures).
    assert [(g["line"], g["items"]) for g in shown["guidance"]] == [
        ("subjects", ["Coinvolgere le associazioni fin dalla progettazione."]),
        ("institutional_architectures", ["Un tavolo stabile tra AUSL, Comuni e terzo settore."]),
    ]
    html = (
        await reporting_client.get(f"/districts/{district}/diary", params={**params, "format": "html"})
    ).text
    assert "Studi di caso" in html and "La casa della salute come luogo di comunit" in html
    assert "Indicazioni operative: Architetture istituzionali" in html
    assert "Una bozza riservata" not in html

    cases = (await reporting_client.get("/opendata/cases.json")).json()
    assert [(r["id"], r["district_id"], r["guidance"], r["processes"]) for r in cases] == [
        (case["id"], district, 2, 1)
    ]
    assert cases[0]["lines"] == "subjects institutional_architectures"
    guidance = list(
        csv.DictReader(io.StringIO((await reporting_client.get("/opendata/case_guidance.csv")).text))
    )
    assert sorted(r["line"] for r in guidance) == ["institutional_architectures", "subjects"]
    assert {r["case_id"] for r in guidance} == {case["id"]}
    assert draft["id"] not in str(cases) + str(guidance)

    # A change to the published case reaches the reports with its new texts.
    changed = {"summary": "Servizi, associazioni e cittadini ripensano l'accoglienza."}
    await _ok(await workshops_client.patch(f"/cases/{case['id']}", json=changed, headers=h), 200)
    catch_up(session)
    diary = await _ok(await reporting_client.get(f"/districts/{district}/diary", params=params), 200)
    assert [c["summary"] for c in diary["cases"]["items"]] == [changed["summary"]]
    assert [c["summary"] for c in (await reporting_client.get("/opendata/cases.json")).json()] == [
        changed["summary"]
    ]

    # Back to draft: it leaves the Diario and the open data at the next catch-up.
    await _ok(
        await workshops_client.post(f"/cases/{case['id']}/status", json={"status": "draft"}, headers=h), 200
    )
    catch_up(session)
    diary = await _ok(await reporting_client.get(f"/districts/{district}/diary", params=params), 200)
    assert diary["cases"] == {"count": 0, "items": []}
    assert (await reporting_client.get("/opendata/cases.json")).json() == []
