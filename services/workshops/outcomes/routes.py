"""The outcomes domain's routers, one per topic, and their OpenAPI tags."""

from __future__ import annotations

from fastapi import APIRouter

from services.workshops.outcomes.evaluations.routes import router as evaluations_router
from services.workshops.outcomes.inventions.routes import router as inventions_router
from services.workshops.outcomes.priorities.routes import router as priorities_router
from services.workshops.outcomes.restitution.routes import router as restitution_router

OPENAPI_TAGS: list[dict[str, str]] = [
    {
        "name": "inventions",
        "description": "Inventions born in processes and workshops, by macro-theme, and their hand-over.",
    },
    {
        "name": "priorities",
        "description": "The yearly priority cycle: Ufficio di Piano, Comitato di Distretto, project tables, "
        "restitution and the local plan. Illegal steps are 409 with the allowed ones.",
    },
    {
        "name": "evaluations",
        "description": "Participatory evaluation cards: versioned templates, responses, results per dimension.",
    },
    {"name": "restitution", "description": "What restitution events report and what workshops produced."},
]
"""Tags of these routers, for the app's ``openapi_tags``."""

ROUTERS: list[APIRouter] = [inventions_router, priorities_router, evaluations_router, restitution_router]
"""The topics' routers, in the order the app includes them."""
