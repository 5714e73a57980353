"""The workshops FastAPI app."""

from __future__ import annotations

from fastapi import FastAPI

from services.workshops.attachments.routes import OPENAPI_TAGS as ATTACHMENTS_TAGS
from services.workshops.attachments.routes import ROUTERS as ATTACHMENTS_ROUTERS
from services.workshops.attachments.routes import UPLOAD_PATHS
from services.workshops.imports.routes import OPENAPI_TAGS as IMPORTS_TAGS
from services.workshops.imports.routes import UPLOAD_PATHS as IMPORT_PATHS
from services.workshops.imports.routes import router as IMPORTS_ROUTER
from services.workshops.knowledge.routes import OPENAPI_TAGS as KNOWLEDGE_TAGS
from services.workshops.knowledge.routes import ROUTERS as KNOWLEDGE_ROUTERS
from services.workshops.outcomes.routes import OPENAPI_TAGS as OUTCOMES_TAGS
from services.workshops.outcomes.routes import ROUTERS as OUTCOMES_ROUTERS
from services.workshops.participation.routes import OPENAPI_TAGS as PARTICIPATION_TAGS
from services.workshops.participation.routes import ROUTERS as PARTICIPATION_ROUTERS
from services.workshops.processes.routes import OPENAPI_TAGS as PROCESSES_TAGS
from services.workshops.processes.routes import ROUTERS as PROCESSES_ROUTERS
from services.workshops.region.routes import router as REGION_ROUTER
from services.workshops.search import index as search_index
from services.workshops.search.routes import OPENAPI_TAGS as SEARCH_TAGS
from services.workshops.search.routes import router as SEARCH_ROUTER
from services.workshops.sessions.routes import OPENAPI_TAGS as SESSIONS_TAGS
from services.workshops.sessions.routes import ROUTERS as SESSIONS_ROUTERS
from shared.app import create_service_app
from shared.clients.registry import RegistryClient
from shared.config import Settings, get_settings
from shared.db import Database
from shared.middleware import BodyLimit

MULTIPART_ALLOWANCE = 1 << 20
"""Room for a multipart upload's boundaries and fields beside the file itself."""


def create_app(
    settings: Settings | None = None, database: Database | None = None, registry: RegistryClient | None = None
) -> FastAPI:
    """Build the workshops app; ``registry`` defaults to an HTTP client of the configured registry URL."""
    settings = settings or get_settings()
    search_index.listen()  # every write of this app keeps the search index in step, in its transaction
    app = create_service_app(
        "workshops",
        title="communitylab workshops",
        description=(
            "Programmes, participatory processes, workshops, attendance, inventions, priorities, evaluations, "
            "citizens' proposals, attached files, the facilitators' collective manual and the case library."
        ),
        routers=[
            REGION_ROUTER,
            *PROCESSES_ROUTERS,
            *OUTCOMES_ROUTERS,
            *SESSIONS_ROUTERS,
            *PARTICIPATION_ROUTERS,
            *ATTACHMENTS_ROUTERS,
            SEARCH_ROUTER,
            IMPORTS_ROUTER,
            *KNOWLEDGE_ROUTERS,
        ],
        tags=[
            *PROCESSES_TAGS,
            *OUTCOMES_TAGS,
            *SESSIONS_TAGS,
            *PARTICIPATION_TAGS,
            *ATTACHMENTS_TAGS,
            *SEARCH_TAGS,
            *IMPORTS_TAGS,
            *KNOWLEDGE_TAGS,
        ],
        settings=settings,
        database=database,
        # Uploads stream to disk and stop at attachment_max_bytes themselves; the outer limit is only a bound.
        body_limits=[
            BodyLimit("POST", path, settings.attachment_max_bytes + MULTIPART_ALLOWANCE)
            for path in (*UPLOAD_PATHS, *IMPORT_PATHS)
        ],
    )
    app.state.registry = registry or RegistryClient(
        settings.registry_url,
        timeout=settings.http_timeout_seconds,
        cache_seconds=settings.registry_cache_seconds,
    )
    app.state.person_resolver = app.state.registry.person_resolver
    return app
