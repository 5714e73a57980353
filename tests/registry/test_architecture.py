"""A district's institutional design: thematic tables, GRI, CTSS, relations between bodies, agreements."""

from __future__ import annotations

import uuid
from collections.abc import Callable

import httpx
import pytest
from sqlmodel import Session

from shared.eventlog import read_stream
from tests.conftest import TestKey
from tests.registry.conftest import create_body, create_district, create_organisation, event_count

pytestmark = pytest.mark.anyio


async def _relate(
    client: httpx.AsyncClient, headers: dict[str, str], body_id: str, to: str, kind: str, start: str
) -> dict[str, object]:
    response = await client.post(
        f"/bodies/{body_id}/relations",
        json={"to_body_id": to, "kind": kind, "valid_from": start},
        headers=headers,
    )
    assert response.status_code == 201, response.text
    return dict(response.json())


async def test_reggio_emilia_design_is_recorded_and_read_on_a_date(
    registry_client: httpx.AsyncClient, admin_headers: dict[str, str], session: Session
) -> None:
    district = await create_district(registry_client, admin_headers)
    did = district["id"]
    comitato = await create_body(registry_client, admin_headers, did, "comitato_di_distretto")
    ufficio = await create_body(registry_client, admin_headers, did, "ufficio_di_piano")
    frailty = await create_body(registry_client, admin_headers, did, "thematic_table", name="Fragilità")
    families = await create_body(
        registry_client, admin_headers, did, "thematic_table", name="Nuove generazioni"
    )
    gri = await create_body(registry_client, admin_headers, did, "gri", name="GRI anziani")
    await create_body(registry_client, admin_headers, did, "ctss", name="CTSS di Reggio Emilia")

    proposes = await _relate(
        registry_client, admin_headers, ufficio["id"], comitato["id"], "proposes_to", "2009-01-01"
    )
    await _relate(registry_client, admin_headers, comitato["id"], ufficio["id"], "validates", "2009-01-01")
    for table in (frailty, families, gri):
        await _relate(registry_client, admin_headers, ufficio["id"], table["id"], "convenes", "2005-01-01")
        await _relate(registry_client, admin_headers, table["id"], ufficio["id"], "proposes_to", "2005-01-01")
    ended = await registry_client.post(
        f"/bodies/{families['id']}/relations",
        json={"to_body_id": ufficio["id"], "kind": "reports_to", "valid_from": "2005-01-01"},
        headers=admin_headers,
    )
    ended_id = ended.json()["id"]
    close = await registry_client.post(
        f"/bodies/{families['id']}/relations/{ended_id}/end",
        json={"valid_to": "2008-12-31"},
        headers=admin_headers,
    )
    assert close.status_code == 200 and close.json()["valid_to"] == "2008-12-31"
    again = await registry_client.post(
        f"/bodies/{families['id']}/relations/{ended_id}/end",
        json={"valid_to": "2009-12-31"},
        headers=admin_headers,
    )
    assert again.status_code == 409

    ausl = await create_organisation(registry_client, admin_headers, [did], kind="ausl")
    comune = await create_organisation(registry_client, admin_headers, [did], kind="municipality")
    created = await registry_client.post(
        "/agreements",
        json={
            "district_id": did,
            "title": "Accordo di Programma Piano di Zona 2018-2020",
            "signed_on": "2018-06-28",
            "valid_to": "2020-12-31",
            "organisation_ids": [ausl["id"], comune["id"]],
        },
        headers=admin_headers,
    )
    assert created.status_code == 201, created.text
    agreement = created.json()
    assert agreement["valid_from"] == "2018-06-28" and agreement["kind"] == "accordo_di_programma"
    assert created.headers["location"] == f"/agreements/{agreement['id']}"

    design = (await registry_client.get(f"/districts/{did}/architecture")).json()
    assert {b["kind"] for b in design["bodies"]} == {
        "comitato_di_distretto",
        "ufficio_di_piano",
        "thematic_table",
        "gri",
        "ctss",
    }
    assert len(design["relations"]) == 9
    assert [a["id"] for a in design["agreements"]] == [agreement["id"]]
    assert set(design["agreements"][0]["organisation_ids"]) == {ausl["id"], comune["id"]}

    in_2007 = (
        await registry_client.get(f"/districts/{did}/architecture", params={"on": "2007-06-01"})
    ).json()
    assert {(r["from_body_id"], r["kind"]) for r in in_2007["relations"]} >= {(families["id"], "reports_to")}
    assert proposes["id"] not in {r["id"] for r in in_2007["relations"]}
    assert in_2007["agreements"] == []
    in_2019 = (
        await registry_client.get(f"/districts/{did}/architecture", params={"on": "2019-06-01"})
    ).json()
    assert [a["id"] for a in in_2019["agreements"]] == [agreement["id"]]
    assert ended_id not in {r["id"] for r in in_2019["relations"]}
    assert len(in_2019["relations"]) == 8

    of_ufficio = (await registry_client.get(f"/bodies/{ufficio['id']}/relations")).json()["items"]
    assert len(of_ufficio) == 9  # from and to the Ufficio di Piano
    by_party = (await registry_client.get("/agreements", params={"organisation_id": ausl["id"]})).json()
    assert [a["id"] for a in by_party["items"]] == [agreement["id"]]

    stream = read_stream(session, "body", ufficio["id"])
    assert [e.type for e in stream][:2] == ["body.created", "body.relation_added"]
    assert stream[1].payload["to_body_id"] == comitato["id"] and stream[1].payload["kind"] == "proposes_to"
    assert stream[1].district_id == did
    recorded = read_stream(session, "agreement", agreement["id"])
    assert [e.type for e in recorded] == ["agreement.recorded"]
    assert set(recorded[0].payload["organisation_ids"]) == {ausl["id"], comune["id"]}

    end = await registry_client.post(
        f"/agreements/{agreement['id']}/end", json={"valid_to": "2020-06-30"}, headers=admin_headers
    )
    assert end.status_code == 409


async def test_architecture_rules_and_rights(
    registry_client: httpx.AsyncClient,
    admin_headers: dict[str, str],
    create_api_key: Callable[..., TestKey],
    session: Session,
) -> None:
    mine = await create_district(registry_client, admin_headers)
    other = await create_district(registry_client, admin_headers)
    editor = create_api_key("district_editor", districts=[mine["id"]])
    facilitator = create_api_key("facilitator", districts=[mine["id"]], person_id=str(uuid.uuid4()))

    unnamed = await registry_client.post(
        "/bodies", json={"district_id": mine["id"], "kind": "thematic_table"}, headers=editor.headers
    )
    assert unnamed.status_code == 422
    table = await create_body(registry_client, editor.headers, mine["id"], "thematic_table", name="Fragilità")
    same_name = await registry_client.post(
        "/bodies",
        json={"district_id": mine["id"], "kind": "thematic_table", "name": "Fragilità"},
        headers=editor.headers,
    )
    assert same_name.status_code == 409
    await create_body(registry_client, editor.headers, mine["id"], "ctss", name="CTSS")
    second_ctss = await registry_client.post(
        "/bodies", json={"district_id": mine["id"], "kind": "ctss", "name": "altra"}, headers=editor.headers
    )
    assert second_ctss.status_code == 409
    ufficio = await create_body(registry_client, editor.headers, mine["id"], "ufficio_di_piano")
    foreign = await create_body(registry_client, admin_headers, other["id"], "ufficio_di_piano")

    before = event_count(session)
    as_facilitator = await registry_client.post(
        f"/bodies/{table['id']}/relations",
        json={"to_body_id": ufficio["id"], "kind": "proposes_to", "valid_from": "2018-01-01"},
        headers=facilitator.headers,
    )
    assert as_facilitator.status_code == 403
    anonymous = await registry_client.post(
        f"/bodies/{table['id']}/relations",
        json={"to_body_id": ufficio["id"], "kind": "proposes_to", "valid_from": "2018-01-01"},
    )
    assert anonymous.status_code == 401
    cross = await registry_client.post(
        f"/bodies/{table['id']}/relations",
        json={"to_body_id": foreign["id"], "kind": "proposes_to", "valid_from": "2018-01-01"},
        headers=admin_headers,
    )
    assert cross.status_code == 422 and cross.json()["errors"][0]["path"] == "body.to_body_id"
    cross_as_editor = await registry_client.post(
        f"/bodies/{table['id']}/relations",
        json={"to_body_id": foreign["id"], "kind": "proposes_to", "valid_from": "2018-01-01"},
        headers=editor.headers,
    )
    assert cross_as_editor.status_code == 403
    itself = await registry_client.post(
        f"/bodies/{table['id']}/relations",
        json={"to_body_id": table["id"], "kind": "proposes_to", "valid_from": "2018-01-01"},
        headers=editor.headers,
    )
    assert itself.status_code == 422
    unknown = await registry_client.post(
        f"/bodies/{table['id']}/relations",
        json={"to_body_id": str(uuid.uuid4()), "kind": "proposes_to", "valid_from": "2018-01-01"},
        headers=editor.headers,
    )
    assert unknown.status_code == 422
    on_foreign = await registry_client.post(
        f"/bodies/{foreign['id']}/relations",
        json={"to_body_id": foreign["id"], "kind": "proposes_to", "valid_from": "2018-01-01"},
        headers=editor.headers,
    )
    assert on_foreign.status_code == 403
    assert event_count(session) == before

    await _relate(registry_client, editor.headers, table["id"], ufficio["id"], "proposes_to", "2018-01-01")
    overlap = await registry_client.post(
        f"/bodies/{table['id']}/relations",
        json={"to_body_id": ufficio["id"], "kind": "proposes_to", "valid_from": "2019-01-01"},
        headers=editor.headers,
    )
    assert overlap.status_code == 409

    org_mine = await create_organisation(registry_client, admin_headers, [mine["id"]])
    org_mine2 = await create_organisation(registry_client, admin_headers, [mine["id"]])
    org_other = await create_organisation(registry_client, admin_headers, [other["id"]])
    body = {"district_id": mine["id"], "title": "Accordo", "signed_on": "2018-06-28"}
    foreign_party = await registry_client.post(
        "/agreements",
        json={**body, "organisation_ids": [org_mine["id"], org_other["id"]]},
        headers=editor.headers,
    )
    assert foreign_party.status_code == 403
    assert "body.organisation_ids[1]" in foreign_party.json()["detail"]
    no_party = await registry_client.post(
        "/agreements", json={**body, "organisation_ids": []}, headers=editor.headers
    )
    assert no_party.status_code == 422
    twice = await registry_client.post(
        "/agreements",
        json={**body, "organisation_ids": [org_mine["id"], org_mine["id"]]},
        headers=editor.headers,
    )
    assert twice.status_code == 201 and twice.json()["organisation_ids"] == [org_mine["id"]]
    missing = await registry_client.post(
        "/agreements",
        json={**body, "organisation_ids": [org_mine["id"], str(uuid.uuid4())]},
        headers=editor.headers,
    )
    assert missing.status_code == 422
    backwards = await registry_client.post(
        "/agreements",
        json={**body, "valid_to": "2017-01-01", "organisation_ids": [org_mine["id"], org_mine2["id"]]},
        headers=editor.headers,
    )
    assert backwards.status_code == 422
    other_district = await registry_client.post(
        "/agreements",
        json={**body, "district_id": other["id"], "organisation_ids": [org_mine["id"], org_mine2["id"]]},
        headers=editor.headers,
    )
    assert other_district.status_code == 403
    ok = await registry_client.post(
        "/agreements",
        json={**body, "organisation_ids": [org_mine["id"], org_mine2["id"]]},
        headers=editor.headers,
    )
    assert ok.status_code == 201
    ended = await registry_client.post(
        f"/agreements/{ok.json()['id']}/end", json={"valid_to": "2020-12-31"}, headers=editor.headers
    )
    assert ended.status_code == 200 and ended.json()["valid_to"] == "2020-12-31"
    assert [e.type for e in read_stream(session, "agreement", ok.json()["id"])] == [
        "agreement.recorded",
        "agreement.ended",
    ]
