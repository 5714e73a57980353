"""The workshops FastAPI app."""

from __future__ import annotations

from fastapi import FastAPI

from services.workshops.outcomes.routes import router as outcomes_router
from services.workshops.processes.routes import router as processes_router
from services.workshops.sessions.routes import router as sessions_router
from shared.app import create_service_app
from shared.config import Settings
from shared.db import Database


def create_app(settings: Settings | None = None, database: Database | None = None) -> FastAPI:
    """Build the workshops app."""
    return create_service_app(
        "workshops",
        title="communitylab workshops",
        description="Programmes, participatory processes, workshops, attendance, inventions, priorities and evaluations.",
        routers=[processes_router, outcomes_router, sessions_router],
        settings=settings,
        database=database,
    )
