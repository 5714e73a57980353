"""Scale out, not up: two instances of each service, two reporting consumers and two webhook workers on one
PostgreSQL database, behind deploy/nginx/communitylab.conf with two ``server`` lines per upstream.

Writes (districts, processes, registrations, each with an Idempotency-Key) and reads go through nginx from
several client threads; one workshops instance is killed with SIGKILL mid-load and clients retry what got no
answer (502/503 or a dropped connection) with the same key, as docs/api.md asks of them. Then:

- both instances of every service served reads and writes (their JSON access logs);
- every write that got a 2xx is in the event log exactly once and in the workshops table and the read models;
- the two reporting consumers' "projection batch applied" lines cover the log once: no position applied
  twice, none skipped; PostgreSQL's own counters agree (no timeline row was ever rewritten);
- each subscription's receiver got its events in log order, each ``webhook-id`` once after deduplication,
  and the fan-out queued each event once.

Runs only when the suite runs on PostgreSQL (``bash .ci/postgres-tests``; SQLite is one machine's database)
and nginx is installed (.ci/setup installs it).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from services.reporting.models import Checkpoint, RegistrationView, TimelineEntry
from services.reporting.webhooks.models import WebhookDelivery
from services.workshops.processes.models import Registration
from shared.auth.keys import create_key
from shared.auth.principal import Role
from shared.db import Database
from shared.eventlog import last_position, read_all
from tests.deploy.nginx import NGINX, NO_NGINX, render_site, running_nginx
from tests.ops.conftest import COMMUNITYLAB, ServedProcess, free_port, stop
from tests.webhooks.conftest import Receiver

SERVICES = ("registry", "workshops", "reporting")
SECRET = "two-instances-test-secret"
WRITERS = 4
REGISTRATIONS_PER_WRITER = 24
PROCESSES_PER_WRITER = 3
RETRIED = {502, 503, 504}

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(NGINX is None, reason=NO_NGINX),
    pytest.mark.skipif(
        not os.environ.get("COMMUNITYLAB_TEST_DATABASE_URL", "").startswith("postgresql"),
        reason="needs the PostgreSQL suite (bash .ci/postgres-tests): several instances share one PostgreSQL",
    ),
]


def wait_for(condition: Callable[[], bool], timeout: float, what: str, *, every: float = 0.1) -> None:
    """Poll ``condition`` until it holds; fail naming ``what`` after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:g} s waiting for {what}")
        time.sleep(every)


@pytest.fixture
def database_url() -> Iterator[str]:
    """A throw-away PostgreSQL database next to the suite's, dropped at the end."""
    url = make_url(os.environ["COMMUNITYLAB_TEST_DATABASE_URL"])
    admin = url.set(drivername="postgresql").render_as_string(hide_password=False)
    name = f"two_instances_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _launch(command: list[str], env: dict[str, str], log_path: Path, base_url: str = "") -> ServedProcess:
    with log_path.open("w") as log_file:
        process = subprocess.Popen(
            [COMMUNITYLAB, *command], env=env, stdout=log_file, stderr=subprocess.STDOUT, text=True
        )
    return ServedProcess(process, base_url, log_path)


def _log_lines(served: ServedProcess) -> list[dict[str, Any]]:
    lines = []
    for line in served.log().splitlines():
        if line.startswith("{"):
            lines.append(json.loads(line))
    return lines


@dataclass
class Cluster:
    """Everything the test started."""

    base: str
    services: dict[str, list[ServedProcess]]
    workers: list[ServedProcess]
    database: Database
    database_url: str
    admin: dict[str, str]


@pytest.fixture
def cluster(database_url: str, tmp_path: Path) -> Iterator[Cluster]:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("COMMUNITYLAB_")}
    env.update(
        COMMUNITYLAB_DATABASE_URL=database_url,
        COMMUNITYLAB_SECRET_KEY=SECRET,
        COMMUNITYLAB_ENVIRONMENT="test",
        COMMUNITYLAB_LOG_JSON="true",
        COMMUNITYLAB_LOG_LEVEL="INFO",
        # The services reach each other through the proxy, as in deploy/compose.yaml.
        COMMUNITYLAB_REGISTRY_URL=f"{base}/registry",
        COMMUNITYLAB_WORKSHOPS_URL=f"{base}/workshops",
        COMMUNITYLAB_REPORTING_URL=f"{base}/reporting",
        COMMUNITYLAB_WEBHOOK_ALLOW_HTTP_LOOPBACK="true",
        COMMUNITYLAB_WEBHOOKS_METRICS_PORT="0",
        COMMUNITYLAB_PROJECTION_POLL_SECONDS="0.2",
        # Eight processes on one server: small pools.
        COMMUNITYLAB_DB_POOL_SIZE="3",
        COMMUNITYLAB_DB_MAX_OVERFLOW="3",
    )
    migrated = subprocess.run(
        [COMMUNITYLAB, "migrate"], env=env, capture_output=True, text=True, timeout=180, check=False
    )
    assert migrated.returncode == 0, migrated.stderr
    database = Database.from_url(database_url)
    with database.transaction() as session:
        issued = create_key(session.connection(), secret=SECRET, role=Role.REGIONAL_ADMIN, label="scale-out")
    services: dict[str, list[ServedProcess]] = {name: [] for name in SERVICES}
    workers: list[ServedProcess] = []
    try:
        for name in SERVICES:
            for index in range(2):
                service_port = free_port()
                services[name].append(
                    _launch(
                        [
                            *("serve", name, "--host", "127.0.0.1", "--port", str(service_port)),
                            *("--root-path", f"/{name}"),
                        ],
                        env,
                        tmp_path / f"{name}-{index}.log",
                        f"http://127.0.0.1:{service_port}",
                    )
                )
        for index in range(2):
            workers.append(
                _launch(
                    [
                        *("webhooks-worker", "--worker-id", f"worker-{index}", "--poll-seconds", "0.1"),
                        *("--backoff-base", "0.1", "--backoff-max", "0.5"),
                    ],
                    env,
                    tmp_path / f"webhooks-worker-{index}.log",
                )
            )
        everything = [s for group in services.values() for s in group]

        def all_up() -> bool:
            for served in everything + workers:
                assert served.process.poll() is None, f"exited early:\n{served.log()}"
            for served in everything:
                try:
                    if httpx.get(f"{served.base_url}/healthz", timeout=1).status_code != 200:
                        return False
                except httpx.TransportError:
                    return False
            return True

        wait_for(all_up, 120, "six services to answer /healthz", every=0.2)
        site = render_site({name: [s.base_url for s in group] for name, group in services.items()}, port)
        with running_nginx(tmp_path, site, port) as proxied:
            yield Cluster(
                proxied, services, workers, database, database_url, {"Authorization": f"Bearer {issued.key}"}
            )
    finally:
        for served in [s for group in services.values() for s in group] + workers:
            stop(served)
        database.dispose()


@dataclass
class Acknowledged:
    """Writes that got a 2xx, and how often clients had to retry."""

    registrations: dict[str, str] = field(default_factory=dict)  # idempotency key -> registration id
    processes: dict[str, str] = field(default_factory=dict)  # idempotency key -> process id
    retries: Counter[str] = field(default_factory=Counter)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def count(self) -> int:
        with self.lock:
            return len(self.registrations) + len(self.processes)


def _post(client: httpx.Client, path: str, body: dict[str, Any], key: str, acked: Acknowledged) -> Any:
    """POST with an Idempotency-Key, retrying what got no answer from a service, until a 2xx (30 s at most)."""
    deadline = time.monotonic() + 30
    while True:
        try:
            response = client.post(path, json=body, headers={"Idempotency-Key": key})
        except httpx.TransportError as exc:
            reason = type(exc).__name__
        else:
            if response.status_code not in RETRIED:
                assert response.status_code in (200, 201), (path, response.status_code, response.text)
                if response.headers.get("idempotent-replayed") == "true":
                    with acked.lock:
                        acked.retries["replayed"] += 1  # committed before the answer was lost
                return response.json()
            reason = str(response.status_code)
        with acked.lock:
            acked.retries[reason] += 1
        assert time.monotonic() < deadline, f"POST {path} still failing: {reason}"
        time.sleep(0.05)  # back off before the retry


def _get(client: httpx.Client, path: str, acked: Acknowledged) -> Any:
    deadline = time.monotonic() + 30
    while True:
        try:
            response = client.get(path)
        except httpx.TransportError as exc:
            reason = type(exc).__name__
        else:
            if response.status_code not in RETRIED:
                assert response.status_code == 200, (path, response.status_code, response.text)
                return response.json()
            reason = f"GET {response.status_code}"
        with acked.lock:
            acked.retries[reason] += 1
        assert time.monotonic() < deadline, f"GET {path} still failing: {reason}"
        time.sleep(0.05)  # back off before the retry


def _access(served: ServedProcess) -> Counter[str]:
    """Requests the instance served, by method (its communitylab.access lines)."""
    return Counter(
        line["method"] for line in _log_lines(served) if line.get("logger") == "communitylab.access"
    )


def test_two_instances_of_everything_on_one_postgresql(cluster: Cluster) -> None:
    receivers = [Receiver().start(), Receiver().start()]
    try:
        with httpx.Client(base_url=cluster.base, headers=cluster.admin, timeout=15) as client:
            _run(cluster, client, receivers)
    finally:
        for receiver in receivers:
            receiver.stop()


def _run(cluster: Cluster, client: httpx.Client, receivers: list[Receiver]) -> None:
    acked = Acknowledged()
    districts = [
        _post(client, "/registry/districts", {"name": f"Distretto {n}"}, f"district-{n}", acked)["id"]
        for n in range(4)
    ]
    district_id = districts[0]
    # Subscriptions before any event of the district they follow: each must receive all of them.
    subscriptions = [
        _post(
            client,
            "/reporting/webhooks/subscriptions",
            {
                "url": receivers[0].url,
                "event_types": ["workshop.registration_added"],
                "district_id": district_id,
            },
            "subscription-0",
            acked,
        ),
        _post(
            client,
            "/reporting/webhooks/subscriptions",
            {"url": receivers[1].url, "event_types": ["process.*", "workshop.*"], "district_id": district_id},
            "subscription-1",
            acked,
        ),
    ]
    process = _post(
        client,
        "/workshops/processes",
        {"district_id": district_id, "title": "Due istanze", "started_on": "2026-01-01", "status": "active"},
        "process-main",
        acked,
    )
    workshop_ids = []
    for index in range(3):
        starts = datetime.now(UTC).replace(microsecond=0) + timedelta(days=30 + index)
        workshop_ids.append(
            _post(
                client,
                f"/workshops/processes/{process['id']}/workshops",
                {
                    "method": "world_cafe",
                    "title": f"Laboratorio {index}",
                    "starts_at": starts.isoformat(),
                    "ends_at": (starts + timedelta(hours=2)).isoformat(),
                    "capacity": 100_000,
                },
                f"workshop-{index}",
                acked,
            )["id"]
        )
    acked.processes["process-main"] = process["id"]

    total = 1 + WRITERS * (REGISTRATIONS_PER_WRITER + PROCESSES_PER_WRITER)
    done = threading.Event()
    errors: list[BaseException] = []
    reads = Counter[str]()

    def writer(number: int) -> None:
        try:
            with httpx.Client(base_url=cluster.base, headers=cluster.admin, timeout=15) as own:
                for step in range(REGISTRATIONS_PER_WRITER):
                    key = f"registration-{number}-{step}"
                    body = {"actor_category": "citizen", "count": 1 + step % 3}
                    workshop = workshop_ids[(number + step) % len(workshop_ids)]
                    made = _post(own, f"/workshops/workshops/{workshop}/registrations", body, key, acked)
                    with acked.lock:
                        acked.registrations[key] = made["id"]
                    if step % (REGISTRATIONS_PER_WRITER // PROCESSES_PER_WRITER) == 0:
                        key = f"process-{number}-{step}"
                        body = {
                            "district_id": districts[number % len(districts)],
                            "title": f"Processo {number}-{step}",
                            "started_on": "2026-01-01",
                            "status": "active",
                        }
                        made = _post(own, "/workshops/processes", body, key, acked)
                        with acked.lock:
                            acked.processes[key] = made["id"]
        except BaseException as exc:
            errors.append(exc)

    def reader() -> None:
        try:
            with httpx.Client(base_url=cluster.base, headers=cluster.admin, timeout=15) as own:
                while not done.is_set():
                    for path in (
                        f"/workshops/processes/{process['id']}",
                        f"/registry/districts/{district_id}",
                        f"/reporting/processes/{process['id']}/timeline?limit=5",
                        f"/workshops/workshops/{workshop_ids[0]}/registrations?limit=5",
                    ):
                        _get(own, path, acked)
                        reads[path.split("/")[1]] += 1
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(WRITERS)]
    threads += [threading.Thread(target=reader) for _ in range(2)]
    for thread in threads:
        thread.start()
    try:
        doomed = cluster.services["workshops"][0]
        wait_for(lambda: acked.count() >= total // 3 or bool(errors), 60, "a third of the writes")
        doomed.process.send_signal(signal.SIGKILL)
        doomed.process.wait(timeout=10)
        at_kill = acked.count()
        assert at_kill < total, "killed mid-load"
        for thread in threads[:WRITERS]:
            thread.join(timeout=90)
    finally:
        done.set()
        for thread in threads:
            thread.join(timeout=30)
    assert not errors, errors
    assert acked.count() == total, "every write was acknowledged in the end"

    # Both instances of every service served reads and writes (reporting's writes: the two subscriptions).
    for name in SERVICES:
        for index, served in enumerate(cluster.services[name]):
            methods = _access(served)
            assert methods["GET"] > 0 and methods["POST"] > 0, f"{name} instance {index} served {methods}"

    database = cluster.database
    with database.session(write=False) as session:
        head = last_position(session)
        events = read_all(session, after=0, limit=head + 1)
    assert [e.position for e in events] == list(range(1, head + 1))

    # Every acknowledged write is in the log exactly once, in the producer's table and in the read models.
    added = Counter(
        str(e.payload["registration_id"]) for e in events if e.type == "workshop.registration_added"
    )
    assert set(added) == set(acked.registrations.values()), "no lost and no extra registrations"
    assert max(added.values()) == 1, "each registration appended once"
    created = Counter(e.stream_id for e in events if e.type == "process.created")
    assert set(created) == set(acked.processes.values()) and max(created.values()) == 1

    def caught_up() -> bool:
        with database.session(write=False) as session:
            positions = set(session.execute(select(Checkpoint.position)).scalars())
        return positions == {head}

    wait_for(caught_up, 60, "both consumers to reach the log's head")
    registration_positions = {
        str(e.payload["registration_id"]): e.position
        for e in events
        if e.type == "workshop.registration_added"
    }
    with database.session(write=False) as session:
        stored = {str(r) for r in session.execute(select(Registration.id)).scalars()}
        viewed = {r for r in session.execute(select(RegistrationView.id)).scalars()}
        timeline = {
            (str(p), int(n))
            for p, n in session.execute(select(TimelineEntry.process_id, TimelineEntry.position))
        }
        timeline_rows = session.execute(select(func.count()).select_from(TimelineEntry)).scalar_one()
    assert set(acked.registrations.values()) <= stored
    assert set(acked.registrations.values()) <= viewed
    assert {(process["id"], p) for p in registration_positions.values()} <= timeline

    # The two consumers applied each position once between them: their batches chain from 0 to the head.
    batches = []
    for index, served in enumerate(cluster.services["reporting"]):
        lines = _log_lines(served)
        assert not [line for line in lines if line["message"] == "projection batch failed; retrying"]
        batches += [
            (line["after_position"], line["through_position"], index)
            for line in lines
            if line["message"] == "projection batch applied"
        ]
    batches.sort()
    reached = 0
    for after, through, _index in batches:
        assert after == reached, f"batch ({after}, {through}] after position {reached}: {batches}"
        reached = through
    assert reached == head

    # Webhooks: per subscription, the events in log order, each webhook-id once after deduplication.
    wanted = [
        [e for e in events if e.district_id == district_id and e.type == "workshop.registration_added"],
        [e for e in events if e.district_id == district_id and e.stream_type in ("process", "workshop")],
    ]
    for receiver, expected in zip(receivers, wanted, strict=True):
        wait_for(
            lambda r=receiver, n=len(expected): len({x.message_id for x in r.final_log}) >= n,
            60,
            "every delivery",
        )
    for subscription, receiver, expected in zip(subscriptions, receivers, wanted, strict=True):
        log = receiver.final_log
        first: dict[str, Any] = {}
        for request in log:
            first.setdefault(request.message_id, request)
        arrived = [r.json["data"]["event_id"] for r in first.values()]
        assert arrived == [str(e.event_id) for e in expected], "in log order, nothing missing or extra"
        for request in log:
            # A repeat is a redelivery of the same message (same id, same body), never a new one.
            assert request.body == first[request.message_id].body
        with database.session(write=False) as session:
            queued = session.execute(
                select(func.count())
                .select_from(WebhookDelivery)
                .where(WebhookDelivery.subscription_id == uuid.UUID(subscription["id"]))  # type: ignore[arg-type]
            ).scalar_one()
        assert queued == len(expected), "the fan-out queued each event once"

    # PostgreSQL's counters: every timeline row was inserted once and never rewritten by a second apply.
    # Stopping the reporting instances ends their sessions, whose statistics are flushed as they exit.
    for served in cluster.services["reporting"]:
        served.process.send_signal(signal.SIGTERM)
        assert served.process.wait(timeout=30) == 0
    plain = make_url(cluster.database_url).set(drivername="postgresql").render_as_string(hide_password=False)
    counted: dict[str, int] = {}
    with psycopg.connect(plain, autocommit=True) as conn:  # autocommit: a fresh statistics snapshot each read

        def flushed() -> bool:
            row = conn.execute(
                "SELECT n_tup_ins, n_tup_upd FROM pg_stat_user_tables "
                "WHERE schemaname = 'reporting' AND relname = 'report_timeline_entries'"
            ).fetchone()
            assert row is not None
            counted.update(inserted=int(row[0]), updated=int(row[1]))
            return counted["inserted"] >= timeline_rows

        wait_for(flushed, 15, "the consumers' sessions to flush their statistics")
    assert counted == {"inserted": timeline_rows, "updated": 0}
    print(
        f"\n{head} events, {len(batches)} projection batches "
        f"({Counter(i for _, _, i in batches)} by instance), {dict(reads)} reads, retries {dict(acked.retries)}"
    )
