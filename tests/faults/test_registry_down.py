"""Registry stopped: workshops answers 503 problem+json where it needs the registry and serves the rest."""

from __future__ import annotations

import httpx
import pytest

from tests.faults.servers import FaultDatabase, Services, create_district, create_process

pytestmark = pytest.mark.slow


def test_registry_down_gives_503_where_needed_and_reads_keep_working(
    fault_db: FaultDatabase, services: Services
) -> None:
    admin = fault_db.admin_key()
    registry = services.start("registry")
    workshops = services.start("workshops")
    district_id = create_district(registry.url, admin)
    process = create_process(workshops.url, admin, district_id)
    events_before = _event_count(fault_db)

    services.stop("registry")

    with httpx.Client(base_url=workshops.url, headers=admin, timeout=10) as client:
        created = client.post(
            "/processes",
            json={"district_id": district_id, "title": "Secondo percorso", "started_on": "2025-02-01"},
        )
        assert created.status_code == 503, created.text
        assert created.headers["content-type"].startswith("application/problem+json")
        problem = created.json()
        assert problem["status"] == 503
        assert "registry" in problem["detail"]
        listed_by_district = client.get(f"/districts/{district_id}/processes")
        assert listed_by_district.status_code == 503
        assert listed_by_district.headers["content-type"].startswith("application/problem+json")

        # Routes that do not need the registry keep answering.
        read = client.get(f"/processes/{process['id']}")
        assert read.status_code == 200
        assert read.json()["id"] == process["id"]
        assert client.get("/processes").status_code == 200
        scheduled = client.post(
            f"/processes/{process['id']}/workshops",
            json={
                "method": "world_cafe",
                "title": "Tavolo senza registro",
                "starts_at": "2030-03-02T09:00:00+01:00",
                "ends_at": "2030-03-02T12:00:00+01:00",
            },
        )
        assert scheduled.status_code == 201, scheduled.text
        assert client.get("/readyz").status_code == 200
    # The refused create wrote nothing; the workshop wrote its one event.
    assert _event_count(fault_db) == events_before + 1

    # The registry comes back: the same create now succeeds without restarting workshops.
    services.restart(registry)
    again = httpx.post(
        f"{workshops.url}/processes",
        json={"district_id": district_id, "title": "Secondo percorso", "started_on": "2025-02-01"},
        headers=admin,
        timeout=10,
    )
    assert again.status_code == 201, again.text


def _event_count(fault_db: FaultDatabase) -> int:
    from shared.db import Database
    from shared.eventlog import last_position

    database = Database.from_url(fault_db.url)
    try:
        with database.session(write=False) as session:
            return last_position(session)
    finally:
        database.dispose()
