"""The registry FastAPI app."""

from __future__ import annotations

from fastapi import FastAPI

from services.registry.identity.routes import OPENAPI_TAGS as IDENTITY_TAGS
from services.registry.identity.routes import router as identity_router
from services.registry.identity.service import in_process_resolver
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
    """Build the registry app; it resolves signed-in people in process (the others ask it over HTTP)."""
    app = create_service_app(
        "registry",
        title="communitylab registry",
        description="Districts, local authorities, organisations, people, governance bodies and facilitators. "
        "The only service that keeps personal data.",
        routers=[registry_router, identity_router],
        tags=[*TAGS, *IDENTITY_TAGS],
        settings=settings,
        database=database,
    )
    app.state.person_resolver = in_process_resolver(app.state.database)
    return app
