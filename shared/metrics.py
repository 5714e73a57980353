"""Prometheus metrics shared by the services (exposed at ``/metrics``)."""

from __future__ import annotations

import os

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)

MULTIPROCESS_ENV = "PROMETHEUS_MULTIPROC_DIR"

HTTP_REQUESTS = Counter(
    "communitylab_http_requests_total", "HTTP requests served", ["service", "method", "route", "status"]
)
HTTP_LATENCY = Histogram(
    "communitylab_http_request_duration_seconds",
    "HTTP request latency",
    ["service", "method", "route"],
    buckets=(0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
)
EVENTS_APPENDED = Counter("communitylab_events_appended_total", "Events appended to the log", ["stream_type"])
CONSUMER_LAG = Gauge(
    "communitylab_consumer_lag_events",
    "Latest log position minus consumer checkpoint",
    ["consumer"],
    multiprocess_mode="max",  # with several workers: the largest lag any process saw last
)
WEBHOOK_DELIVERIES = Counter(
    "communitylab_webhook_deliveries_total",
    "Webhook delivery attempts recorded by the worker, by outcome (succeeded, retrying, failed)",
    ["outcome"],
)
WEBHOOK_LATENCY = Histogram(
    "communitylab_webhook_delivery_seconds",
    "Time from sending a webhook attempt to its answer (or its error)",
    ["outcome"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)


def render_latest() -> tuple[bytes, str]:
    """The current metrics in the Prometheus text format (summed over worker processes in multiprocess mode)."""
    if os.environ.get(MULTIPROCESS_ENV):
        # `communitylab serve --workers N` sets this directory: each worker writes its samples there, and
        # whichever worker answers /metrics reports the whole server, not only itself.
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
        return generate_latest(registry), CONTENT_TYPE_LATEST
    return generate_latest(), CONTENT_TYPE_LATEST
