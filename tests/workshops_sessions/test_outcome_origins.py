"""Outcomes born in a session: an invention and a priority keep their Open Space topic as origin session,
shown by their own routes, in the workshop's outcomes and in the process history."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import httpx
import pytest

from services.workshops.processes.models import Workshop

pytestmark = pytest.mark.anyio


async def test_invention_and_priority_trace_back_to_their_topic(
    workshops_client: httpx.AsyncClient,
    admin_headers: dict[str, str],
    create_workshop: Callable[..., Awaitable[Workshop]],
) -> None:
    workshop = await create_workshop(method="open_space_technology", title="Open Space Lugo")
    other = await create_workshop(method="open_space_technology", district_id=workshop.district_id)
    base = f"/workshops/{workshop.id}"
    topic = await workshops_client.post(
        f"{base}/ost/topics",
        json={"title": "Loneliness in villages", "slot_label": "1", "space": "Room A"},
        headers=admin_headers,
    )
    assert topic.status_code == 201
    topic_id = topic.json()["id"]
    elsewhere = await workshops_client.post(
        f"/workshops/{other.id}/ost/topics",
        json={"title": "Elsewhere", "slot_label": "1", "space": "Room A"},
        headers=admin_headers,
    )
    origin = {"kind": "ost_topic", "id": topic_id}

    invention = await workshops_client.post(
        "/inventions",
        json={
            "process_id": str(workshop.process_id),
            "workshop_id": str(workshop.id),
            "origin": origin,
            "title": "Village map of who is alone",
            "kind": "service_organisation",
            "theme": "reti_vive",
        },
        headers=admin_headers,
    )
    assert invention.status_code == 201, invention.text
    priority = await workshops_client.post(
        "/priorities",
        json={
            "district_id": str(workshop.district_id),
            "process_id": str(workshop.process_id),
            "workshop_id": str(workshop.id),
            "origin": origin,
            "source": "workshop",
            "title": "Contrastare la solitudine degli anziani",
        },
        headers=admin_headers,
    )
    assert priority.status_code == 201, priority.text
    misplaced = await workshops_client.post(
        "/priorities",
        json={
            "district_id": str(workshop.district_id),
            "process_id": str(workshop.process_id),
            "workshop_id": str(workshop.id),
            "origin": {"kind": "ost_topic", "id": elsewhere.json()["id"]},
            "source": "workshop",
            "title": "Born somewhere else",
        },
        headers=admin_headers,
    )
    assert misplaced.status_code == 422
    assert misplaced.json()["errors"][0]["path"] == "body.origin.id"

    for path in (f"/inventions/{invention.json()['id']}", f"/priorities/{priority.json()['id']}"):
        detail = (await workshops_client.get(path)).json()
        assert detail["origin"] == origin
        assert detail["origin_detail"]["session"] == {**origin, "title": "Loneliness in villages"}
        assert detail["origin_detail"]["workshop"]["id"] == str(workshop.id)

    outcomes = await workshops_client.get(f"{base}/outcomes")
    assert outcomes.status_code == 200
    assert invention.json()["id"] in outcomes.text and priority.json()["id"] in outcomes.text

    history = await workshops_client.get(f"/processes/{workshop.process_id}/history", headers=admin_headers)
    types = [(e["type"], e["payload"].get("origin")) for e in history.json()["items"]]
    assert ("workshop.ost_topic_proposed", None) in types
    assert ("invention.created", origin) in types
    assert ("priority.proposed", origin) in types
