"""Organisations: kinds, districts served, contacts kept out of events, editors of every district served."""

from __future__ import annotations

import json
from collections.abc import Callable

import httpx
import pytest
from sqlmodel import Session

from shared.eventlog import read_stream
from tests.conftest import TestKey
from tests.registry.conftest import create_district, create_organisation, event_count

pytestmark = pytest.mark.anyio


async def test_create_update_and_events(
    registry_client: httpx.AsyncClient, admin_headers: dict[str, str], session: Session
) -> None:
    district = await create_district(registry_client, admin_headers)
    second = await create_district(registry_client, admin_headers)
    organisation = await create_organisation(
        registry_client,
        admin_headers,
        [district["id"]],
        kind="ausl",
        contacts=[{"label": "centralino", "email": "urp@ausl.example.org", "phone": "+39 051 000"}],
    )
    assert organisation["contacts"][0]["email"] == "urp@ausl.example.org"
    got = await registry_client.get(f"/organisations/{organisation['id']}")
    assert got.status_code == 200 and got.headers["etag"] == '"1"'
    updated = await registry_client.patch(
        f"/organisations/{organisation['id']}",
        json={"district_ids": [district["id"], second["id"]], "contacts": []},
        headers={**admin_headers, "If-Match": '"1"'},
    )
    assert updated.status_code == 200, updated.text
    assert set(updated.json()["district_ids"]) == {district["id"], second["id"]}
    stream = read_stream(session, "organisation", organisation["id"])
    assert [e.type for e in stream] == ["organisation.created", "organisation.updated"]
    assert stream[0].payload["kind"] == "ausl" and stream[0].payload["district_ids"] == [district["id"]]
    assert sorted(stream[1].payload["changed_fields"]) == ["contacts", "district_ids"]
    assert "urp@ausl.example.org" not in json.dumps([e.payload for e in stream])
    listed = await registry_client.get("/organisations", params={"district_id": second["id"], "kind": "ausl"})
    assert [o["id"] for o in listed.json()["items"]] == [organisation["id"]]
    stale = await registry_client.patch(
        f"/organisations/{organisation['id']}",
        json={"name": "X"},
        headers={**admin_headers, "If-Match": '"1"'},
    )
    assert stale.status_code == 412
    bad_kind = await registry_client.post(
        "/organisations",
        json={"name": "X", "kind": "church", "district_ids": [district["id"]]},
        headers=admin_headers,
    )
    assert bad_kind.status_code == 422


async def test_editor_needs_every_district_served(
    registry_client: httpx.AsyncClient,
    admin_headers: dict[str, str],
    create_api_key: Callable[..., TestKey],
    session: Session,
) -> None:
    mine = await create_district(registry_client, admin_headers)
    other = await create_district(registry_client, admin_headers)
    editor = create_api_key("district_editor", districts=[mine["id"]])
    own = await create_organisation(registry_client, editor.headers, [mine["id"]])
    shared = await create_organisation(registry_client, admin_headers, [mine["id"], other["id"]])
    before = event_count(session)
    for attempt in (
        registry_client.patch(
            f"/organisations/{shared['id']}", json={"name": "Nuovo"}, headers=editor.headers
        ),
        registry_client.patch(
            f"/organisations/{own['id']}",
            json={"district_ids": [mine["id"], other["id"]]},
            headers=editor.headers,
        ),
        registry_client.post(
            "/organisations",
            json={"name": "Scuola", "kind": "school", "district_ids": [other["id"]]},
            headers=editor.headers,
        ),
    ):
        assert (await attempt).status_code == 403
    assert event_count(session) == before
    ok = await registry_client.patch(
        f"/organisations/{own['id']}", json={"name": "Nuovo nome"}, headers=editor.headers
    )
    assert ok.status_code == 200 and ok.json()["name"] == "Nuovo nome"
