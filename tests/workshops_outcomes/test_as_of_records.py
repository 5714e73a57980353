"""``as_of`` (valid time) and ``known_at`` (transaction time) on workshops, inventions and evaluation results.

Each record is rebuilt from its own events by the one fold the process, priority and attendance reads use,
so a change recorded later shows ``as_of`` from the time it applies to and stays out of ``known_at`` answers
before its recording.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from shared.db import utcnow
from tests.workshops_outcomes.conftest import DEFAULT_TEMPLATE_ID

pytestmark = pytest.mark.anyio


async def _process(client: httpx.AsyncClient, h: dict[str, str], district: str) -> dict[str, Any]:
    response = await client.post(
        "/processes",
        json={"district_id": district, "title": "Lab 2019", "started_on": "2018-10-01"},
        headers=h,
    )
    assert response.status_code == 201, response.text
    return dict(response.json())


async def _workshop(
    client: httpx.AsyncClient, h: dict[str, str], process_id: str, starts: str, ends: str
) -> dict[str, Any]:
    response = await client.post(
        f"/processes/{process_id}/workshops",
        json={
            "method": "world_cafe",
            "title": "Café",
            "starts_at": starts,
            "ends_at": ends,
            "venue": "Sala civica",
            "facilitator_ids": [],
        },
        headers=h,
    )
    assert response.status_code == 201, response.text
    return dict(response.json())


async def _get(client: httpx.AsyncClient, url: str, h: dict[str, str], **params: str) -> Any:
    response = await client.get(url, params=params, headers=h)
    return response.json() if response.status_code == 200 else response.status_code


async def test_a_workshop_as_of_its_day_and_as_known_before_a_fix(
    outcomes_client: httpx.AsyncClient, registry: Any, admin_headers: dict[str, str]
) -> None:
    h = admin_headers
    process = await _process(outcomes_client, h, await registry.district())
    workshop = await _workshop(
        outcomes_client, h, process["id"], "2019-02-10T15:00:00Z", "2019-02-10T18:00:00Z"
    )
    url = f"/workshops/{workshop['id']}"
    known_scheduled = utcnow().isoformat()
    moved = await outcomes_client.patch(url, json={"venue": "Biblioteca"}, headers=h)
    assert moved.status_code == 200, moved.text
    known_moved = utcnow().isoformat()
    # Recorded last, but it happened on the workshop's day (a held status is dated by the start).
    held = await outcomes_client.post(f"{url}/status", json={"status": "held"}, headers=h)
    assert held.status_code == 200, held.text

    now = await _get(outcomes_client, url, h)
    assert (now["status"], now["venue"], now["as_of"]) == ("held", "Biblioteca", None)
    # Valid time: as of just after scheduling it had already been held (the status applies from its day),
    # in the room it was scheduled in (the move happened after that moment).
    as_of_scheduled = await _get(outcomes_client, url, h, as_of=known_scheduled)
    assert (as_of_scheduled["status"], as_of_scheduled["venue"]) == ("held", "Sala civica")
    assert as_of_scheduled["as_of"] is not None and as_of_scheduled["known_at"] is None
    # Transaction time: what we knew then, before the status was recorded.
    known_then = await _get(outcomes_client, url, h, known_at=known_scheduled)
    assert (known_then["status"], known_then["venue"], known_then["version"]) == ("planned", "Sala civica", 1)
    assert known_then["starts_at_local"].startswith("2019-02-10T16:00")
    after_move = await _get(outcomes_client, url, h, known_at=known_moved)
    assert (after_move["status"], after_move["venue"]) == ("planned", "Biblioteca")
    # Scheduled today, but held on 10/02/2019: it existed by then, as it was scheduled (not yet moved).
    in_2019 = await _get(outcomes_client, url, h, as_of="2019-12-31")
    assert (in_2019["status"], in_2019["venue"]) == ("held", "Sala civica")
    assert await _get(outcomes_client, url, h, as_of="2019-02-09") == 404
    assert await _get(outcomes_client, url, h, known_at="2001-01-01") == 404
    bad = await outcomes_client.get(url, params={"known_at": "2020-13-01"}, headers=h)
    assert bad.status_code == 422 and bad.json()["errors"][0]["path"] == "query.known_at"


async def test_an_invention_as_of_its_hand_over_and_as_known_before_an_amendment(
    outcomes_client: httpx.AsyncClient, registry: Any, admin_headers: dict[str, str]
) -> None:
    h = admin_headers
    district, other = await registry.district(), await registry.district()
    process = await _process(outcomes_client, h, district)
    created = await outcomes_client.post(
        "/inventions",
        json={
            "process_id": process["id"],
            "title": "Sportello",
            "description": "Ascolto",
            "kind": "service_organisation",
            "theme": "oltre_i_servizi",
        },
        headers=h,
    )
    assert created.status_code == 201, created.text
    url = f"/inventions/{created.json()['id']}"
    known_created = utcnow().isoformat()
    handed = await outcomes_client.post(
        f"{url}/handover", json={"to_district_id": other, "on": "2019-05-08"}, headers=h
    )
    assert handed.status_code == 200, handed.text
    known_handed = utcnow().isoformat()
    amended = await outcomes_client.patch(url, json={"title": "Sportello di prossimità"}, headers=h)
    assert amended.status_code == 200, amended.text

    now = await _get(outcomes_client, url, h)
    assert now["title"] == "Sportello di prossimità" and now["handover"]["on"] == "2019-05-08"
    # Valid time: as of 2019 the hand-over (dated by its day) had happened, so the invention existed by
    # then, with the title it was recorded with (the amendment happened today).
    in_2019 = await _get(outcomes_client, url, h, as_of="2019-12-31")
    assert (in_2019["title"], in_2019["handover"]["on"]) == ("Sportello", "2019-05-08")
    assert await _get(outcomes_client, url, h, as_of="2019-05-07") == 404
    # Transaction time: before the hand-over was recorded there was none; before the amendment, the old title.
    first = await _get(outcomes_client, url, h, known_at=known_created)
    assert (first["title"], first["handover"], first["version"]) == ("Sportello", None, 1)
    assert first["known_at"] is not None and first["origin_detail"]["process"]["id"] == process["id"]
    second = await _get(outcomes_client, url, h, known_at=known_handed)
    assert second["title"] == "Sportello" and second["handover"]["to_district_id"] == other
    assert await _get(outcomes_client, url, h, known_at="2001-01-01") == 404
    bad = await outcomes_client.get(url, params={"as_of": "yesterday"}, headers=h)
    assert bad.status_code == 422 and bad.json()["errors"][0]["path"] == "query.as_of"


async def test_evaluation_results_count_only_the_cards_inside_the_point(
    outcomes_client: httpx.AsyncClient, registry: Any, admin_headers: dict[str, str]
) -> None:
    h = admin_headers
    district = await registry.district()
    process = await _process(outcomes_client, h, district)
    workshop = await _workshop(
        outcomes_client, h, process["id"], "2019-02-10T15:00:00Z", "2019-02-10T18:00:00Z"
    )
    base = {"relazioni": 3, "cambiamento": 3, "continuita": 3}

    async def card(ascolto: int, **extra: Any) -> None:
        body = {
            "template_id": DEFAULT_TEMPLATE_ID,
            "process_id": process["id"],
            "answers": base | {"ascolto": ascolto},
        } | extra
        response = await outcomes_client.post("/evaluation-responses", json=body, headers=h)
        assert response.status_code == 201, response.text

    await card(5, workshop_id=workshop["id"])  # filled in at the workshop: dated 10/02/2019
    known_first = utcnow().isoformat()
    await card(1, workshop_id=workshop["id"])  # typed in later, same day of validity
    await card(3)  # filled in today, no workshop

    routes = [
        f"/processes/{process['id']}/evaluation-results",
        f"/districts/{district}/evaluation-results",
    ]
    for url in routes:

        async def results(url: str = url, **params: str) -> tuple[int, float | None]:
            body = await _get(outcomes_client, url, h, template_id=DEFAULT_TEMPLATE_ID, **params)
            ascolto = {d["code"]: d for d in body["dimensions"]}["ascolto"]
            return body["response_count"], ascolto["mean"]

        assert await results() == (3, 3.0)
        assert await results(as_of="2019-12-31") == (2, 3.0)  # both workshop cards, not today's
        assert await results(known_at=known_first) == (1, 5.0)  # only what was recorded by then
        assert await results(as_of="2019-12-31", known_at=known_first) == (1, 5.0)
        assert await results(as_of="2019-02-09") == (0, None)
        bad = await outcomes_client.get(
            url, params={"template_id": DEFAULT_TEMPLATE_ID, "as_of": "2019-02-30"}, headers=h
        )
        assert bad.status_code == 422 and bad.json()["errors"][0]["path"] == "query.as_of"
