"""Inventions through the API: creation with origin and registry ids, validation, access, lists, hand-over."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest
from sqlmodel import Session

from shared.eventlog import read_all, read_stream
from tests.workshops_outcomes.conftest import process_history

pytestmark = pytest.mark.anyio


@pytest.fixture
async def world(
    registry: Any,
    create_process: Callable[..., Any],
    create_workshop: Callable[..., Any],
    create_api_key: Callable[..., Any],
    outcomes_client: httpx.AsyncClient,
) -> dict[str, Any]:
    district = await registry.district()
    process = await create_process(district, title="Aggiungi un posto al tavolo")
    ost = await create_workshop(process, "open_space_technology")
    editor = create_api_key("district_editor", districts=[district])
    topic = await outcomes_client.post(
        f"/workshops/{ost['id']}/ost/topics",
        json={"title": "Solitudine nei piccoli paesi", "slot_label": "mattina-1", "space": "Sala A"},
        headers=editor.headers,
    )
    assert topic.status_code == 201, topic.text
    return {
        "district": district,
        "process": process,
        "ost": ost,
        "topic": topic.json()["id"],
        "editor": editor,
        "person": await registry.person(district),
        "organisation": await registry.organisation(district),
    }


async def test_create_an_invention_born_in_an_ost_topic(
    outcomes_client: httpx.AsyncClient, world: dict[str, Any], session: Session
) -> None:
    body = {
        "process_id": world["process"]["id"],
        "workshop_id": world["ost"]["id"],
        "origin": {"kind": "ost_topic", "id": world["topic"]},
        "title": "Sportello di prossimità nei quartieri",
        "description": "Un punto di ascolto gestito da servizi e volontari.",
        "kind": "citizen_engagement",
        "theme": "reti_vive",
        "person_ids": [world["person"]],
        "organisation_ids": [world["organisation"]],
        "attachments": [{"title": "Presentazione", "url": "https://example.org/sportello.pdf"}],
    }
    response = await outcomes_client.post(
        "/inventions", json=body, headers=world["editor"].headers | {"Idempotency-Key": "inv-1"}
    )
    assert response.status_code == 201, response.text
    invention = response.json()
    assert response.headers["Location"] == f"/inventions/{invention['id']}"
    assert response.headers["ETag"] == '"1"'
    assert invention["district_id"] == world["district"]
    assert invention["edition_id"] == world["process"]["edition_id"]
    assert invention["theme_label"] == {"it": "Reti vive", "en": "Living networks"}
    replay = await outcomes_client.post(
        "/inventions", json=body, headers=world["editor"].headers | {"Idempotency-Key": "inv-1"}
    )
    assert replay.status_code == 201
    assert replay.json()["id"] == invention["id"]

    detail = (await outcomes_client.get(f"/inventions/{invention['id']}")).json()
    assert detail["origin_detail"]["process"]["title"] == "Aggiungi un posto al tavolo"
    assert detail["origin_detail"]["workshop"]["id"] == world["ost"]["id"]
    assert detail["origin_detail"]["workshop"]["method"] == "open_space_technology"
    assert detail["origin_detail"]["session"] == {
        "kind": "ost_topic",
        "id": world["topic"],
        "title": "Solitudine nei piccoli paesi",
    }

    events = read_stream(session, "invention", invention["id"])
    assert [e.type for e in events] == ["invention.created"]
    payload = events[0].payload
    assert payload["process_id"] == world["process"]["id"]
    assert payload["district_id"] == world["district"] == events[0].district_id
    assert payload["edition_id"] == world["process"]["edition_id"]
    assert payload["workshop_id"] == world["ost"]["id"]
    assert payload["origin"] == {"kind": "ost_topic", "id": world["topic"]}
    assert (payload["kind"], payload["theme"]) == ("citizen_engagement", "reti_vive")
    assert payload["person_ids"] == [world["person"]]
    history = await process_history(outcomes_client, world["process"]["id"], world["editor"].headers)
    assert "invention.created" in [h["type"] for h in history]


@pytest.mark.parametrize(
    ("change", "path"),
    [
        ({"person_ids": ["00000000-0000-4000-8000-000000000001"]}, "body.person_ids[0]"),
        ({"organisation_ids": ["00000000-0000-4000-8000-000000000002"]}, "body.organisation_ids[0]"),
        ({"origin": {"kind": "ost_topic", "id": "00000000-0000-4000-8000-000000000003"}}, "body.origin.id"),
        ({"theme": "tutto_il_resto"}, "body.theme"),
        ({"kind": "poem"}, "body.kind"),
        ({"attachments": [{"title": "x", "url": "ftp://example.org/x"}]}, "body.attachments[0].url"),
        ({"attachments": [{"title": "x", "url": "https://example.org/x"}] * 21}, "body.attachments"),
        ({"title": ""}, "body.title"),
        ({"colour": "red"}, "body.colour"),
    ],
)
async def test_invalid_inventions_are_422_and_write_nothing(
    outcomes_client: httpx.AsyncClient,
    world: dict[str, Any],
    session: Session,
    change: dict[str, Any],
    path: str,
) -> None:
    body = {
        "process_id": world["process"]["id"],
        "workshop_id": world["ost"]["id"],
        "title": "Invenzione",
        "kind": "action",
        "theme": "oltre_i_servizi",
    } | change
    response = await outcomes_client.post("/inventions", json=body, headers=world["editor"].headers)
    assert response.status_code == 422, response.text
    assert path in [e["path"] for e in response.json()["errors"]]
    assert read_all(session, stream_types=["invention"], district_id=world["district"]) == []


async def test_origin_and_workshop_must_belong_to_the_process(
    outcomes_client: httpx.AsyncClient,
    world: dict[str, Any],
    create_process: Callable[..., Any],
    create_workshop: Callable[..., Any],
) -> None:
    sibling = await create_process(world["district"], title="Un altro percorso")
    sibling_workshop = await create_workshop(sibling, "world_cafe")
    base = {
        "process_id": world["process"]["id"],
        "title": "x",
        "kind": "action",
        "theme": "narrare_i_processi",
    }
    other_workshop = await outcomes_client.post(
        "/inventions", json=base | {"workshop_id": sibling_workshop["id"]}, headers=world["editor"].headers
    )
    assert other_workshop.status_code == 422
    assert other_workshop.json()["errors"][0]["path"] == "body.workshop_id"
    topic_elsewhere = await outcomes_client.post(
        "/inventions",
        json=base
        | {"workshop_id": sibling_workshop["id"], "origin": {"kind": "ost_topic", "id": world["topic"]}}
        | {"process_id": sibling["id"]},
        headers=world["editor"].headers,
    )
    assert topic_elsewhere.status_code == 422
    assert topic_elsewhere.json()["errors"][0]["path"] == "body.origin.id"
    no_workshop = await outcomes_client.post(
        "/inventions",
        json=base | {"origin": {"kind": "ost_topic", "id": world["topic"]}},
        headers=world["editor"].headers,
    )
    assert no_workshop.status_code == 422


async def test_only_the_districts_editors_record_inventions(
    outcomes_client: httpx.AsyncClient,
    world: dict[str, Any],
    registry: Any,
    create_api_key: Callable[..., Any],
    session: Session,
) -> None:
    other = create_api_key("district_editor", districts=[await registry.district()])
    body = {
        "process_id": world["process"]["id"],
        "title": "x",
        "kind": "action",
        "theme": "il_fronte_interno",
    }
    assert (await outcomes_client.post("/inventions", json=body, headers=other.headers)).status_code == 403
    assert (await outcomes_client.post("/inventions", json=body)).status_code == 401
    assert read_all(session, stream_types=["invention"], district_id=world["district"]) == []


async def test_list_and_filter_inventions_with_cursor_pagination(
    outcomes_client: httpx.AsyncClient,
    world: dict[str, Any],
    registry: Any,
    create_process: Callable[..., Any],
    create_invention: Callable[..., Any],
    admin_headers: dict[str, str],
) -> None:
    headers = world["editor"].headers
    pid = world["process"]["id"]
    await create_invention(headers, pid, title="A", theme="reti_vive", kind="action")
    await create_invention(headers, pid, title="B", theme="reti_vive", kind="document")
    await create_invention(headers, pid, title="C", theme="prodotti_tangibili", kind="product")
    elsewhere = await create_process(await registry.district())
    await create_invention(admin_headers, elsewhere["id"], title="D", theme="reti_vive", kind="action")

    async def titles(**params: Any) -> list[str]:
        response = await outcomes_client.get("/inventions", params=params)
        assert response.status_code == 200, response.text
        return [i["title"] for i in response.json()["items"]]

    assert await titles(district_id=world["district"]) == ["A", "B", "C"]
    assert await titles(district_id=world["district"], theme="reti_vive") == ["A", "B"]
    assert await titles(edition_id=world["process"]["edition_id"], kind="product") == ["C"]
    assert await titles(theme="reti_vive", kind="action", district_id=elsewhere["district_id"]) == ["D"]
    first = await outcomes_client.get("/inventions", params={"district_id": world["district"], "limit": 2})
    assert [i["title"] for i in first.json()["items"]] == ["A", "B"]
    assert 'rel="next"' in first.headers["Link"]
    assert await titles(district_id=world["district"], limit=2, cursor=first.json()["next_cursor"]) == ["C"]
    bad = await outcomes_client.get("/inventions", params={"theme": "nope"})
    assert bad.status_code == 422
    assert (await outcomes_client.get("/inventions", params={"cursor": "%%%"})).status_code == 422


async def test_update_with_if_match_and_hand_over(
    outcomes_client: httpx.AsyncClient,
    world: dict[str, Any],
    registry: Any,
    create_invention: Callable[..., Any],
    session: Session,
) -> None:
    headers = world["editor"].headers
    invention = await create_invention(headers, world["process"]["id"])
    iid = invention["id"]
    stale = await outcomes_client.patch(
        f"/inventions/{iid}", json={"title": "Nuovo"}, headers=headers | {"If-Match": '"9"'}
    )
    assert stale.status_code == 412
    updated = await outcomes_client.patch(
        f"/inventions/{iid}",
        json={"title": "Nuovo", "theme": "narrare_i_processi"},
        headers=headers | {"If-Match": '"1"'},
    )
    assert updated.status_code == 200, updated.text
    assert updated.headers["ETag"] == '"2"'
    assert (updated.json()["title"], updated.json()["theme"]) == ("Nuovo", "narrare_i_processi")
    assert (
        await outcomes_client.patch(f"/inventions/{iid}", json={"title": None}, headers=headers)
    ).status_code == 422

    neighbour = await registry.district("Distretto vicino")
    both = await outcomes_client.post(
        f"/inventions/{iid}/handover",
        json={"to_district_id": neighbour, "to_organisation_id": world["organisation"], "on": "2026-11-20"},
        headers=headers,
    )
    assert both.status_code == 422
    unknown = await outcomes_client.post(
        f"/inventions/{iid}/handover",
        json={"to_district_id": "00000000-0000-4000-8000-000000000009", "on": "2026-11-20"},
        headers=headers,
    )
    assert unknown.status_code == 422
    assert unknown.json()["errors"][0]["path"] == "body.to_district_id"
    handed = await outcomes_client.post(
        f"/inventions/{iid}/handover",
        json={"to_district_id": neighbour, "on": "2026-11-20", "note": "Al tavolo del distretto vicino"},
        headers=headers | {"If-Match": '"2"'},
    )
    assert handed.status_code == 200, handed.text
    assert handed.json()["handover"] == {
        "to_district_id": neighbour,
        "to_organisation_id": None,
        "on": "2026-11-20",
        "note": "Al tavolo del distretto vicino",
    }
    events = read_stream(session, "invention", iid)
    assert [e.type for e in events] == ["invention.created", "invention.updated", "invention.handed_over"]
    assert events[1].payload["changes"] == {"title": "Nuovo", "theme": "narrare_i_processi"}
    assert events[2].payload["to_district_id"] == neighbour
    assert events[2].payload["process_id"] == world["process"]["id"]
    assert all(e.district_id == world["district"] for e in events)


async def test_people_ids_are_shown_to_staff_keys_only(
    outcomes_client: httpx.AsyncClient, world: dict[str, Any], create_invention: Callable[..., Any]
) -> None:
    invention = await create_invention(
        world["editor"].headers, world["process"]["id"], person_ids=[world["person"]]
    )
    staff = await outcomes_client.get(f"/inventions/{invention['id']}", headers=world["editor"].headers)
    assert staff.json()["person_ids"] == [world["person"]]
    anonymous = await outcomes_client.get(f"/inventions/{invention['id']}")
    assert anonymous.json()["person_ids"] == []
    listed = await outcomes_client.get("/inventions", params={"district_id": world["district"]})
    assert listed.json()["items"][0]["person_ids"] == []
    assert listed.json()["items"][0]["organisation_ids"] == invention["organisation_ids"]
