"""Request parameters the registry's routes share (Annotated aliases)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import Depends, Query, Request

from shared.api.schemas import ApiDate
from shared.clients.workshops import WorkshopsClient
from shared.db import utcnow

SearchQuery = Annotated[
    str | None, Query(max_length=200, description='Accent-insensitive text search ("Forli" finds "Forlì").')
]


def get_workshops(request: Request) -> WorkshopsClient:
    """The workshops client the app was built with."""
    workshops: WorkshopsClient = request.app.state.workshops
    return workshops


WorkshopsDep = Annotated[WorkshopsClient, Depends(get_workshops)]
OnQuery = Annotated[ApiDate | None, Query(description="Only memberships active on this date (YYYY-MM-DD).")]


def today() -> date:
    """Today's date (UTC)."""
    return utcnow().date()
