"""Real worker processes on committed data: two workers never double-send, kill -9 loses nothing, SIGTERM is clean."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import Engine, update
from sqlmodel import select

from services.reporting.app import create_app
from services.reporting.webhooks.models import (
    DeliveryStatus,
    WebhookAttempt,
    WebhookDelivery,
    WebhookSubscription,
)
from shared.auth.keys import create_key
from shared.auth.principal import Role
from shared.config import Settings
from shared.db import Database
from tests.conftest import TEST_SECRET
from tests.webhooks.conftest import Receiver, append_event, subscription_body

pytestmark = pytest.mark.anyio

REPO_ROOT = Path(__file__).resolve().parents[2]


def wait_for(condition: Callable[[], bool], timeout: float, what: str) -> None:
    """Poll ``condition`` until it holds; fail naming ``what`` after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


class Committed:
    """Writes that outlive the test, through the real API and the real event log, for worker processes."""

    def __init__(self, engine: Engine, settings: Settings):
        self.database = Database(engine)
        self.app = create_app(settings=settings, database=self.database)
        self.subscription_ids: list[uuid.UUID] = []

    def key(self) -> dict[str, str]:
        with self.database.transaction() as session:
            issued = create_key(
                session.connection(), secret=TEST_SECRET, role=Role.INTEGRATION, label="webhooks"
            )
        return {"Authorization": f"Bearer {issued.key}"}

    async def subscribe(self, url: str) -> dict[str, Any]:
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=self.app), base_url="http://r.test"
        ) as client:
            response = await client.post(
                "/webhooks/subscriptions", json=subscription_body(url), headers=self.key()
            )
        assert response.status_code == 201, response.text
        self.subscription_ids.append(uuid.UUID(response.json()["id"]))
        return dict(response.json())

    def events(self, district_id: str, count: int, **payload: Any) -> list[str]:
        with self.database.transaction() as session:
            return [
                str(append_event(session, "priority.proposed", district_id, n=n, **payload).event_id)
                for n in range(count)
            ]

    def deliveries(self, subscription_id: str) -> list[WebhookDelivery]:
        with self.database.session(write=False) as session:
            statement = select(WebhookDelivery).where(
                WebhookDelivery.subscription_id == uuid.UUID(subscription_id)
            )
            return list(session.exec(statement).all())

    def attempts(self, subscription_id: str) -> list[WebhookAttempt]:
        with self.database.session(write=False) as session:
            statement = select(WebhookAttempt).where(
                WebhookAttempt.subscription_id == uuid.UUID(subscription_id)
            )
            return list(session.exec(statement).all())

    def subscription(self, subscription_id: str) -> WebhookSubscription:
        with self.database.session(write=False) as session:
            row = session.get(WebhookSubscription, uuid.UUID(subscription_id))
            assert row is not None
            return row

    def retire(self) -> None:
        """Disable this test's subscriptions so later tests' workers leave them alone."""
        if self.subscription_ids:
            table = WebhookSubscription.__table__  # type: ignore[attr-defined]
            with self.database.transaction() as session:
                session.connection().execute(
                    update(table).where(table.c.id.in_(self.subscription_ids)).values(enabled=False)
                )


@pytest.fixture
def committed(
    committing_engine: Engine, committing_database_url: str, settings: Settings
) -> Iterator[Committed]:
    helper = Committed(
        committing_engine, settings.model_copy(update={"database_url": committing_database_url})
    )
    yield helper
    helper.retire()


@pytest.fixture
def start_worker(committing_database_url: str) -> Iterator[Callable[..., subprocess.Popen[bytes]]]:
    """Start ``communitylab webhooks-worker`` processes on the test database; kill leftovers afterwards."""
    started: list[subprocess.Popen[bytes]] = []
    logs = tempfile.TemporaryDirectory(prefix="webhooks-workers-")

    def start(name: str, *extra: str, **env_overrides: str) -> subprocess.Popen[bytes]:
        env = {
            **os.environ,
            "COMMUNITYLAB_DATABASE_URL": committing_database_url,
            "COMMUNITYLAB_WEBHOOK_TIMEOUT_SECONDS": "2",
            "COMMUNITYLAB_LOG_LEVEL": "WARNING",
            "COMMUNITYLAB_ENVIRONMENT": "test",
            "COMMUNITYLAB_SECRET_KEY": TEST_SECRET,
            "COMMUNITYLAB_WEBHOOK_ALLOW_HTTP_LOOPBACK": "true",
            "COMMUNITYLAB_WEBHOOKS_METRICS_PORT": "0",  # several workers at once: no metrics port each
            **env_overrides,
        }
        command = [
            sys.executable,
            "-m",
            "services.cli",
            "webhooks-worker",
            "--worker-id",
            name,
            "--lease-seconds",
            "2",
            "--backoff-base",
            "0.05",
            "--backoff-max",
            "0.2",
            "--poll-seconds",
            "0.05",
            *extra,
        ]
        log = open(Path(logs.name) / f"{name}.log", "wb")  # noqa: SIM115 - lives as long as the process
        process = subprocess.Popen(command, cwd=REPO_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        process.log_path = Path(logs.name) / f"{name}.log"  # type: ignore[attr-defined]
        started.append(process)
        return process

    yield start
    for process in started:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=10)
    logs.cleanup()


async def test_two_workers_never_double_send(
    committed: Committed, start_worker: Callable[..., subprocess.Popen[bytes]], make_receiver: Any
) -> None:
    receivers = [make_receiver() for _ in range(4)]
    for r in receivers:
        r.delay_seconds = 0.01
    subs = [await committed.subscribe(r.url) for r in receivers]
    expected: dict[str, list[str]] = {s["id"]: [] for s in subs}
    start_worker("worker-a", "--concurrency", "2", "--per-lease", "3")
    start_worker("worker-b", "--concurrency", "2", "--per-lease", "3")
    for wave in range(5):
        for sub in subs:
            expected[sub["id"]] += committed.events(sub["district_id"], 4, wave=wave)
        time.sleep(0.2)
    for sub, receiver in zip(subs, receivers, strict=True):
        wait_for(lambda r=receiver, s=sub: len(r.final_log) >= len(expected[s["id"]]), 90, "all deliveries")
    time.sleep(1.0)  # anything sent twice would show up now
    workers: set[str] = set()
    for sub, receiver in zip(subs, receivers, strict=True):
        got = [r.json["data"]["event_id"] for r in receiver.requests]
        assert got == expected[sub["id"]], "each event exactly once, in log order"
        assert max(Counter(r.message_id for r in receiver.requests).values()) == 1
        deliveries = committed.deliveries(sub["id"])
        assert len(deliveries) == len(expected[sub["id"]])  # the fan-out queued each event once
        assert {d.status for d in deliveries} == {DeliveryStatus.SUCCEEDED.value}
        attempts = committed.attempts(sub["id"])
        assert len(attempts) == len(deliveries)
        workers |= {a.worker_id for a in attempts}
    assert workers == {"worker-a", "worker-b"}, "both workers took part"


async def test_kill_9_mid_run_loses_nothing(
    committed: Committed, start_worker: Callable[..., subprocess.Popen[bytes]], receiver: Receiver
) -> None:
    receiver.delay_seconds = 0.05
    sub = await committed.subscribe(receiver.url)
    expected = committed.events(sub["district_id"], 40)
    first = start_worker("doomed", "--concurrency", "1")
    wait_for(lambda: len(receiver.final_log) >= 8, 60, "the first deliveries")
    first.send_signal(signal.SIGKILL)
    first.wait(timeout=10)
    assert len(receiver.final_log) < len(expected), "killed mid-run"
    expected += committed.events(sub["district_id"], 10)  # appended while no worker runs
    start_worker("survivor", "--concurrency", "1")
    wait_for(
        lambda: {r.json["data"]["event_id"] for r in receiver.final_log} >= set(expected), 90, "every event"
    )
    received = [r.json["data"]["event_id"] for r in receiver.final_log]
    # At least once: only the delivery in flight at the kill may arrive twice (with the same webhook-id).
    assert len(received) - len(expected) <= 1
    first_arrivals = list(dict.fromkeys(received))
    assert first_arrivals == expected, "order kept across the crash"
    # The receiver logs before the worker records the answer: wait for the last record.
    wait_for(
        lambda: {d.status for d in committed.deliveries(sub["id"])} == {DeliveryStatus.SUCCEEDED.value},
        10,
        "every delivery recorded as succeeded",
    )


async def test_sigterm_finishes_the_in_flight_delivery_and_stops(
    committed: Committed, start_worker: Callable[..., subprocess.Popen[bytes]], receiver: Receiver
) -> None:
    receiver.script = [("sleep", 1.5, 200)]
    sub = await committed.subscribe(receiver.url)
    first, _second = committed.events(sub["district_id"], 2)
    worker = start_worker("graceful", "--concurrency", "1")
    wait_for(lambda: receiver.arrived >= 1, 60, "the first request to be in flight")
    worker.send_signal(signal.SIGTERM)
    assert worker.wait(timeout=15) == 0
    assert [r.json["data"]["event_id"] for r in receiver.final_log] == [first]
    deliveries = sorted(committed.deliveries(sub["id"]), key=lambda d: d.seq)
    assert [d.status for d in deliveries] == [DeliveryStatus.SUCCEEDED.value, DeliveryStatus.PENDING.value]
    assert deliveries[0].attempts == 1
    subscription = committed.subscription(sub["id"])
    assert subscription.lease_owner is None, "the lease was handed back"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _sample(text: str, name: str, **labels: str) -> float | None:
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == name and all(sample.labels.get(k) == v for k, v in labels.items()):
                return float(sample.value)
    return None


async def test_the_worker_process_serves_its_metrics_on_its_own_port_and_logs_json(
    committed: Committed, start_worker: Callable[..., subprocess.Popen[bytes]], receiver: Receiver
) -> None:
    sub = await committed.subscribe(receiver.url)
    expected = committed.events(sub["district_id"], 3)
    port = _free_port()
    worker = start_worker(
        "metered",
        "--concurrency",
        "1",
        COMMUNITYLAB_WEBHOOKS_METRICS_PORT=str(port),
        COMMUNITYLAB_LOG_LEVEL="INFO",
    )
    wait_for(lambda: len(receiver.final_log) >= len(expected), 60, "the deliveries")
    url = f"http://127.0.0.1:{port}/metrics"

    def caught_up() -> bool:
        text = httpx.get(url, timeout=2).text
        sent = _sample(text, "communitylab_webhook_deliveries_total", outcome="succeeded") or 0
        return (
            sent >= 3 and _sample(text, "communitylab_consumer_lag_events", consumer="webhooks.fanout") == 0
        )

    wait_for(caught_up, 30, "the counters and the lag on /metrics")
    response = httpx.get(url, timeout=2)
    assert response.headers["content-type"].startswith("text/plain")
    assert (
        _sample(response.text, "communitylab_webhook_delivery_seconds_count", outcome="succeeded") or 0
    ) >= 3
    worker.send_signal(signal.SIGTERM)
    assert worker.wait(timeout=15) == 0
    lines = [json.loads(line) for line in worker.log_path.read_text().splitlines() if line.strip()]  # type: ignore[attr-defined]
    assert lines and {line["service"] for line in lines} == {"webhooks-worker"}
    messages = [line["message"] for line in lines]
    assert f"webhooks worker metrics at http://127.0.0.1:{port}/metrics" in messages
    assert "webhooks worker started" in messages and "webhooks worker stopped" in messages


def test_a_taken_metrics_port_stops_the_worker_with_one_line_naming_the_setting(
    start_worker: Callable[..., subprocess.Popen[bytes]],
) -> None:
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", 0))
        squatter.listen()
        port = squatter.getsockname()[1]
        worker = start_worker("squeezed", COMMUNITYLAB_WEBHOOKS_METRICS_PORT=str(port))
        assert worker.wait(timeout=60) == 2
    (line,) = [json.loads(line) for line in worker.log_path.read_text().splitlines() if line.strip()]  # type: ignore[attr-defined]
    assert line["level"] == "ERROR" and line["service"] == "webhooks-worker"
    assert (
        f"127.0.0.1:{port}" in line["message"]
        and "COMMUNITYLAB_WEBHOOKS_METRICS_PORT=<port>" in line["message"]
    )
