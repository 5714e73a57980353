"""HTTP routes of the agenda of a workshop."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Response

from services.workshops.processes.models import Workshop
from services.workshops.sessions import base
from services.workshops.sessions.agenda import service
from services.workshops.sessions.agenda.schemas import AgendaItemPublic, AgendaPublic, AgendaUpdate
from services.workshops.sessions.deps import writable_workshop
from shared.api.etag import IfMatch, expected_version_from_if_match, set_etag
from shared.deps import PrincipalDep, SessionDep
from shared.errors import problem_responses

router = APIRouter()


def _agenda(session: Any, workshop: Workshop) -> AgendaPublic:
    items = service.list_agenda(session=session, workshop_id=workshop.id)
    return AgendaPublic(
        workshop_id=workshop.id,
        version=workshop.version,
        items=[
            AgendaItemPublic(
                id=i.id,
                position=i.position,
                starts_at=i.starts_at,
                ends_at=service.item_ends_at(i),
                duration_minutes=i.duration_minutes,
                title=i.title,
                description=i.description,
                facilitator_id=i.facilitator_id,
            )
            for i in items
        ],
    )


@router.get(
    "/workshops/{workshop_id}/agenda",
    response_model=AgendaPublic,
    summary="Get a workshop's agenda",
    tags=["sessions"],
    responses=problem_responses(404),
)
def get_workshop_agenda(workshop_id: uuid.UUID, response: Response, session: SessionDep) -> Any:
    workshop = base.get_workshop(session=session, workshop_id=workshop_id)
    set_etag(response, workshop.version)
    return _agenda(session, workshop)


@router.put(
    "/workshops/{workshop_id}/agenda",
    response_model=AgendaPublic,
    summary="Replace a workshop's agenda",
    tags=["sessions"],
    responses=problem_responses(401, 403, 404, 409, 412, 422),
)
def put_workshop_agenda(
    workshop_id: uuid.UUID,
    payload: AgendaUpdate,
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
    if_match: IfMatch = None,
) -> Any:
    workshop = writable_workshop(session, principal, workshop_id)
    expected = expected_version_from_if_match(if_match, workshop.version)
    service.set_agenda(session=session, workshop=workshop, data=payload, expected_version=expected)
    set_etag(response, workshop.version)
    return _agenda(session, workshop)
