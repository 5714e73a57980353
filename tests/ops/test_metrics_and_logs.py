"""`/metrics` exports what operators monitor; access logs are JSON with request id, route, status, latency."""

from __future__ import annotations

import io
import json
import logging
import uuid
from collections.abc import Callable, Iterator

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families
from sqlmodel import Session

from shared.eventlog import NewEvent, append
from shared.logging import JsonFormatter

pytestmark = pytest.mark.anyio


def _families(text: str) -> dict[str, object]:
    return {family.name: family for family in text_string_to_metric_families(text)}


def _sample(text: str, name: str, **labels: str) -> float:
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == name and all(sample.labels.get(k) == v for k, v in labels.items()):
                return float(sample.value)
    return 0.0


async def _metrics(client: httpx.AsyncClient) -> str:
    response = await client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    return response.text


@pytest.mark.parametrize("service", ["registry", "workshops", "reporting"])
async def test_metrics_count_requests_and_latency_by_route_and_status(
    make_client: Callable[[str], httpx.AsyncClient], service: str
) -> None:
    async with make_client(service) as client:
        before = await _metrics(client)
        assert (await client.get("/healthz")).status_code == 200
        assert (await client.get("/no-such-route")).status_code == 404
        after = await _metrics(client)

    labels = {"service": service, "method": "GET", "route": "/healthz", "status": "200"}
    assert _sample(after, "communitylab_http_requests_total", **labels) == (
        _sample(before, "communitylab_http_requests_total", **labels) + 1
    )
    missing = {"service": service, "method": "GET", "route": "unmatched", "status": "404"}
    assert _sample(after, "communitylab_http_requests_total", **missing) == (
        _sample(before, "communitylab_http_requests_total", **missing) + 1
    )
    latency = {"service": service, "method": "GET", "route": "/healthz"}
    assert _sample(after, "communitylab_http_request_duration_seconds_count", **latency) == (
        _sample(before, "communitylab_http_request_duration_seconds_count", **latency) + 1
    )
    # Buckets are exported, so operators can compute quantiles per route.
    assert _sample(after, "communitylab_http_request_duration_seconds_bucket", le="+Inf", **latency) >= 1


async def test_metrics_export_event_appends_consumer_lag_and_webhook_deliveries(
    make_client: Callable[[str], httpx.AsyncClient], session: Session
) -> None:
    stream_type = f"opsprobe{uuid.uuid4().hex[:8]}"
    append(
        session,
        stream_type=stream_type,
        stream_id=str(uuid.uuid4()),
        expected_version=0,
        events_to_append=[NewEvent("opsprobe.created", {"n": 1}), NewEvent("opsprobe.updated", {"n": 2})],
    )
    async with make_client("reporting") as client:
        text = await _metrics(client)
    families = _families(text)
    assert _sample(text, "communitylab_events_appended_total", stream_type=stream_type) == 2
    assert families["communitylab_events_appended"].type == "counter"  # type: ignore[attr-defined]
    assert families["communitylab_consumer_lag_events"].type == "gauge"  # type: ignore[attr-defined]
    assert families["communitylab_webhook_deliveries"].type == "counter"  # type: ignore[attr-defined]


@pytest.fixture
def access_log() -> Iterator[io.StringIO]:
    """Capture the access logger's lines through the production JSON formatter."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("communitylab.access")
    previous_level = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        yield stream
    finally:
        logger.removeHandler(handler)
        logger.setLevel(previous_level)


async def test_access_log_is_one_json_object_with_request_id_route_status_latency(
    make_client: Callable[[str], httpx.AsyncClient], access_log: io.StringIO
) -> None:
    async with make_client("registry") as client:
        response = await client.get("/readyz", headers={"X-Request-ID": "ops-test-0001"})
        minted = await client.get("/healthz")
    assert response.headers["x-request-id"] == "ops-test-0001"
    lines = [json.loads(line) for line in access_log.getvalue().splitlines()]
    mine = [line for line in lines if line.get("request_id") == "ops-test-0001"]
    assert len(mine) == 1
    entry = mine[0]
    assert entry["service"] == "registry"
    assert entry["route"] == "/readyz"
    assert entry["path"] == "/readyz"
    assert entry["method"] == "GET"
    assert entry["status"] == response.status_code == 200
    assert isinstance(entry["latency_ms"], int | float) and entry["latency_ms"] >= 0
    assert entry["level"] == "INFO" and entry["time"].endswith("+00:00")
    # Without an incoming id one is minted, echoed and logged.
    minted_id = minted.headers["x-request-id"]
    assert any(line.get("request_id") == minted_id and line["route"] == "/healthz" for line in lines)


async def test_projection_lag_per_consumer_on_metrics_falls_to_zero_after_catch_up(
    make_client: Callable[[str], httpx.AsyncClient], session: Session
) -> None:
    from services.reporting import consumer
    from services.reporting.projections import PROJECTIONS

    consumer.catch_up(session)
    stream_type = f"opsprobe{uuid.uuid4().hex[:8]}"
    append(
        session,
        stream_type=stream_type,
        stream_id=str(uuid.uuid4()),
        expected_version=0,
        events_to_append=[NewEvent("opsprobe.created", {"n": 1}), NewEvent("opsprobe.updated", {"n": 2})],
    )
    labels = [f"reporting.{projection.name}" for projection in PROJECTIONS]
    async with make_client("reporting") as client:
        consumer.update_lag_metric(session)  # what the projection loop does on each round
        behind = await _metrics(client)
        consumer.catch_up(session)
        caught_up = await _metrics(client)
    # One gauge per projection, each two events behind, then at 0.
    assert [_sample(behind, "communitylab_consumer_lag_events", consumer=label) for label in labels] == [
        2.0
    ] * len(labels)
    for label in labels:
        assert any(
            sample.labels.get("consumer") == label
            for family in text_string_to_metric_families(caught_up)
            for sample in family.samples
        )
        assert _sample(caught_up, "communitylab_consumer_lag_events", consumer=label) == 0
