"""The institutional architecture in the Diario: bodies, relations and agreements from the registry's events."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlmodel import Session

from services.reporting.consumer import catch_up
from tests.reporting.conftest import EventScript

pytestmark = pytest.mark.anyio


async def _ok(response: httpx.Response, status: int = 201) -> dict[str, Any]:
    assert response.status_code == status, (response.request.url, response.text)
    return dict(response.json())


async def test_diary_shows_the_district_design_without_people(
    session: Session,
    script: EventScript,
    registry_client: httpx.AsyncClient,
    reporting_client: httpx.AsyncClient,
    admin_headers: dict[str, str],
) -> None:
    h = admin_headers
    district = (
        await _ok(await registry_client.post("/districts", json={"name": "Reggio Emilia"}, headers=h))
    )["id"]

    async def body(kind: str, name: str = "") -> str:
        payload = {"district_id": district, "kind": kind, "name": name}
        return (await _ok(await registry_client.post("/bodies", json=payload, headers=h)))["id"]

    comitato = await body("comitato_di_distretto", "Comitato di distretto di Reggio Emilia")
    ufficio = await body("ufficio_di_piano")
    tavolo = await body("thematic_table", "Tavolo anziani")
    gri = await body("gri", "GRI disabilità")

    async def relate(source: str, target: str, kind: str, start: str, end: str | None = None) -> None:
        payload = {"to_body_id": target, "kind": kind, "valid_from": start, "valid_to": end}
        await _ok(await registry_client.post(f"/bodies/{source}/relations", json=payload, headers=h))

    await relate(ufficio, comitato, "proposes_to", "2009-01-01")
    await relate(comitato, ufficio, "validates", "2009-01-01")
    await relate(tavolo, ufficio, "proposes_to", "2002-01-01", "2008-12-31")
    await relate(ufficio, gri, "convenes", "2014-01-01")
    people = []
    for family in ("Rossi", "Verdi"):
        person = {
            "given_name": "Anna",
            "family_name": family,
            "actor_category": "administrator",
            "district_ids": [district],
        }
        people.append((await _ok(await registry_client.post("/people", json=person, headers=h)))["id"])
    for person_id in people:
        member = {"person_id": person_id, "role": "member", "valid_from": "2014-01-01"}
        await _ok(await registry_client.post(f"/bodies/{comitato}/members", json=member, headers=h))
    organisations = []
    for kind in ("ausl", "municipality"):
        org = {"name": f"Ente {kind}", "kind": kind, "district_ids": [district]}
        organisations.append(
            (await _ok(await registry_client.post("/organisations", json=org, headers=h)))["id"]
        )
    agreement = {
        "district_id": district,
        "title": "Accordo di programma 2018-2020",
        "signed_on": "2018-06-28",
        "organisation_ids": organisations,
    }
    await _ok(await registry_client.post("/agreements", json=agreement, headers=h))

    programme = script.programme("Community Lab")
    edition = script.edition(programme, "2018-2019", [district], "2018-01-01", "2019-12-31")
    catch_up(session)

    diary = await _ok(
        await reporting_client.get(f"/districts/{district}/diary", params={"edition": edition}), 200
    )
    design = diary["architecture"]
    assert design["on"] == "2019-12-31"
    assert {(b["kind"], b["members"]) for b in design["bodies"]} == {
        ("comitato_di_distretto", 2),
        ("ufficio_di_piano", 0),
        ("thematic_table", 0),
        ("gri", 0),
    }
    arrows = {(r["from_body_id"], r["kind"], r["to_body_id"], r["active"]) for r in design["relations"]}
    assert arrows == {
        (ufficio, "proposes_to", comitato, True),
        (comitato, "validates", ufficio, True),
        (tavolo, "proposes_to", ufficio, False),
        (ufficio, "convenes", gri, True),
    }
    assert [(a["title"], a["parties"], a["active"]) for a in design["agreements"]] == [
        ("Accordo di programma 2018-2020", 2, True)
    ]
    text = str(diary)
    assert all(p not in text for p in people) and "Rossi" not in text

    page = await reporting_client.get(
        f"/districts/{district}/diary", params={"edition": edition, "format": "html"}
    )
    html = page.text
    assert '<section id="architettura">' in html
    assert "Comitato di distretto di Reggio Emilia valida le proposte di Ufficio di Piano" in html
    assert "Ufficio di Piano propone a Comitato di distretto di Reggio Emilia" in html
    assert "Tavolo anziani propone a Ufficio di Piano" in html and "non più in vigore" in html
    assert "Ufficio di Piano convoca GRI disabilità" in html
    assert "Accordo di programma 2018-2020" in html and "28/06/2018" in html
    assert "Rossi" not in html

    catch_up(session)  # a second pass over nothing new changes nothing
    again = await _ok(
        await reporting_client.get(f"/districts/{district}/diary", params={"edition": edition}), 200
    )
    assert again["architecture"] == design

    rows = {
        name: (await reporting_client.get(f"/opendata/{name}.json")).json()
        for name in ("bodies", "body_relations", "agreements")
    }
    assert {r["kind"] for r in rows["bodies"] if r["district_id"] == district} >= {"gri", "thematic_table"}
    assert {r["kind"] for r in rows["body_relations"] if r["district_id"] == district} == {
        "proposes_to",
        "validates",
        "convenes",
    }
    assert [r["parties"] for r in rows["agreements"] if r["district_id"] == district] == [2]
    assert "Rossi" not in str(rows) and not any(p in str(rows) for p in people)
