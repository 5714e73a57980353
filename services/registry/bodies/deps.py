"""The bodies domain's resources, as route dependencies (``shared.api.resources``)."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Depends
from sqlmodel import Session

from services.registry.bodies import service
from services.registry.bodies.models import GovernanceBody
from shared.api.resources import resource
from shared.auth.principal import Principal


def load_body(session: Session, body_id: uuid.UUID) -> GovernanceBody:
    """The body, or NotFoundError."""
    return service.get_body(session=session, body_id=body_id)


def district_editor(session: Session, principal: Principal, body: GovernanceBody) -> None:
    """Editors of the body's district (and regional administrators)."""
    principal.require_district_editor(body.district_id)


BodyForDistrictEditor = Annotated[
    GovernanceBody,
    Depends(
        resource("body_id", load_body, before=Principal.require_authenticated, authorise=district_editor)
    ),
]
"""A body whose members and relations an editor of its district changes (no If-Match on these routes)."""
