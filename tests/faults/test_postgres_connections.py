"""PostgreSQL connections lost under load: the services recover by themselves (no restart).

Always (on PostgreSQL): every backend of the service database is terminated with ``pg_terminate_backend``
while clients write and read, as a crashed pooler or a failover would do; the pools must notice
(``pool_pre_ping``) and reconnect. With ``COMMUNITYLAB_FAULTS_RESTART_POSTGRES=1`` the whole server is
restarted instead (``pg_ctlcluster ... restart``): disruptive for anything else using that server, so it is
opt-in and CI does not set it.
"""

from __future__ import annotations

import os
import subprocess
import threading
import time
from collections import Counter
from dataclasses import dataclass, field

import httpx
import pytest

from tests.faults.servers import FaultDatabase, Services, create_district, create_process, psycopg_url

CLIENTS = 6
LOAD_ACKS = 30  # acknowledged writes before, between and after the faults (bound in count)
RECOVERY_SECONDS = 20.0
RESTART_POSTGRES = os.environ.get("COMMUNITYLAB_FAULTS_RESTART_POSTGRES") == "1"

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not os.environ.get("COMMUNITYLAB_TEST_DATABASE_URL", "").startswith("postgresql"),
        reason="PostgreSQL only",
    ),
]


@dataclass
class Outcomes:
    """Status codes the clients saw, and what was acknowledged."""

    statuses: Counter[int] = field(default_factory=Counter)
    acknowledged: list[str] = field(default_factory=list)
    bodies_5xx: list[str] = field(default_factory=list)
    transport_errors: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)


def _client_loop(
    url: str,
    headers: dict[str, str],
    workshop_id: str,
    process_id: str,
    outcomes: Outcomes,
    stop: threading.Event,
) -> None:
    with httpx.Client(base_url=url, headers=headers, timeout=10) as client:
        n = 0
        while not stop.is_set() and n < 2000:
            n += 1
            try:
                if n % 2:
                    response = client.post(
                        f"/workshops/{workshop_id}/registrations",
                        json={"actor_category": "citizen", "count": 1},
                    )
                else:
                    response = client.get(f"/processes/{process_id}")
            except httpx.TransportError:
                with outcomes.lock:
                    outcomes.transport_errors += 1
                continue
            with outcomes.lock:
                outcomes.statuses[response.status_code] += 1
                if response.status_code == 201:
                    outcomes.acknowledged.append(response.json()["id"])
                if response.status_code >= 500:
                    outcomes.bodies_5xx.append(
                        f"{response.status_code} {response.headers.get('content-type')}"
                    )


def _wait_for_more_acks(outcomes: Outcomes, count: int) -> None:
    """Wait until the clients have ``count`` more acknowledged writes (bounded by RECOVERY_SECONDS)."""
    with outcomes.lock:
        target = len(outcomes.acknowledged) + count
    deadline = time.monotonic() + RECOVERY_SECONDS
    while time.monotonic() < deadline:
        with outcomes.lock:
            if len(outcomes.acknowledged) >= target:
                return
        time.sleep(0.05)
    raise AssertionError(f"no {count} acknowledged writes in {RECOVERY_SECONDS}s: {outcomes.statuses}")


def _terminate_backends(fault_db: FaultDatabase) -> int:
    import psycopg

    with psycopg.connect(psycopg_url(fault_db.url), autocommit=True) as conn:
        rows = conn.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
            (fault_db.name,),
        ).fetchall()
    return len(rows)


def _restart_server() -> None:
    versions = os.listdir("/etc/postgresql")
    assert len(versions) == 1, versions
    subprocess.run(
        ["pg_ctlcluster", "--skip-systemctl-redirect", versions[0], "main", "restart"],
        check=True,
        timeout=120,
        capture_output=True,
    )


@pytest.mark.parametrize(
    "fault",
    [
        "terminate_backends",
        pytest.param(
            "restart_server",
            marks=pytest.mark.skipif(
                not RESTART_POSTGRES, reason="set COMMUNITYLAB_FAULTS_RESTART_POSTGRES=1"
            ),
        ),
    ],
)
def test_services_recover_from_lost_postgres_connections(
    fault_db: FaultDatabase, services: Services, fault: str
) -> None:
    assert fault_db.dialect == "postgresql"
    admin = fault_db.admin_key()
    registry = services.start("registry")
    workshops = services.start("workshops")
    district_id = create_district(registry.url, admin)
    process_id = create_process(workshops.url, admin, district_id)["id"]
    workshop = httpx.post(
        f"{workshops.url}/processes/{process_id}/workshops",
        json={
            "method": "world_cafe",
            "title": "Tavolo",
            "starts_at": "2030-03-02T09:00:00+01:00",
            "ends_at": "2030-03-02T12:00:00+01:00",
        },
        headers=admin,
        timeout=10,
    )
    assert workshop.status_code == 201, workshop.text
    outcomes = Outcomes()
    stop = threading.Event()
    threads = [
        threading.Thread(
            target=_client_loop,
            args=(workshops.url, admin, workshop.json()["id"], process_id, outcomes, stop),
            daemon=True,
        )
        for _ in range(CLIENTS)
    ]
    for thread in threads:
        thread.start()
    terminated = 0
    try:
        # Each step waits for writes acknowledged after the previous one: under load, and between faults.
        _wait_for_more_acks(outcomes, LOAD_ACKS)
        if fault == "restart_server":
            _restart_server()
        else:
            for _ in range(3):
                terminated += _terminate_backends(fault_db)
                _wait_for_more_acks(outcomes, LOAD_ACKS)
        _wait_for_more_acks(outcomes, LOAD_ACKS)
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=30)
    assert fault == "restart_server" or terminated > 0, "no backend was terminated"
    # Failures while the connections drop are 503 problem+json (retryable), never 500.
    assert set(outcomes.statuses) <= {200, 201, 409, 503}, outcomes.statuses
    assert all("problem+json" in body for body in outcomes.bodies_5xx), outcomes.bodies_5xx[:5]
    assert outcomes.statuses[201] > 0 and outcomes.statuses[200] > 0

    # Recovery without restarting anything: the same processes answer writes and reads again.
    deadline = time.monotonic() + RECOVERY_SECONDS
    consecutive_ok = 0
    with httpx.Client(base_url=workshops.url, headers=admin, timeout=10) as client:
        while consecutive_ok < 20 and time.monotonic() < deadline:
            write = client.post(
                f"/workshops/{workshop.json()['id']}/registrations", json={"actor_category": "citizen"}
            )
            read = client.get(f"/processes/{process_id}")
            consecutive_ok = consecutive_ok + 1 if (write.status_code, read.status_code) == (201, 200) else 0
            if write.status_code == 201:
                outcomes.acknowledged.append(write.json()["id"])
        ready = client.get("/readyz")
    assert consecutive_ok >= 20, f"workshops did not recover in {RECOVERY_SECONDS}s"
    assert ready.status_code == 200
    assert services.running["workshops"].process.poll() is None
    assert httpx.get(f"{registry.url}/districts/{district_id}", timeout=10).status_code == 200

    # Every acknowledged registration is stored, and the log still verifies.
    listed: set[str] = set()
    with httpx.Client(base_url=workshops.url, headers=admin, timeout=10) as client:
        cursor: str | None = None
        for _ in range(100):
            params = {"limit": 500, **({"cursor": cursor} if cursor else {})}
            page = client.get(f"/workshops/{workshop.json()['id']}/registrations", params=params)
            assert page.status_code == 200, page.text
            listed |= {item["id"] for item in page.json()["items"]}
            cursor = page.json()["next_cursor"]
            if cursor is None:
                break
    assert set(outcomes.acknowledged) <= listed
    verified = fault_db.cli("verify-log")
    assert verified.returncode == 0, verified.stdout + verified.stderr
