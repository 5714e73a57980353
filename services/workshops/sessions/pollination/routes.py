"""HTTP routes of cross-pollination (links between items of workshops)."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Response

from services.workshops.sessions import base
from services.workshops.sessions.deps import writable_workshop
from services.workshops.sessions.models import PollinationLink
from services.workshops.sessions.pollination import service
from services.workshops.sessions.pollination.schemas import PollinationLinkCreate, PollinationLinkPublic
from shared.api.etag import etag_for
from shared.api.idempotency import IdempotencyDep
from shared.deps import PrincipalDep, SessionDep
from shared.errors import problem_responses

router = APIRouter()


def _link_public(link: PollinationLink) -> PollinationLinkPublic:
    return PollinationLinkPublic.model_validate(
        {
            "id": link.id,
            "workshop_id": link.workshop_id,
            "from": {"kind": link.from_kind, "id": str(link.from_id)},
            "to": {"kind": link.to_kind, "id": str(link.to_id)},
            "to_workshop_id": link.to_workshop_id,
            "note": link.note,
            "created_at": link.created_at,
        }
    )


@router.get(
    "/workshops/{workshop_id}/pollination-links",
    response_model=list[PollinationLinkPublic],
    summary="List the cross-pollination links out of or into a workshop",
    tags=["sessions"],
    responses=problem_responses(404),
)
def list_workshop_pollination_links(workshop_id: uuid.UUID, session: SessionDep) -> Any:
    workshop = base.get_workshop(session=session, workshop_id=workshop_id)
    return [
        _link_public(link)
        for link in service.list_pollination_links(session=session, workshop_id=workshop.id)
    ]


@router.post(
    "/workshops/{workshop_id}/pollination-links",
    status_code=201,
    response_model=PollinationLinkPublic,
    summary="Record an idea carried from this workshop to a table, topic or workshop (cross-pollination)",
    tags=["sessions"],
    responses=problem_responses(401, 403, 404, 409, 422),
)
def link_workshop_pollination(
    workshop_id: uuid.UUID,
    payload: PollinationLinkCreate,
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
    idempotency: IdempotencyDep,
) -> Any:
    workshop = writable_workshop(session, principal, workshop_id)
    base.require_item_references(
        session=session,
        principal=principal,
        workshop=workshop,
        refs=[
            ("body.from.id", payload.from_.kind.value, payload.from_.id),
            ("body.to.id", payload.to.kind.value, payload.to.id),
        ],
    )
    if (replay := idempotency.replay(payload)) is not None:
        return replay
    link = service.link_pollination(session=session, workshop=workshop, data=payload)
    body = _link_public(link)
    return idempotency.created(
        response,
        body,
        location=f"/workshops/{workshop.id}/pollination-links#{link.id}",
        etag=etag_for(workshop.version),
    )
