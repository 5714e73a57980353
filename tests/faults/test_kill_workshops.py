"""kill -9 the workshops service while 8 clients write: every acknowledged write survives, the log verifies."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import httpx
import pytest
from sqlmodel import select

from services.workshops.processes.models import Registration, Workshop
from shared.db import Database
from shared.eventlog import read_all
from tests.faults.servers import FaultDatabase, Services, create_district, create_process

pytestmark = pytest.mark.slow

CLIENTS = 8
WRITES_PER_CLIENT = 150  # bound in count
WRITE_WINDOW_SECONDS = 25.0  # bound in time
KILL_AFTER_ACKS = 60


@dataclass
class Acks:
    """Writes the service acknowledged with a 2xx, by kind, and the failures seen by clients."""

    workshops: list[str] = field(default_factory=list)
    registrations: list[tuple[str, str]] = field(default_factory=list)  # (workshop_id, registration_id)
    transport_errors: int = 0
    server_errors: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def count(self) -> int:
        with self.lock:
            return len(self.workshops) + len(self.registrations)


def _writer(
    index: int,
    url: str,
    headers: dict[str, str],
    process_id: str,
    seed_workshop: str,
    acks: Acks,
    stop: threading.Event,
) -> None:
    """Alternate scheduling a workshop and registering a group to a workshop this client knows."""
    known = [seed_workshop]
    with httpx.Client(base_url=url, headers=headers, timeout=5) as client:
        for n in range(WRITES_PER_CLIENT):
            if stop.is_set():
                return
            try:
                if n % 2 == 0:
                    day = 1 + (index * WRITES_PER_CLIENT + n) % 27
                    response = client.post(
                        f"/processes/{process_id}/workshops",
                        json={
                            "method": "world_cafe",
                            "title": f"Tavolo {index}-{n}",
                            "starts_at": f"2030-03-{day:02d}T09:00:00+01:00",
                            "ends_at": f"2030-03-{day:02d}T12:00:00+01:00",
                        },
                    )
                    if response.status_code == 201:
                        workshop_id = response.json()["id"]
                        known.append(workshop_id)
                        with acks.lock:
                            acks.workshops.append(workshop_id)
                else:
                    workshop_id = known[n % len(known)]
                    response = client.post(
                        f"/workshops/{workshop_id}/registrations",
                        json={"actor_category": "citizen", "count": 1 + n % 5},
                    )
                    if response.status_code == 201:
                        with acks.lock:
                            acks.registrations.append((workshop_id, response.json()["id"]))
                if response.status_code >= 500:
                    with acks.lock:
                        acks.server_errors.append(f"{response.status_code} {response.text[:200]}")
            except httpx.TransportError:
                # The service is dead or restarting: back off briefly and go on (no ack recorded).
                with acks.lock:
                    acks.transport_errors += 1
                time.sleep(0.05)


def _wait_until(condition: Callable[[], bool], timeout: float) -> None:
    """Poll ``condition`` until it holds or ``timeout`` passes (the assertions after it say what must hold)."""
    deadline = time.monotonic() + timeout
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.02)


def test_acknowledged_writes_survive_kill_9(fault_db: FaultDatabase, services: Services) -> None:
    admin = fault_db.admin_key()
    registry = services.start("registry")
    workshops = services.start("workshops")
    district_id = create_district(registry.url, admin)
    process_id = create_process(workshops.url, admin, district_id)["id"]
    seed = httpx.post(
        f"{workshops.url}/processes/{process_id}/workshops",
        json={
            "method": "open_space_technology",
            "title": "Apertura",
            "starts_at": "2030-02-01T09:00:00+01:00",
            "ends_at": "2030-02-01T12:00:00+01:00",
        },
        headers=admin,
        timeout=10,
    )
    assert seed.status_code == 201, seed.text
    acks = Acks()
    acks.workshops.append(seed.json()["id"])
    stop = threading.Event()
    threads = [
        threading.Thread(
            target=_writer,
            args=(i, workshops.url, admin, process_id, seed.json()["id"], acks, stop),
            daemon=True,
        )
        for i in range(CLIENTS)
    ]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    try:
        while acks.count() < KILL_AFTER_ACKS and time.monotonic() - started < WRITE_WINDOW_SECONDS / 2:
            time.sleep(0.02)
        acked_before_kill = acks.count()
        services.kill("workshops")  # mid-flight: clients have requests in progress right now
        _wait_until(lambda: acks.transport_errors > 0, timeout=5)  # the clients saw the service die
        services.restart(workshops)
        # Let clients write against the restarted service too (unless they used up their writes meanwhile).
        acked_at_restart = acks.count()
        _wait_until(
            lambda: acks.count() >= acked_at_restart + 20 or not any(t.is_alive() for t in threads),
            timeout=10,
        )
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=WRITE_WINDOW_SECONDS)
    assert all(not t.is_alive() for t in threads), "writers did not finish in time"
    assert acked_before_kill >= 10, "too few writes acknowledged before the kill to prove anything"
    assert acks.transport_errors > 0, "the kill happened while no client was writing"
    assert acks.server_errors == [], acks.server_errors[:5]

    database = Database.from_url(fault_db.url)
    try:
        with database.session(write=False) as session:
            stored_workshops = {str(w) for w in session.exec(select(Workshop.id))}
            stored_registrations = {str(r) for r in session.exec(select(Registration.id))}
            scheduled: set[str] = set()
            registered: set[str] = set()
            after = 0
            while batch := read_all(
                session, after=after, limit=5000, types=["workshop.scheduled", "workshop.registration_added"]
            ):
                for event in batch:
                    if event.type == "workshop.scheduled":
                        scheduled.add(str(event.payload["workshop_id"]))
                    else:
                        registered.add(str(event.payload["registration_id"]))
                after = batch[-1].position
    finally:
        database.dispose()

    acked_workshops = set(acks.workshops)
    acked_registrations = {registration for _, registration in acks.registrations}
    assert acked_workshops - stored_workshops == set()
    assert acked_workshops - scheduled == set()
    assert acked_registrations - stored_registrations == set()
    assert acked_registrations - registered == set()
    # No write half-done either: every row has its event and every event its row.
    assert stored_workshops == scheduled
    assert stored_registrations == registered

    restarted = services.running["workshops"]
    for workshop_id in list(acked_workshops)[:20]:
        assert (
            httpx.get(f"{restarted.url}/workshops/{workshop_id}", headers=admin, timeout=5).status_code == 200
        )

    verified = fault_db.cli("verify-log")
    assert verified.returncode == 0, verified.stdout + verified.stderr
