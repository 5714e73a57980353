"""What operators see of the webhook worker: its /metrics (counters, latency, fan-out lag) and correlation ids."""

from __future__ import annotations

import logging
import socket
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families
from sqlmodel import Session
from standardwebhooks import Webhook

from shared.auth.principal import Role
from shared.context import request_id_var
from shared.metrics_http import MetricsServer, start_metrics_server
from tests.webhooks.conftest import Receiver, append_event, create_subscription, run_until

pytestmark = pytest.mark.anyio


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def metrics_server() -> Iterator[MetricsServer]:
    server = start_metrics_server("127.0.0.1", _free_port())
    assert server is not None
    yield server
    server.close()


def _scrape(server: MetricsServer) -> str:
    response = httpx.get(f"http://127.0.0.1:{server.port}/metrics", timeout=5)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    return response.text


def _value(text: str, name: str, **labels: str) -> float:
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == name and all(sample.labels.get(k) == v for k, v in labels.items()):
                return float(sample.value)
    return 0.0


def test_port_zero_turns_the_metrics_server_off() -> None:
    assert start_metrics_server("127.0.0.1", 0) is None


async def test_a_real_delivery_moves_the_counters_the_histogram_and_the_lag_on_the_worker_metrics(
    reporting_client: httpx.AsyncClient,
    create_api_key: Any,
    session: Session,
    receiver: Receiver,
    make_dispatcher: Any,
    metrics_server: MetricsServer,
    caplog: pytest.LogCaptureFixture,
) -> None:
    key = create_api_key(Role.INTEGRATION)
    sub = await create_subscription(reporting_client, key.headers, receiver.url)
    # The request that changed the state: its id is the events' correlation id (as the middleware sets it).
    token = request_id_var.set("req-observability-1")
    try:
        events = [append_event(session, "priority.proposed", sub["district_id"], n=n) for n in range(3)]
    finally:
        request_id_var.reset(token)
    assert {e.correlation_id for e in events} == {"req-observability-1"}
    session.commit()
    before = _scrape(metrics_server)
    dispatcher = make_dispatcher(batch_size=1)

    dispatcher.fan_out_once()  # one event of three: the fan-out is behind
    behind = _value(_scrape(metrics_server), "communitylab_consumer_lag_events", consumer="webhooks.fanout")
    assert behind >= 2

    with caplog.at_level(logging.INFO, logger="communitylab.webhooks"):
        run_until(dispatcher, lambda: len(receiver.final_log) >= 3)
        dispatcher.run_once()
    after = _scrape(metrics_server)
    assert _value(after, "communitylab_consumer_lag_events", consumer="webhooks.fanout") == 0
    succeeded = {"outcome": "succeeded"}
    assert _value(after, "communitylab_webhook_deliveries_total", **succeeded) == (
        _value(before, "communitylab_webhook_deliveries_total", **succeeded) + 3
    )
    assert _value(after, "communitylab_webhook_delivery_seconds_count", **succeeded) == (
        _value(before, "communitylab_webhook_delivery_seconds_count", **succeeded) + 3
    )
    assert _value(after, "communitylab_webhook_delivery_seconds_bucket", le="+Inf", **succeeded) >= 3

    # The correlation id travels with the delivery (an unsigned header beside the Standard Webhooks ones) ...
    for request in receiver.final_log:
        assert request.headers["x-correlation-id"] == "req-observability-1"
        Webhook(sub["secret"]).verify(request.body, request.headers)  # the extra header breaks nothing
    # ... and into the attempt log lines.
    attempts = [r for r in caplog.records if r.getMessage() == "webhook attempt"]
    assert len(attempts) == 3
    assert {getattr(r, "correlation_id", None) for r in attempts} == {"req-observability-1"}
    assert {getattr(r, "message_id", None) for r in attempts} == {
        r.headers["webhook-id"] for r in receiver.final_log
    }


async def test_a_ping_has_no_correlation_header(
    reporting_client: httpx.AsyncClient, create_api_key: Any, receiver: Receiver, make_dispatcher: Any
) -> None:
    key = create_api_key(Role.INTEGRATION)
    sub = await create_subscription(reporting_client, key.headers, receiver.url)
    response = await reporting_client.post(f"/webhooks/subscriptions/{sub['id']}/ping", headers=key.headers)
    assert response.status_code in (200, 201, 202), response.text
    dispatcher = make_dispatcher()
    run_until(dispatcher, lambda: len(receiver.final_log) >= 1)
    (request,) = receiver.final_log
    assert request.json["type"] == "webhook.ping"
    assert "x-correlation-id" not in request.headers


async def test_an_event_appended_outside_a_request_is_sent_without_the_header(
    reporting_client: httpx.AsyncClient,
    create_api_key: Any,
    session: Session,
    receiver: Receiver,
    make_dispatcher: Any,
) -> None:
    key = create_api_key(Role.INTEGRATION)
    sub = await create_subscription(reporting_client, key.headers, receiver.url)
    event = append_event(session, "priority.proposed", sub["district_id"], n=str(uuid.uuid4()))
    assert event.correlation_id is None
    session.commit()
    run_until(make_dispatcher(), lambda: len(receiver.final_log) >= 1)
    assert "x-correlation-id" not in receiver.final_log[0].headers
