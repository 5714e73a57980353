"""HTTP routes of workshop minutes."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Response

from services.workshops.deps import RegistryDep
from services.workshops.sessions import base
from services.workshops.sessions.deps import writable_workshop
from services.workshops.sessions.minutes import service
from services.workshops.sessions.minutes.schemas import MinutesIn, MinutesPublic
from shared.api.etag import IfMatch, expected_version_from_if_match, set_etag
from shared.deps import PrincipalDep, SessionDep
from shared.errors import problem_responses

router = APIRouter()


@router.get(
    "/workshops/{workshop_id}/minutes",
    response_model=MinutesPublic,
    summary="Get a workshop's minutes / closing report",
    tags=["sessions"],
    responses=problem_responses(404),
)
def get_workshop_minutes(workshop_id: uuid.UUID, response: Response, session: SessionDep) -> Any:
    workshop = base.get_workshop(session=session, workshop_id=workshop_id)
    minutes = service.get_minutes(session=session, workshop_id=workshop.id)
    set_etag(response, workshop.version)
    return service.minutes_view(session=session, minutes=minutes)


@router.put(
    "/workshops/{workshop_id}/minutes",
    response_model=MinutesPublic,
    summary="Record (or replace) a workshop's minutes / closing report",
    tags=["sessions"],
    responses=problem_responses(401, 403, 404, 409, 412, 422, 503),
)
def put_workshop_minutes(
    workshop_id: uuid.UUID,
    payload: MinutesIn,
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
    registry: RegistryDep,
    if_match: IfMatch = None,
) -> Any:
    workshop = writable_workshop(session, principal, workshop_id)
    expected = expected_version_from_if_match(if_match, workshop.version)
    base.ensure_people_exist(
        registry=registry,
        people=[
            (f"body.follow_ups[{i}].responsible_id", f.responsible_id)
            for i, f in enumerate(payload.follow_ups)
        ],
        principal=principal,
        workshop=workshop,
    )
    minutes = service.record_minutes(
        session=session, workshop=workshop, data=payload, expected_version=expected
    )
    set_etag(response, workshop.version)
    return service.minutes_view(session=session, minutes=minutes)
