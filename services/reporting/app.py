"""The reporting FastAPI app."""

from __future__ import annotations

from fastapi import FastAPI

from services.reporting.routes import router as reporting_router
from services.reporting.webhooks.routes import router as webhooks_router
from shared.app import create_service_app
from shared.config import Settings
from shared.db import Database


def create_app(settings: Settings | None = None, database: Database | None = None) -> FastAPI:
    """Build the reporting app."""
    return create_service_app(
        "reporting",
        title="communitylab reporting",
        description="Timelines, district diaries, the regional dashboard and open data, built from the event log.",
        routers=[reporting_router, webhooks_router],
        settings=settings,
        database=database,
    )
