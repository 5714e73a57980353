"""The sessions domain's routers, one per topic, and their OpenAPI tags."""

from __future__ import annotations

from fastapi import APIRouter

from services.workshops.sessions.agenda.routes import router as agenda_router
from services.workshops.sessions.minutes.routes import router as minutes_router
from services.workshops.sessions.open_space.routes import router as open_space_router
from services.workshops.sessions.pollination.routes import router as pollination_router
from services.workshops.sessions.world_cafe.routes import router as world_cafe_router

OPENAPI_TAGS: list[dict[str, str]] = [
    {"name": "sessions", "description": "Inside a workshop: agenda, cross-pollination links, minutes."},
    {
        "name": "open space",
        "description": "Open Space Technology: marketplace topics, moves, instant reports.",
    },
    {"name": "world cafe", "description": "World Café: tables and hosts, rounds, notes, plenary harvest."},
]
"""Tag metadata of these routes, for the workshops app's ``create_service_app(tags=...)``."""

ROUTERS: list[APIRouter] = [
    agenda_router,
    open_space_router,
    world_cafe_router,
    pollination_router,
    minutes_router,
]
"""The topics' routers, in the order the app includes them."""
