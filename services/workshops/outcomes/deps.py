"""Route-level pieces of the outcomes topics: their resources (``shared.api.resources``), write errors."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Depends
from sqlmodel import Session

from services.workshops.outcomes.inventions import service as inventions
from services.workshops.outcomes.models import Invention
from shared.api.resources import Edit, for_edit
from shared.auth.principal import Principal
from shared.errors import problem_responses

WRITE_ERRORS = problem_responses(401, 403, 404, 409, 412, 422, 503)


def load_invention(session: Session, invention_id: uuid.UUID) -> Invention:
    """The invention, or NotFoundError."""
    return inventions.get_invention(session=session, invention_id=invention_id)


def district_editor(principal: Principal, row: Invention) -> None:
    """Editors of the row's district (and regional administrators)."""
    principal.require_district_editor(row.district_id)


InventionForEdit = Annotated[
    Edit[Invention], Depends(for_edit("invention_id", load_invention, authorise=district_editor))
]
"""An invention an editor of its district changes (If-Match on the invention)."""
