"""HTTP routes of registrations, attendance and head counts."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Request, Response

from services.workshops.deps import RegistryDep
from services.workshops.processes import base
from services.workshops.processes.attendance import service
from services.workshops.processes.attendance.schemas import (
    AttendancePublic,
    AttendanceRecord,
    ProcessTotals,
    RegistrationCancelled,
    RegistrationCreate,
    RegistrationPublic,
    WorkshopTotals,
)
from services.workshops.processes.deps import IfMatch
from services.workshops.processes.models import (
    Registration,
)
from shared.api.etag import expected_version_from_if_match, set_etag
from shared.api.idempotency import IdempotencyDep
from shared.api.pagination import (
    CursorQuery,
    LimitQuery,
    Page,
    paginate,
    set_link_header,
)
from shared.auth.principal import Principal
from shared.deps import PrincipalDep, SessionDep
from shared.errors import problem_responses

router = APIRouter()


def _registration_public(registration: Any, principal: Principal) -> RegistrationPublic:
    body = RegistrationPublic.model_validate(registration)
    if not principal.sees_personal_data:
        body.person_id = None
    return body


@router.get(
    "/processes/{process_id}/totals",
    response_model=ProcessTotals,
    summary="Registrations and attendance of a process by actor category",
    tags=["attendance"],
    responses=problem_responses(404, 422),
)
def get_process_totals(process_id: uuid.UUID, session: SessionDep) -> Any:
    """Head counts summed over the process's workshops (cancelled ones left out)."""
    return service.process_totals(session=session, process_id=process_id)


@router.post(
    "/workshops/{workshop_id}/registrations",
    status_code=201,
    response_model=RegistrationPublic,
    summary="Register a person or an anonymous group to a workshop",
    tags=["attendance"],
    responses=problem_responses(401, 403, 404, 409, 422, 503),
)
def add_workshop_registration(
    workshop_id: uuid.UUID,
    payload: RegistrationCreate,
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
    registry: RegistryDep,
    idempotency: IdempotencyDep,
) -> Any:
    """Register; when the seats are taken the registration goes on the waiting list (``waitlisted``)."""
    workshop = base.get_workshop(session=session, workshop_id=workshop_id)
    principal.require_facilitator_or_editor(workshop.district_id, workshop.facilitator_ids)
    if (replay := idempotency.replay(payload)) is not None:
        return replay
    registration = service.add_registration(
        session=session, registry=registry, workshop_id=workshop_id, data=payload
    )
    body = _registration_public(registration, principal)
    return idempotency.created(
        response, body, location=f"/workshops/{workshop_id}/registrations/{registration.id}"
    )


@router.get(
    "/workshops/{workshop_id}/registrations",
    response_model=Page[RegistrationPublic],
    summary="List a workshop's registrations",
    tags=["attendance"],
    responses=problem_responses(404, 422),
)
def list_workshop_registrations(
    workshop_id: uuid.UUID,
    request: Request,
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
    include_cancelled: bool = False,
    limit: LimitQuery = 100,
    cursor: CursorQuery = None,
) -> Any:
    """Registrations in arrival order (the waiting list's order); person ids only for staff."""
    base.get_workshop(session=session, workshop_id=workshop_id)
    rows, next_cursor = paginate(
        session,
        service.list_registrations_query(workshop_id=workshop_id, include_cancelled=include_cancelled),
        sort=Registration.created_at,  # type: ignore[arg-type]
        tiebreak=Registration.id,  # type: ignore[arg-type]
        limit=limit,
        cursor=cursor,
    )
    set_link_header(request, response, next_cursor)
    return Page[RegistrationPublic](
        items=[_registration_public(r, principal) for r in rows], next_cursor=next_cursor
    )


@router.delete(
    "/workshops/{workshop_id}/registrations/{registration_id}",
    response_model=RegistrationCancelled,
    summary="Cancel a registration (the waiting list moves up)",
    tags=["attendance"],
    responses=problem_responses(401, 403, 404, 409, 422),
)
def cancel_workshop_registration(
    workshop_id: uuid.UUID, registration_id: uuid.UUID, session: SessionDep, principal: PrincipalDep
) -> Any:
    """Cancel; waitlisted registrations that now fit are promoted, first come first served."""
    workshop = base.get_workshop(session=session, workshop_id=workshop_id)
    principal.require_facilitator_or_editor(workshop.district_id, workshop.facilitator_ids)
    registration, promoted = service.cancel_registration(
        session=session, workshop_id=workshop_id, registration_id=registration_id
    )
    return RegistrationCancelled(
        registration=_registration_public(registration, principal),
        promoted=[_registration_public(r, principal) for r in promoted],
    )


@router.put(
    "/workshops/{workshop_id}/attendance",
    response_model=AttendancePublic,
    summary="Record who attended a workshop",
    tags=["attendance"],
    responses=problem_responses(401, 403, 404, 409, 412, 422, 503),
)
def record_workshop_attendance(
    workshop_id: uuid.UUID,
    payload: AttendanceRecord,
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
    registry: RegistryDep,
    if_match: IfMatch = None,
) -> Any:
    """Present / absent people and anonymous head counts by category, once the workshop started."""
    workshop = base.get_workshop(session=session, workshop_id=workshop_id)
    principal.require_facilitator_or_editor(workshop.district_id, workshop.facilitator_ids)
    current = base.workshop_stream_version(session=session, workshop=workshop)
    expected = expected_version_from_if_match(if_match, current)
    attendance = service.record_attendance(
        session=session, registry=registry, workshop_id=workshop_id, data=payload, expected_version=expected
    )
    set_etag(response, workshop.version)
    return AttendancePublic.model_validate(attendance, from_attributes=True)


@router.get(
    "/workshops/{workshop_id}/attendance",
    response_model=AttendancePublic,
    summary="Get a workshop's attendance",
    tags=["attendance"],
    responses=problem_responses(404, 422),
)
def get_workshop_attendance(workshop_id: uuid.UUID, session: SessionDep, principal: PrincipalDep) -> Any:
    """The attendance record (people ids only for staff; counts for everyone)."""
    attendance = service.get_attendance(session=session, workshop_id=workshop_id)
    body = AttendancePublic.model_validate(attendance, from_attributes=True)
    if not principal.sees_personal_data:
        body.present, body.absent = [], []
    return body


@router.get(
    "/workshops/{workshop_id}/totals",
    response_model=WorkshopTotals,
    summary="Registrations and attendance of a workshop by actor category",
    tags=["attendance"],
    responses=problem_responses(404, 422),
)
def get_workshop_totals(workshop_id: uuid.UUID, session: SessionDep) -> Any:
    """Registered, waitlisted and attending head counts by actor category."""
    return service.workshop_totals(session=session, workshop_id=workshop_id)
