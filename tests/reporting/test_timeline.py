"""The process timeline: merged streams, in log order, with sentences in Italian and English."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

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


async def test_timeline_pages_with_after_in_log_order(
    session: Session, script: EventScript, reporting_client: httpx.AsyncClient
) -> None:
    edition = build(script)
    catch_up(session)
    url = f"/processes/{edition['PA']}/timeline"
    whole = (await reporting_client.get(url, params={"order": "log"})).json()["items"]
    assert [i["position"] for i in whole] == sorted(i["position"] for i in whole)
    first = (await reporting_client.get(url, params={"order": "log", "limit": 5})).json()
    assert [i["position"] for i in first["items"]] == [i["position"] for i in whole[:5]]
    rest = (await reporting_client.get(url, params={"order": "log", "after": first["next_after"]})).json()
    assert [i["position"] for i in first["items"] + rest["items"]] == [i["position"] for i in whole]
    assert rest["next_after"] is None and rest["next_cursor"] is None


async def test_timeline_orders_by_when_things_happened_and_says_when_they_were_recorded(
    session: Session, script: EventScript, reporting_client: httpx.AsyncClient
) -> None:
    district = script.district("Distretto Storico", code="DH1", population=50_000)
    edition = script.edition(
        script.programme("Community Lab"), "2014", [district], "2014-01-01", "2014-12-31"
    )
    process = script.process(district, edition, "Percorso del 2014")
    script.workshop(
        process, district, method="world_cafe", title="Café", starts_at="2014-03-10T17:00:00+00:00"
    )
    priority = script.priority(process, district, "Casa della salute", edition)
    # The validation is typed in today, back-dated to the sitting of the Comitato di Distretto of 12/02/2014.
    script.priority_step(priority, process, district, "submitted")
    sitting = datetime(2014, 2, 12, 9, 0, tzinfo=UTC)
    script.priority_step(
        priority, process, district, "validated", at=sitting, sitting_date="2014-02-12", outcome="validated"
    )
    catch_up(session)
    url = f"/processes/{process}/timeline"

    by_occurrence = (await reporting_client.get(url)).json()
    assert by_occurrence["order"] == "occurred"
    items = by_occurrence["items"]
    occurred = [i["occurred_at"] for i in items]
    assert occurred == sorted(occurred)
    validated = next(i for i in items if i["event_type"] == "priority.validated")
    # Recorded last, it happened before the workshop: it comes first of the two.
    workshop = next(i for i in items if i["event_type"] == "workshop.scheduled")
    assert items.index(validated) < items.index(workshop)
    assert validated["position"] > workshop["position"]
    assert validated["occurred_at_local"].startswith("2014-02-12")
    assert validated["recorded_at"] is not None and not validated["recorded_at"].startswith("2014")
    # Both dates where they differ; one where they are the same day.
    assert "12/02/2014" in validated["sentence"]["it"] and "(registrato il " in validated["sentence"]["it"]
    assert "(recorded on " in validated["sentence"]["en"]
    assert "registrato il" not in workshop["sentence"]["it"]

    by_log = (await reporting_client.get(url, params={"order": "log"})).json()["items"]
    assert [i["position"] for i in by_log] == sorted(i["position"] for i in items)
    assert by_log[-1]["event_type"] == "priority.validated"

    # Cursor pages of the occurrence order join up to the whole list, without repeats.
    seen: list[int] = []
    params: dict[str, str | int] = {"limit": 2}
    while True:
        page = (await reporting_client.get(url, params=params)).json()
        seen += [i["position"] for i in page["items"]]
        if page["next_cursor"] is None:
            break
        params = {"limit": 2, "cursor": page["next_cursor"]}
    assert seen == [i["position"] for i in items]

    mixed = await reporting_client.get(url, params={"after": 3})
    assert mixed.status_code == 422 and mixed.json()["errors"][0]["path"] == "query.after"
    forged = await reporting_client.get(url, params={"cursor": "abc.def"})
    assert forged.status_code == 422 and forged.json()["errors"][0]["path"] == "query.cursor"


async def test_timeline_unknown_process_and_bad_query(reporting_client: httpx.AsyncClient) -> None:
    missing = await reporting_client.get(f"/processes/{uuid.uuid4()}/timeline")
    assert missing.status_code == 404
    assert missing.headers["content-type"] == "application/problem+json"
    bad = await reporting_client.get(f"/processes/{uuid.uuid4()}/timeline", params={"limit": 0})
    assert bad.status_code == 422
    not_uuid = await reporting_client.get("/processes/not-a-uuid/timeline")
    assert not_uuid.status_code == 422
