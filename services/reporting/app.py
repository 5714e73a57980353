"""The reporting FastAPI app."""

from __future__ import annotations

from fastapi import FastAPI

from services.reporting.consumer import projection_loop, readiness_check
from services.reporting.log.routes import router as log_router
from services.reporting.opendata_routes import router as opendata_router
from services.reporting.routes import router as reporting_router
from services.reporting.webhooks.openapi import install_webhooks_openapi
from services.reporting.webhooks.routes import router as webhooks_router
from shared.app import create_service_app
from shared.clients.registry import RegistryClient
from shared.config import Settings, get_settings
from shared.db import Database

TAGS = [
    {"name": "timeline", "description": "A process's history in sentences (Italian and English)."},
    {"name": "diary", "description": "The per-district Diario of a programme edition."},
    {"name": "dashboard", "description": "The regional dashboard and comparison between editions."},
    {
        "name": "open data",
        "description": "CSV/JSON exports, their Frictionless Data Package, landing page and DCAT-AP_IT "
        "catalogue (no personal data).",
    },
    {
        "name": "event log",
        "description": "Signed checkpoints of the event log, their public keys and Merkle proofs (for auditors).",
    },
    {
        "name": "webhooks",
        "description": "Subscriptions of regional integrations and their signed deliveries.",
    },
]


def create_app(
    settings: Settings | None = None,
    database: Database | None = None,
    *,
    run_projections: bool = True,
    registry: RegistryClient | None = None,
) -> FastAPI:
    """Build the reporting app; with ``run_projections`` it keeps the read models up to date in the background.

    ``registry`` (default: a client of the configured registry URL) resolves people signed in with tokens.
    """
    settings = settings or get_settings()
    app = create_service_app(
        "reporting",
        title="communitylab reporting",
        description="Timelines, district diaries, the regional dashboard and open data, built from the event log.",
        routers=[reporting_router, opendata_router, webhooks_router, log_router],
        tags=TAGS,
        settings=settings,
        database=database,
        readiness_checks=[readiness_check],
        background=[projection_loop] if run_projections else [],
    )
    client = registry or RegistryClient(
        settings.registry_url,
        timeout=settings.http_timeout_seconds,
        cache_seconds=settings.registry_cache_seconds,
    )
    app.state.person_resolver = client.person_resolver
    install_webhooks_openapi(app)
    return app
