"""The process timeline: merged streams, in log order, with sentences in Italian and English."""

from __future__ import annotations

import uuid

import httpx
import pytest
from sqlmodel import Session

from services.reporting.consumer import catch_up
from tests.reporting.conftest import EventScript
from tests.reporting.scripted import build

pytestmark = pytest.mark.anyio


async def test_timeline_merges_the_process_streams_in_order(
    session: Session, script: EventScript, reporting_client: httpx.AsyncClient
) -> None:
    edition = build(script)
    catch_up(session)
    response = await reporting_client.get(f"/processes/{edition['PA']}/timeline")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["title"] == "Aggiungi un posto al tavolo"
    items = body["items"]
    positions = [item["position"] for item in items]
    assert positions == sorted(positions) and len(set(positions)) == len(positions)
    english = [item["sentence"]["en"] for item in items]
    italian = [item["sentence"]["it"] for item in items]
    assert english[0] == "Participatory process 'Aggiungi un posto al tavolo' was created"
    assert "Comitato di Distretto validated priority 'Casa della salute' on 12 March 2019" in english
    assert "Il Comitato di Distretto ha validato la priorità 'Casa della salute' il 12/03/2019" in italian
    assert "Comitato di Distretto rejected priority 'Trasporto sociale' on 12 March 2019" in english
    # People are described by category and role, never by name.
    assert (
        "A member (Third sector, role: coordinatore) joined the core steering group on 5 October 2018"
        in english
    )
    # 17:00 UTC on 15 November 2018 is 18:00 in Rome; each language writes dates its own way.
    assert (
        "Workshop 'Apertura' (Open Space Technology) was scheduled for 15 November 2018, 18:00" in english
    ), english
    assert "Invention 'Portierato sociale' was handed over to another district on 1 May 2019" in english
    assert any(s.startswith("Attendance of workshop 'Café' was recorded: 4 present") for s in english)
    # Streams of other processes stay out; the district-level priority has no process.
    assert not any(
        "Comunità in cammino" in s or "Rete caregiver" in s or "Centro giovani" in s for s in english
    )
    stream_types = {item["stream_type"] for item in items}
    assert stream_types == {"process", "body", "workshop", "invention", "priority", "evaluation_response"}
    assert items[0]["occurred_at_local"].endswith(("+01:00", "+02:00"))


async def test_timeline_pages_with_after(
    session: Session, script: EventScript, reporting_client: httpx.AsyncClient
) -> None:
    edition = build(script)
    catch_up(session)
    whole = (await reporting_client.get(f"/processes/{edition['PA']}/timeline")).json()["items"]
    first = (await reporting_client.get(f"/processes/{edition['PA']}/timeline", params={"limit": 5})).json()
    assert [i["position"] for i in first["items"]] == [i["position"] for i in whole[:5]]
    rest = (
        await reporting_client.get(
            f"/processes/{edition['PA']}/timeline", params={"after": first["next_after"]}
        )
    ).json()
    assert [i["position"] for i in first["items"] + rest["items"]] == [i["position"] for i in whole]
    assert rest["next_after"] is None


async def test_timeline_unknown_process_and_bad_query(reporting_client: httpx.AsyncClient) -> None:
    missing = await reporting_client.get(f"/processes/{uuid.uuid4()}/timeline")
    assert missing.status_code == 404
    assert missing.headers["content-type"] == "application/problem+json"
    bad = await reporting_client.get(f"/processes/{uuid.uuid4()}/timeline", params={"limit": 0})
    assert bad.status_code == 422
    not_uuid = await reporting_client.get("/processes/not-a-uuid/timeline")
    assert not_uuid.status_code == 422
