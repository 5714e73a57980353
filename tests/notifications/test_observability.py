"""What operators see of the notifications worker: its consumer lag on /metrics, correlation ids in its mail logs."""

from __future__ import annotations

import logging
import socket
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from shared.context import request_id_var
from shared.metrics_http import MetricsServer, start_metrics_server
from tests.conftest import TestDatabase
from tests.notifications.conftest import People, SmtpServer, Workshop, drain

pytestmark = pytest.mark.anyio


@pytest.fixture
def people(db: TestDatabase, registry_client: httpx.AsyncClient) -> People:
    return People(db, registry_client)


@pytest.fixture
def metrics_server() -> Iterator[MetricsServer]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = int(sock.getsockname()[1])
    server = start_metrics_server("127.0.0.1", port)
    assert server is not None
    yield server
    server.close()


def _lag(server: MetricsServer) -> float | None:
    text = httpx.get(f"http://127.0.0.1:{server.port}/metrics", timeout=5).text
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if (
                sample.name == "communitylab_consumer_lag_events"
                and sample.labels["consumer"] == "notifications"
            ):
                return float(sample.value)
    return None


async def test_the_mail_log_line_names_the_request_behind_it_and_the_lag_falls_to_zero(
    people: People,
    db: TestDatabase,
    make_worker: Any,
    smtp: SmtpServer,
    metrics_server: MetricsServer,
    caplog: pytest.LogCaptureFixture,
) -> None:
    author = await people.person("Chiara")
    workshop = Workshop(db, await people.district())
    proposal_id = workshop.propose(author.person_id, title="Un orto di quartiere")
    token = request_id_var.set("req-answer-42")  # the workshops request that answered the proposal
    try:
        answered = workshop.answer(proposal_id)
    finally:
        request_id_var.reset(token)
    assert answered.correlation_id == "req-answer-42"
    worker = make_worker(batch_size=1)
    worker.consume_once()  # one event of several: behind
    behind = _lag(metrics_server)
    assert behind is not None and behind >= 1

    with caplog.at_level(logging.INFO, logger="communitylab.notifications"):
        drain(worker, rounds=50)
    assert _lag(metrics_server) == 0
    assert len(smtp.to(author.email)) == 1
    (attempt,) = [r for r in caplog.records if r.getMessage() == "notification mail attempt"]
    assert attempt.correlation_id == "req-answer-42"
    assert attempt.correlation_ids == ["req-answer-42"]
    assert attempt.error is None
