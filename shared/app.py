"""The factory every service uses: middleware, problem+json errors, health, readiness, metrics, OpenAPI."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from typing import Any

import anyio
from fastapi import APIRouter, FastAPI, Query, Request
from fastapi.responses import Response
from fastapi.routing import APIRoute
from pydantic import BaseModel, Field
from starlette.middleware.cors import CORSMiddleware

from shared.api.docs import install_docs
from shared.api.problems import install_error_handlers, problem_response
from shared.auth.oidc import TokenVerifier
from shared.config import Settings, get_settings
from shared.db import Database
from shared.errors import Problem
from shared.logging import configure_logging
from shared.metrics import render_latest
from shared.middleware import BodyLimit, CursorScopeMiddleware, RequestContextMiddleware
from shared.migrations import pending
from shared.ratelimit import RateLimitMiddleware

logger = logging.getLogger("communitylab.app")

ReadinessCheck = Callable[[FastAPI], dict[str, Any]]
"""A check returning details to show at /readyz; raising means not ready."""

CORS_ALLOWED_HEADERS = (
    "Authorization",
    "Content-Type",
    "If-Match",
    "Idempotency-Key",
    "X-Request-ID",
    "Accept",
)
CORS_EXPOSED_HEADERS = (
    "ETag",
    "Location",
    "Link",
    "RateLimit",
    "RateLimit-Policy",
    "Retry-After",
    "X-Request-ID",
)
"""What a browser front end may send and read: the headers the API's conventions rely on."""

OPS_TAG = {"name": "operations", "description": "Health, readiness and metrics for operators."}


def operation_id(route: APIRoute) -> str:
    """Use the route function's name as its operationId (unique per service, checked by a test)."""
    return route.name


class Readiness(BaseModel):
    """Readiness report: every check that passed, with its details."""

    status: str = Field(examples=["ready"])
    service: str = Field(examples=["workshops"])
    checks: dict[str, Any] = Field(examples=[{"database": "ok", "migrations": "at head"}])


class MigrationsPending(RuntimeError):
    """The database is not migrated to head."""


def create_service_app(
    name: str,
    *,
    title: str,
    description: str,
    routers: Sequence[APIRouter],
    tags: Sequence[dict[str, str]] = (),
    settings: Settings | None = None,
    database: Database | None = None,
    readiness_checks: Sequence[ReadinessCheck] = (),
    background: Sequence[Callable[[FastAPI], Any]] = (),
    check_migrations: bool = True,
    body_limits: Sequence[BodyLimit] = (),
) -> FastAPI:
    """Build one service's FastAPI app; ``body_limits`` raise the body size limit on some routes (uploads)."""
    settings = settings or get_settings()
    database = database or Database.from_url(
        settings.database_url,
        pool_size=settings.db_pool_size,
        max_overflow=settings.db_max_overflow,
        busy_timeout_ms=settings.sqlite_busy_timeout_ms,
    )

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        configure_logging(settings.log_level, json_logs=settings.log_json, service=name)
        if check_migrations:
            behind = await anyio.to_thread.run_sync(pending, database.engine)
            if behind:
                logger.critical(
                    "database is not migrated; run `communitylab migrate` first",
                    extra={"components_behind": behind, "service": name},
                )
                raise MigrationsPending(
                    f"database not migrated for: {', '.join(behind)}; run `communitylab migrate`"
                )
        async with anyio.create_task_group() as group:
            for starter in background:
                group.start_soon(starter, app)
            logger.info("service started", extra={"service": name})
            try:
                yield
            finally:
                group.cancel_scope.cancel()
        app.state.token_verifier.close()
        database.dispose()

    app = FastAPI(
        title=title,
        description=description,
        version="0.1.0",
        lifespan=lifespan,
        generate_unique_id_function=operation_id,
        openapi_tags=[*tags, OPS_TAG],
        contact={"name": "communitylab maintainers", "url": "https://communitylab.example"},
        license_info={"name": "AGPL-3.0-or-later", "identifier": "AGPL-3.0-or-later"},
        servers=[{"url": getattr(settings, f"{name}_url", "/"), "description": f"{name} service"}],
        docs_url=None,  # served by install_docs from installed files, not from a CDN
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.database = database
    app.state.service_name = name
    app.state.migrations_at_head = False
    app.state.token_verifier = TokenVerifier(settings)
    app.state.person_resolver = None
    install_error_handlers(app)
    install_docs(app)
    app.add_middleware(CursorScopeMiddleware, secret=settings.secret_key)
    app.add_middleware(
        RateLimitMiddleware,
        anonymous_per_minute=settings.rate_limit_anonymous_per_minute,
        key_per_minute=settings.rate_limit_key_per_minute,
    )
    app.add_middleware(
        RequestContextMiddleware,
        max_body_bytes=settings.max_body_bytes,
        service=name,
        body_limits=tuple(body_limits),
    )
    if settings.cors_origins:
        # Outermost, so preflights are answered before anything else and every response carries the headers.
        app.add_middleware(
            CORSMiddleware,
            allow_origins=list(settings.cors_origins),
            allow_methods=["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"],
            allow_headers=list(CORS_ALLOWED_HEADERS),
            expose_headers=list(CORS_EXPOSED_HEADERS),
            allow_credentials=False,
            max_age=settings.cors_max_age_seconds,
        )

    for router in routers:
        app.include_router(router)

    @app.get(
        "/healthz",
        tags=["operations"],
        summary="Liveness: the process is up",
        responses={200: {"content": {"application/json": {"example": {"status": "ok"}}}}},
    )
    async def healthz() -> dict[str, str]:
        return {"status": "ok", "service": name}

    @app.get(
        "/readyz",
        tags=["operations"],
        summary="Readiness: database reachable and migrated",
        response_model=Readiness,
        responses={503: {"model": Problem, "description": "Not ready"}},
    )
    async def readyz(request: Request) -> Any:
        checks: dict[str, Any] = {}
        try:
            await anyio.to_thread.run_sync(database.ping)
            checks["database"] = "ok"
            if not app.state.migrations_at_head:
                behind = await anyio.to_thread.run_sync(pending, database.engine)
                if behind:
                    raise MigrationsPending(f"not migrated: {', '.join(behind)}")
                app.state.migrations_at_head = True
            checks["migrations"] = "at head"
            for check in readiness_checks:
                checks.update(await anyio.to_thread.run_sync(check, app))
        except Exception as exc:
            return problem_response(
                request,
                status=503,
                slug="not-ready",
                title="Service not ready",
                detail=str(exc),
                checks=checks,
            )
        return Readiness(status="ready", service=name, checks=checks)

    @app.get(
        "/metrics",
        tags=["operations"],
        summary="Prometheus metrics",
        response_class=Response,
        responses={
            200: {"content": {"text/plain": {"example": "communitylab_http_requests_total{...} 1.0"}}}
        },
    )
    async def metrics() -> Response:
        body, content_type = render_latest()
        return Response(body, media_type=content_type)

    if settings.enable_drain_probe:
        # Off by default: a request that stays in flight, to prove SIGTERM lets it finish.
        @app.get("/ops/drain-probe", include_in_schema=False)
        async def drain_probe(seconds: float = Query(default=1.0, ge=0, le=30)) -> dict[str, float]:
            # Logged on entry, so a test can signal the process once the request is surely in flight.
            logger.info("drain probe in flight", extra={"seconds": seconds})
            await anyio.sleep(seconds)
            return {"slept_seconds": seconds}

    return app
