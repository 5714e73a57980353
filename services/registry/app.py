"""The registry FastAPI app."""

from __future__ import annotations

from fastapi import FastAPI

from services.registry.actors.routes import router as actors_router
from services.registry.agreements.routes import OPENAPI_TAGS as AGREEMENTS_TAGS
from services.registry.agreements.routes import router as agreements_router
from services.registry.bodies.routes import OPENAPI_TAGS as BODIES_TAGS
from services.registry.bodies.routes import router as bodies_router
from services.registry.courses.routes import OPENAPI_TAGS as COURSES_TAGS
from services.registry.courses.routes import router as courses_router
from services.registry.districts.routes import OPENAPI_TAGS as DISTRICTS_TAGS
from services.registry.districts.routes import router as districts_router
from services.registry.facilitators.routes import OPENAPI_TAGS as FACILITATORS_TAGS
from services.registry.facilitators.routes import router as facilitators_router
from services.registry.identity.routes import OPENAPI_TAGS as IDENTITY_TAGS
from services.registry.identity.routes import router as identity_router
from services.registry.identity.service import in_process_resolver
from services.registry.keys.routes import OPENAPI_TAGS as KEYS_TAGS
from services.registry.keys.routes import router as keys_router
from services.registry.notifications.routes import OPENAPI_TAGS as NOTIFICATIONS_TAGS
from services.registry.notifications.routes import router as notifications_router
from services.registry.organisations.routes import OPENAPI_TAGS as ORGANISATIONS_TAGS
from services.registry.organisations.routes import router as organisations_router
from services.registry.people.routes import OPENAPI_TAGS as PEOPLE_TAGS
from services.registry.people.routes import router as people_router
from services.registry.supervisions.routes import OPENAPI_TAGS as SUPERVISIONS_TAGS
from services.registry.supervisions.routes import router as supervisions_router
from shared.app import create_service_app
from shared.clients.workshops import WorkshopsClient
from shared.config import Settings, get_settings
from shared.db import Database

# The order of the routers is the order of the operations in the OpenAPI document.
ROUTERS = [
    districts_router,
    actors_router,
    organisations_router,
    people_router,
    bodies_router,
    agreements_router,
    facilitators_router,
    courses_router,
    supervisions_router,
    identity_router,
    keys_router,
    notifications_router,
]
TAGS = [
    *DISTRICTS_TAGS,
    *ORGANISATIONS_TAGS,
    *PEOPLE_TAGS,
    *BODIES_TAGS,
    *AGREEMENTS_TAGS,
    *FACILITATORS_TAGS,
    *COURSES_TAGS,
    *SUPERVISIONS_TAGS,
    *IDENTITY_TAGS,
    *KEYS_TAGS,
    *NOTIFICATIONS_TAGS,
]


def create_app(
    settings: Settings | None = None,
    database: Database | None = None,
    workshops: WorkshopsClient | None = None,
) -> FastAPI:
    """Build the registry app (signed-in people resolved in process; facilitators' people asked of workshops)."""
    settings = settings or get_settings()
    app = create_service_app(
        "registry",
        title="communitylab registry",
        description="Districts, local authorities, organisations, people, governance bodies and facilitators. "
        "The only service that keeps personal data.",
        routers=ROUTERS,
        tags=TAGS,
        settings=settings,
        database=database,
    )
    app.state.person_resolver = in_process_resolver(app.state.database)
    app.state.workshops = workshops or WorkshopsClient(
        settings.workshops_url, timeout=settings.http_timeout_seconds
    )
    return app
