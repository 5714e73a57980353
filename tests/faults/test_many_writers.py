"""50 concurrent writers on a small pool: nothing hangs, no 500, every acknowledged write kept (6698c5d)."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field

import httpx
import pytest
from sqlmodel import select

from services.workshops.processes.models import Registration
from shared.db import Database
from shared.eventlog import read_all
from tests.faults.servers import FaultDatabase, Services, create_district, create_process

pytestmark = pytest.mark.slow

WRITERS = 50
WORKSHOPS = 5  # few rows, so writers queue on the same row locks as well as the event log's head lock
# Far fewer connections than writers and than AnyIO's 40 worker threads: before 6698c5d, threads waiting for
# a connection took every worker thread, and the transactions holding the connections could not commit. With
# the default 10 + 10 the old code stalled on SQLite only until its 15 s busy timeout, under the bound below.
SMALL_POOL = {"COMMUNITYLAB_DB_POOL_SIZE": "6", "COMMUNITYLAB_DB_MAX_OVERFLOW": "0"}
# Below SQLAlchemy's 30 s pool timeout: since 6698c5d a pool timeout answers 503, so the old deadlock no longer
# hangs for ever but stalls the writers for 30 s and then answers 503s; only a shorter bound catches it.
# The fixed service answers all 50 in under a second, so 20 s is ample on a loaded machine too.
REQUEST_TIMEOUT_SECONDS = 20.0
BURST_TIMEOUT_SECONDS = REQUEST_TIMEOUT_SECONDS + 10
PROBLEM_JSON = "application/problem+json"


@dataclass
class Burst:
    """What the writers saw: acknowledged registrations, other answers, requests that got no answer."""

    acked: list[tuple[str, str]] = field(default_factory=list)  # (workshop_id, registration_id)
    statuses: list[int] = field(default_factory=list)
    unexpected: list[str] = field(default_factory=list)
    unanswered: list[str] = field(default_factory=list)
    slowest: float = 0.0


async def _register(client: httpx.AsyncClient, workshop_id: str, index: int, burst: Burst) -> None:
    """One write: register an anonymous group to the workshop."""
    started = time.monotonic()
    try:
        response = await client.post(
            f"/workshops/{workshop_id}/registrations",
            json={"actor_category": "citizen", "count": 1 + index % 3},
        )
    except httpx.TransportError as exc:  # timeouts included: the deadlock's symptom
        burst.unanswered.append(
            f"writer {index}: {type(exc).__name__} after {time.monotonic() - started:.1f}s"
        )
        return
    burst.slowest = max(burst.slowest, time.monotonic() - started)
    burst.statuses.append(response.status_code)
    if response.status_code == 201:
        burst.acked.append((workshop_id, response.json()["id"]))
    elif response.status_code != 503 or response.headers.get("content-type") != PROBLEM_JSON:
        burst.unexpected.append(
            f"{response.status_code} {response.headers.get('content-type')} {response.text[:200]}"
        )


async def _fire(url: str, headers: dict[str, str], workshop_ids: list[str]) -> Burst:
    """All writers at once, each on its own connection, bounded per request and as a whole."""
    burst = Burst()
    limits = httpx.Limits(max_connections=WRITERS, max_keepalive_connections=WRITERS)
    async with httpx.AsyncClient(
        base_url=url, headers=headers, timeout=REQUEST_TIMEOUT_SECONDS, limits=limits
    ) as client:
        writers = (_register(client, workshop_ids[i % len(workshop_ids)], i, burst) for i in range(WRITERS))
        await asyncio.wait_for(asyncio.gather(*writers), BURST_TIMEOUT_SECONDS)
    return burst


def test_fifty_writers_on_a_small_pool_neither_hang_nor_fail(
    fault_db: FaultDatabase, services: Services
) -> None:
    admin = fault_db.admin_key()
    registry = services.start("registry")
    workshops = services.start("workshops", env=SMALL_POOL)
    district_id = create_district(registry.url, admin)
    process_id = create_process(workshops.url, admin, district_id)["id"]
    workshop_ids = []
    for n in range(WORKSHOPS):
        scheduled = httpx.post(
            f"{workshops.url}/processes/{process_id}/workshops",
            json={
                "method": "world_cafe",
                "title": f"Tavolo {n}",
                "starts_at": f"2030-03-{n + 1:02d}T09:00:00+01:00",
                "ends_at": f"2030-03-{n + 1:02d}T12:00:00+01:00",
            },
            headers=admin,
            timeout=10,
        )
        assert scheduled.status_code == 201, scheduled.text
        workshop_ids.append(scheduled.json()["id"])

    started = time.monotonic()
    burst = asyncio.run(_fire(workshops.url, admin, workshop_ids))
    elapsed = time.monotonic() - started

    summary = f"statuses {sorted(burst.statuses)}, slowest {burst.slowest:.1f}s, burst {elapsed:.1f}s"
    assert burst.unanswered == [], f"{burst.unanswered[:5]}; {summary}\n{workshops.log()}"
    assert burst.unexpected == [], f"{burst.unexpected[:5]}; {summary}"
    assert burst.acked, f"no write acknowledged; {summary}"

    database = Database.from_url(fault_db.url)
    try:
        with database.session(write=False) as session:
            stored = {str(r) for r in session.exec(select(Registration.id))}
            logged: set[str] = set()
            after = 0
            while batch := read_all(session, after=after, limit=5000, types=["workshop.registration_added"]):
                logged.update(str(event.payload["registration_id"]) for event in batch)
                after = batch[-1].position
    finally:
        database.dispose()
    acked = {registration_id for _, registration_id in burst.acked}
    assert acked - stored == set()
    assert acked - logged == set()
    # A write refused with 503 must not be left half done: rows and events match one to one.
    assert stored == logged

    # The acknowledged registrations are visible through the API, and the service still answers.
    with httpx.Client(base_url=workshops.url, headers=admin, timeout=10) as client:
        for workshop_id in workshop_ids:
            listed = client.get(f"/workshops/{workshop_id}/registrations", params={"limit": 100})
            assert listed.status_code == 200, listed.text
            visible = {item["id"] for item in listed.json()["items"]}
            assert {r for w, r in burst.acked if w == workshop_id} <= visible
        assert client.get("/healthz").status_code == 200
        assert client.get(f"/workshops/{workshop_ids[0]}").status_code == 200
        # No connection or worker thread was left stuck by the burst: one more write goes through.
        again = client.post(
            f"/workshops/{workshop_ids[0]}/registrations", json={"actor_category": "citizen", "count": 1}
        )
        assert again.status_code == 201, again.text
