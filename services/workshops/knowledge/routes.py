"""The knowledge domain's routers and OpenAPI tags, for the workshops app."""

from __future__ import annotations

from fastapi import APIRouter

from services.workshops.knowledge.cases import routes as cases
from services.workshops.knowledge.manual import routes as manual

ROUTERS: list[APIRouter] = [manual.router, cases.router]
OPENAPI_TAGS: list[dict[str, str]] = [*manual.OPENAPI_TAGS, *cases.OPENAPI_TAGS]
