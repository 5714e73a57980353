"""Events carry when a thing happened (occurred_at, valid time) as well as when it was recorded.

A validation entered today for the sitting of 12/02/2014 happened in 2014; a hand-over on its day; a
workshop was held, and its attendance taken, on the workshop's day. Both times are covered by the hash
chain, so ``verify-log`` passes with back-dated events.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlmodel import Session

from shared.db import utcnow
from shared.eventlog import occurred_on, read_stream, verify_chain

pytestmark = pytest.mark.anyio


def rome_midnight(day: date) -> datetime:
    """The start of ``day`` in Europe/Rome, as UTC (winter: 23:00 UTC the day before)."""
    return occurred_on(day) or datetime.min


def test_a_day_is_its_start_in_rome_and_today_is_now() -> None:
    assert occurred_on(date(2014, 2, 12)) == datetime(2014, 2, 11, 23, 0, tzinfo=UTC)
    assert occurred_on(date(2019, 7, 1)) == datetime(2019, 6, 30, 22, 0, tzinfo=UTC)
    today = utcnow()
    assert abs(occurred_on(today.date() + timedelta(days=2)) - today) < timedelta(minutes=1)  # type: ignore[operator]
    assert occurred_on(None) is None


async def test_write_routes_date_events_by_the_business_date(
    session: Session,
    outcomes_client: httpx.AsyncClient,
    registry: Any,
    admin_headers: dict[str, str],
    create_api_key: Callable[..., Any],
) -> None:
    h = admin_headers
    district = await registry.district()
    other = await registry.district()
    process = (
        await outcomes_client.post(
            "/processes",
            json={"district_id": district, "title": "Community Express", "started_on": "2013-10-01"},
            headers=h,
        )
    ).json()
    before = utcnow()

    async def workshop(method: str, starts: str) -> dict[str, Any]:
        ends = (datetime.fromisoformat(starts) + timedelta(hours=3)).isoformat()
        response = await outcomes_client.post(
            f"/processes/{process['id']}/workshops",
            json={
                "method": method,
                "title": method,
                "starts_at": starts,
                "ends_at": ends,
                "facilitator_ids": [],
            },
            headers=h,
        )
        assert response.status_code == 201, response.text
        return dict(response.json())

    ost = await workshop("open_space_technology", "2013-11-16T09:00:00+00:00")
    restitution = await workshop("restitution_event", "2014-06-20T17:00:00+00:00")
    held = await outcomes_client.post(f"/workshops/{ost['id']}/status", json={"status": "held"}, headers=h)
    assert held.status_code == 200, held.text
    attendance = await outcomes_client.put(
        f"/workshops/{ost['id']}/attendance", json={"anonymous_counts": {"citizen": 30}}, headers=h
    )
    assert attendance.status_code == 200, attendance.text

    priority = (
        await outcomes_client.post(
            "/priorities",
            json={
                "district_id": district,
                "workshop_id": ost["id"],
                "source": "workshop",
                "title": "Anziani",
            },
            headers=h,
        )
    ).json()
    steps = [
        ("submit", {"year": 2014}),
        ("validate", {"sitting_date": "2014-02-12", "motivation": "Coerente con il Piano di Zona"}),
    ]
    for action, body in steps:
        response = await outcomes_client.post(f"/priorities/{priority['id']}/{action}", json=body, headers=h)
        assert response.status_code == 200, response.text
    invention = (
        await outcomes_client.post(
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
    ).json()
    handed = await outcomes_client.post(
        f"/inventions/{invention['id']}/handover",
        json={"to_district_id": other, "on": "2014-05-08"},
        headers=h,
    )
    assert handed.status_code == 200, handed.text
    closed = await outcomes_client.post(
        f"/processes/{process['id']}/status", json={"status": "closed", "closed_on": "2014-09-30"}, headers=h
    )
    assert closed.status_code == 200, closed.text

    def dated(stream_type: str, stream_id: str) -> dict[str, datetime]:
        return {e.type: e.occurred_at for e in read_stream(session, stream_type, stream_id)}

    process_events = dated("process", process["id"])
    assert process_events["process.created"] == rome_midnight(date(2013, 10, 1))
    assert process_events["process.status_changed"] == rome_midnight(date(2014, 9, 30))
    workshop_events = dated("workshop", ost["id"])
    assert workshop_events["workshop.status_changed"] == datetime(2013, 11, 16, 9, tzinfo=UTC)
    assert workshop_events["workshop.attendance_recorded"] == datetime(2013, 11, 16, 9, tzinfo=UTC)
    assert workshop_events["workshop.scheduled"] >= before  # no business date: recorded now
    priority_events = dated("priority", priority["id"])
    assert priority_events["priority.validated"] == rome_midnight(date(2014, 2, 12))
    assert priority_events["priority.submitted"] >= before
    assert dated("invention", invention["id"])["invention.handed_over"] == rome_midnight(date(2014, 5, 8))
    assert restitution["starts_at"].startswith("2014-06-20")

    # Transaction time stays the time of recording, and the chain covers both.
    for event in read_stream(session, "priority", priority["id"]):
        assert event.recorded_at >= before and event.occurred_at <= event.recorded_at
    assert verify_chain(session.connection()).ok

    # The priority's history shows when each step happened.
    detail = (await outcomes_client.get(f"/priorities/{priority['id']}", headers=h)).json()
    validated = next(s for s in detail["history"] if s["to_state"] == "validated")
    assert validated["at"].startswith("2014-02-11T23:00:00")
    assert validated["recorded_at"] >= before.isoformat()[:19]


async def test_a_back_dated_correction_answers_as_of_and_known_at_differently(
    outcomes_client: httpx.AsyncClient, registry: Any, admin_headers: dict[str, str]
) -> None:
    """An attendance count fixed later: as_of (valid time) sees the fix from the workshop's day on,
    known_at (transaction time) before the fix was recorded still gives the count known then."""
    h = admin_headers
    district = await registry.district()
    process = (
        await outcomes_client.post(
            "/processes",
            json={"district_id": district, "title": "Lab 2019", "started_on": "2018-10-01"},
            headers=h,
        )
    ).json()
    workshop = (
        await outcomes_client.post(
            f"/processes/{process['id']}/workshops",
            json={
                "method": "world_cafe",
                "title": "Café",
                "starts_at": "2019-02-10T15:00:00Z",
                "ends_at": "2019-02-10T18:00:00Z",
                "facilitator_ids": [],
            },
            headers=h,
        )
    ).json()
    url = f"/workshops/{workshop['id']}/attendance"
    first = await outcomes_client.put(url, json={"anonymous_counts": {"citizen": 30}}, headers=h)
    assert first.status_code == 200, first.text
    known_before_fix = utcnow().isoformat()
    fixed = await outcomes_client.put(url, json={"anonymous_counts": {"citizen": 35}}, headers=h)
    assert fixed.status_code == 200, fixed.text

    async def citizens(**params: str) -> Any:
        response = await outcomes_client.get(url, params=params, headers=h)
        return (
            response.json()["anonymous_counts"]["citizen"]
            if response.status_code == 200
            else response.status_code
        )

    assert await citizens() == 35
    assert await citizens(as_of="2019-12-31") == 35  # the fix applies from the workshop's day
    assert await citizens(known_at=known_before_fix) == 30  # what we knew before the fix was recorded
    assert await citizens(as_of="2019-12-31", known_at=known_before_fix) == 30
    assert await citizens(as_of="2019-02-09") == 404  # the workshop had not been held yet
    body = (await outcomes_client.get(url, params={"as_of": "2019-12-31"}, headers=h)).json()
    assert body["occurred_at"].startswith("2019-02-10T15:00:00")
    bad = await outcomes_client.get(url, params={"as_of": "31/12/2019"}, headers=h)
    assert bad.status_code == 422 and bad.json()["errors"][0]["path"] == "query.as_of"


async def test_a_priority_as_of_its_sitting_and_as_known_before(
    outcomes_client: httpx.AsyncClient, registry: Any, admin_headers: dict[str, str]
) -> None:
    h = admin_headers
    district = await registry.district()
    priority = (
        await outcomes_client.post(
            "/priorities",
            json={"district_id": district, "source": "ufficio_di_piano", "title": "Casa"},
            headers=h,
        )
    ).json()
    url = f"/priorities/{priority['id']}"
    assert (await outcomes_client.post(f"{url}/submit", json={"year": 2014}, headers=h)).status_code == 200
    submitted_known = utcnow().isoformat()
    decision = {"sitting_date": "2014-02-12", "motivation": "Coerente"}
    assert (await outcomes_client.post(f"{url}/validate", json=decision, headers=h)).status_code == 200

    async def at(**params: str) -> Any:
        response = await outcomes_client.get(url, params=params, headers=h)
        return response.json() if response.status_code == 200 else response.status_code

    now = await at()
    assert now["state"] == "validated" and now["as_of"] is None
    # Valid time: at the end of the sitting's day the committee had validated it, so the priority existed
    # by then (a record exists from no later than the first thing that happened to it); the submission,
    # recorded today with no business date, had not happened as of 2014.
    in_2014 = await at(as_of="2014-06-30")
    assert in_2014["state"] == "validated" and in_2014["sitting_date"] == "2014-02-12"
    assert [s["to_state"] for s in in_2014["history"]] == ["proposed", "validated"]
    assert await at(as_of="2014-02-10") == 404
    # Transaction time: before the decision was recorded it was only submitted, with no sitting.
    before = await at(known_at=submitted_known)
    assert before["state"] == "submitted" and before["sitting_date"] is None and before["motivation"] is None
    assert before["allowed"] == [
        {"action": "validate", "to": "validated"},
        {"action": "reject", "to": "rejected"},
    ]
    assert [s["to_state"] for s in before["history"]] == ["proposed", "submitted"]
    assert await at(known_at="2001-01-01") == 404
