"""The processes domain's routers, one per topic, and their OpenAPI tags."""

from __future__ import annotations

from fastapi import APIRouter

from services.workshops.processes.attendance.routes import router as attendance_router
from services.workshops.processes.history.routes import router as history_router
from services.workshops.processes.identity.routes import router as identity_router
from services.workshops.processes.labs.routes import OPENAPI_TAGS as LABS_TAGS
from services.workshops.processes.labs.routes import router as labs_router
from services.workshops.processes.programmes.routes import router as programmes_router
from services.workshops.processes.scheduling.routes import router as scheduling_router

OPENAPI_TAGS: list[dict[str, str]] = [
    {
        "name": "programmes",
        "description": "Regional programmes and their editions, with the districts taking part.",
    },
    {
        "name": "processes",
        "description": "Participatory processes of a district: identity card, phases, history.",
    },
    {
        "name": "workshops",
        "description": "Workshops of a process and the scheduling rules (409 names any clash).",
    },
    {"name": "attendance", "description": "Registrations with waiting lists, attendance and head counts."},
    {"name": "calendars", "description": "Facilitators' agendas, district calendars and iCalendar feeds."},
    *LABS_TAGS,
]
"""Tags of these routers, for the app's ``openapi_tags``."""

ROUTERS: list[APIRouter] = [
    programmes_router,
    labs_router,
    identity_router,
    history_router,
    attendance_router,
    scheduling_router,
]
"""The topics' routers, in the order the app includes them."""
