"""Restitution material of a process and the outcomes born in a workshop."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest

pytestmark = pytest.mark.anyio


async def test_restitution_gathers_what_each_event_reports(
    outcomes_client: httpx.AsyncClient,
    registry: Any,
    create_process: Callable[..., Any],
    create_workshop: Callable[..., Any],
    create_invention: Callable[..., Any],
    create_priority: Callable[..., Any],
    create_api_key: Callable[..., Any],
) -> None:
    district = await registry.district()
    process = await create_process(district)
    cafe = await create_workshop(process, "world_cafe")
    table = await create_workshop(process, "project_table")
    event = await create_workshop(process, "restitution_event")
    admin = create_api_key("regional_admin").headers
    editor = create_api_key("district_editor", districts=[district]).headers

    presented = await create_invention(
        editor, process["id"], title="Presentata", workshop_id=cafe["id"], restitution_workshop_id=event["id"]
    )
    pending_invention = await create_invention(
        editor, process["id"], title="Non ancora", workshop_id=cafe["id"]
    )
    wrong_event = await outcomes_client.post(
        "/inventions",
        json={
            "process_id": process["id"],
            "title": "x",
            "kind": "action",
            "theme": "reti_vive",
            "restitution_workshop_id": cafe["id"],
        },
        headers=editor,
    )
    assert wrong_event.status_code == 422
    assert wrong_event.json()["errors"][0]["path"] == "body.restitution_workshop_id"

    reported = await create_priority(
        editor, district, process_id=process["id"], workshop_id=cafe["id"], source="workshop"
    )
    pid = reported["id"]
    decision = {"sitting_date": "2026-03-12", "motivation": "ok"}
    for action, body in [
        ("submit", {"year": 2026}),
        ("validate", decision),
        ("assign", {"project_table_workshop_ids": [table["id"]]}),
        ("start", None),
    ]:
        assert (
            await outcomes_client.post(f"/priorities/{pid}/{action}", json=body, headers=admin)
        ).status_code == 200
    not_restitution = await outcomes_client.post(
        f"/priorities/{pid}/report",
        json={"outcome": "achieved", "restitution_workshop_id": table["id"]},
        headers=admin,
    )
    assert not_restitution.status_code == 422
    done = await outcomes_client.post(
        f"/priorities/{pid}/report",
        json={"outcome": "achieved", "restitution_workshop_id": event["id"]},
        headers=admin,
    )
    assert done.status_code == 200
    open_priority = await create_priority(editor, district, process_id=process["id"], title="Ancora aperta")
    rejected = await create_priority(editor, district, process_id=process["id"], title="Respinta")
    await outcomes_client.post(f"/priorities/{rejected['id']}/submit", json={"year": 2026}, headers=admin)
    await outcomes_client.post(f"/priorities/{rejected['id']}/reject", json=decision, headers=admin)

    material = await outcomes_client.get(f"/processes/{process['id']}/restitution")
    assert material.status_code == 200, material.text
    body = material.json()
    assert body["district_id"] == district
    assert len(body["restitution_events"]) == 1
    gathered = body["restitution_events"][0]
    assert gathered["workshop"]["id"] == event["id"]
    assert [(p["id"], p["outcome"]) for p in gathered["priorities"]] == [(pid, "achieved")]
    assert [i["id"] for i in gathered["inventions"]] == [presented["id"]]
    assert [p["id"] for p in body["priorities_not_yet_reported"]] == [open_priority["id"]]
    assert [i["id"] for i in body["inventions_not_yet_presented"]] == [pending_invention["id"]]

    outcomes = await outcomes_client.get(f"/workshops/{cafe['id']}/outcomes")
    assert outcomes.status_code == 200
    assert {i["title"] for i in outcomes.json()["inventions"]} == {"Presentata", "Non ancora"}
    assert [p["id"] for p in outcomes.json()["priorities"]] == [pid]
    assert (await outcomes_client.get(f"/workshops/{table['id']}/outcomes")).json()["inventions"] == []
    missing = "00000000-0000-4000-8000-000000000000"
    assert (await outcomes_client.get(f"/processes/{missing}/restitution")).status_code == 404
    assert (await outcomes_client.get(f"/workshops/{missing}/outcomes")).status_code == 404
