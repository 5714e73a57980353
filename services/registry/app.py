"""The registry FastAPI app."""

from __future__ import annotations

from fastapi import FastAPI

from services.registry.routes import router as registry_router
from shared.app import create_service_app
from shared.config import Settings
from shared.db import Database

TAGS = [
    {
        "name": "districts",
        "description": "The region's social-and-health districts: codes, population, boundaries.",
    },
    {
        "name": "organisations",
        "description": "Municipalities, AUSL, ASP, associations, cooperatives, schools...",
    },
    {"name": "people", "description": "People (the only home of personal data), consent and erasure."},
    {
        "name": "bodies",
        "description": "Ufficio di Piano, Comitato di Distretto, steering groups and memberships.",
    },
    {"name": "facilitators", "description": "Facilitators and tutors, their training and availability."},
]


def create_app(settings: Settings | None = None, database: Database | None = None) -> FastAPI:
    """Build the registry app."""
    return create_service_app(
        "registry",
        title="communitylab registry",
        description="Districts, local authorities, organisations, people, governance bodies and facilitators. "
        "The only service that keeps personal data.",
        routers=[registry_router],
        tags=TAGS,
        settings=settings,
        database=database,
    )
