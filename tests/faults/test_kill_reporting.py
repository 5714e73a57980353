"""kill -9 the reporting service mid-catch-up and restart it: its reports equal a clean rebuild's."""

from __future__ import annotations

import random
import time
import uuid
from typing import Any

import httpx
import pytest
from sqlmodel import select

from services.reporting.models import Checkpoint
from shared.db import Database
from shared.eventlog import NewEvent, append, last_position, read_all
from tests.faults.servers import FaultDatabase, Served, Services, create_district, create_process

pytestmark = pytest.mark.slow

BULK_EVENTS = 8_000  # bound in count: four committed batches of 2,000, so the kill lands mid-catch-up
CATCH_UP_TIMEOUT_SECONDS = 180.0  # bound in time
APPEND_CHUNK = 1200  # events per round of append calls (one call per workshop stream, so about 200 each)


def _checkpoints(database: Database) -> dict[str, int]:
    with database.session(write=False) as session:
        rows = {row.projection: int(row.position) for row in session.exec(select(Checkpoint))}
        session.rollback()
    return rows


def _head(database: Database) -> int:
    with database.session(write=False) as session:
        head = last_position(session)
        session.rollback()
    return head


def _wait_caught_up(database: Database, served: Served) -> None:
    head = _head(database)
    deadline = time.monotonic() + CATCH_UP_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        assert served.process.poll() is None, served.log()
        positions = _checkpoints(database)
        if positions and all(position >= head for position in positions.values()):
            return
        time.sleep(0.2)
    raise AssertionError(f"reporting did not catch up to {head}: {_checkpoints(database)}\n{served.log()}")


def _reports(url: str, edition_id: str, process_ids: list[str], district_ids: list[str]) -> dict[str, Any]:
    """Every report a user reads, as JSON."""
    with httpx.Client(base_url=url, timeout=30) as client:
        documents: dict[str, Any] = {}
        paths = [f"/dashboard?edition={edition_id}", "/dashboard"]
        paths += [f"/districts/{d}/diary?edition={edition_id}" for d in district_ids]
        for path in paths:
            response = client.get(path, headers={"Accept": "application/json"})
            assert response.status_code == 200, f"{path}: {response.text}"
            documents[path] = response.json()
        for process_id in process_ids:
            # The whole timeline, page by page (it holds every bulk event).
            items: list[Any] = []
            after: int | None = 0
            for _ in range(BULK_EVENTS // 1000 + 20):
                page = client.get(
                    f"/processes/{process_id}/timeline",
                    params={"order": "log", "after": after, "limit": 1000},
                )
                assert page.status_code == 200, page.text
                items += page.json()["items"]
                after = page.json()["next_after"]
                if after is None:
                    break
            assert after is None, "timeline paging did not end"
            documents[f"/processes/{process_id}/timeline"] = items
    return documents


def _seed_through_apis(
    services: Services, admin: dict[str, str]
) -> tuple[str, list[str], list[str], list[str]]:
    """Districts, an edition, processes, workshops, registrations and attendance through the real APIs."""
    registry = services.start("registry")
    workshops = services.start("workshops")
    districts = [create_district(registry.url, admin, name) for name in ("Lugo", "Faenza")]
    with httpx.Client(base_url=workshops.url, headers=admin, timeout=10) as client:
        programme = client.post("/programmes", json={"name": "Community Lab"})
        assert programme.status_code == 201, programme.text
        edition = client.post(
            f"/programmes/{programme.json()['id']}/editions",
            json={
                "name": "CL 2018-2019",
                "starts_on": "2018-09-01",
                "ends_on": "2019-12-31",
                "district_ids": districts,
            },
        )
        assert edition.status_code == 201, edition.text
        edition_id = edition.json()["id"]
        processes, workshop_ids = [], []
        for index, district_id in enumerate(districts):
            process = create_process(
                workshops.url, admin, district_id, edition_id=edition_id, started_on="2018-10-01"
            )
            processes.append(process["id"])
            for month in (1, 2, 3):
                workshop = client.post(
                    f"/processes/{process['id']}/workshops",
                    json={
                        "method": "world_cafe",
                        "title": f"Tavolo {index}-{month}",
                        "starts_at": f"2019-0{month}-1{index}T09:00:00+01:00",
                        "ends_at": f"2019-0{month}-1{index}T12:00:00+01:00",
                    },
                )
                assert workshop.status_code == 201, workshop.text
                workshop_ids.append(workshop.json()["id"])
                registered = client.post(
                    f"/workshops/{workshop.json()['id']}/registrations",
                    json={"actor_category": "citizen", "count": 5 + month},
                )
                assert registered.status_code == 201, registered.text
                attended = client.put(
                    f"/workshops/{workshop.json()['id']}/attendance",
                    json={"anonymous_counts": {"citizen": 4 + month, "third_sector": index + 1}},
                )
                assert attended.status_code in (200, 201), attended.text
    services.stop("workshops")
    services.stop("registry")
    return edition_id, processes, districts, workshop_ids


def _append_bulk_registrations(database: Database, count: int) -> None:
    """Clone real ``workshop.registration_added`` events (new registration ids) straight into the log.

    Each append call carries many events of one workshop's stream: the log is the same as one call per event
    (the consumer reads positions, not calls), at a fraction of the cost on PostgreSQL.
    """
    rng = random.Random(11)
    with database.transaction() as session:
        templates = read_all(session, types=["workshop.registration_added"], limit=100)
        assert templates, "the APIs wrote no registration to clone"
        for start in range(0, count, APPEND_CHUNK):
            chunk = range(start, min(start + APPEND_CHUNK, count))
            for index, template in enumerate(templates):
                new_events = [
                    NewEvent(
                        template.type,
                        {
                            **template.payload,
                            "registration_id": str(uuid.uuid4()),
                            "count": rng.randint(1, 9),
                        },
                    )
                    for n in chunk
                    if n % len(templates) == index
                ]
                append(
                    session,
                    stream_type="workshop",
                    stream_id=template.stream_id,
                    expected_version=None,
                    events_to_append=new_events,
                    district_id=template.district_id,
                )


def test_reporting_killed_mid_catch_up_converges_to_a_clean_rebuild(
    fault_db: FaultDatabase, services: Services
) -> None:
    admin = fault_db.admin_key()
    edition_id, process_ids, district_ids, _ = _seed_through_apis(services, admin)
    database = Database.from_url(fault_db.url)
    try:
        _append_bulk_registrations(database, BULK_EVENTS)
        head = _head(database)
        assert head > BULK_EVENTS

        # Start reporting without waiting for readiness: the consumer starts at once and we watch its checkpoints.
        fast_poll = {"COMMUNITYLAB_PROJECTION_POLL_SECONDS": "0.1"}
        reporting = services.start("reporting", env=fast_poll, wait=False)
        deadline = time.monotonic() + CATCH_UP_TIMEOUT_SECONDS
        while time.monotonic() < deadline:
            assert reporting.process.poll() is None, reporting.log()
            positions = _checkpoints(database)
            if positions and min(positions.values()) > 0:
                break
            time.sleep(0.005)
        services.kill("reporting")
        at_kill = _checkpoints(database)
        assert at_kill and 0 < min(at_kill.values()) < head, (
            f"not killed mid-catch-up: {at_kill}, head {head}"
        )

        restarted = services.restart(reporting)
        _wait_caught_up(database, restarted)
        after_crash = _reports(restarted.url, edition_id, process_ids, district_ids)

        services.stop("reporting")
        rebuilt = fault_db.cli("rebuild-projections", timeout=CATCH_UP_TIMEOUT_SECONDS)
        assert rebuilt.returncode == 0, rebuilt.stderr
        clean = services.restart(reporting)
        _wait_caught_up(database, clean)
        after_rebuild = _reports(clean.url, edition_id, process_ids, district_ids)
    finally:
        database.dispose()

    assert after_crash == after_rebuild
    dashboard = after_rebuild[f"/dashboard?edition={edition_id}"]
    assert dashboard["edition"]["id"] == edition_id
    assert dashboard["summary"]["workshops_held"] == 6
    assert dashboard["people_by_category"] == {"citizen": 36, "third_sector": 9}
    # Every registration, including the bulk ones applied around the kill, is in the timelines once.
    registrations = [
        item
        for process_id in process_ids
        for item in after_rebuild[f"/processes/{process_id}/timeline"]
        if item["event_type"] == "workshop.registration_added"
    ]
    assert len(registrations) == BULK_EVENTS + 6
