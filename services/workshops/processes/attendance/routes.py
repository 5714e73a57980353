"""HTTP routes of registrations, attendance and head counts."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Response

from services.workshops.deps import RegistryDep
from services.workshops.processes import base
from services.workshops.processes.attendance import service
from services.workshops.processes.attendance.schemas import (
    AttendancePublic,
    AttendanceRecord,
    FacilitatorPeople,
    ProcessTotals,
    RegistrationCancelled,
    RegistrationCreate,
    RegistrationPublic,
    WorkshopTotals,
)
from services.workshops.processes.deps import WorkshopForFacilitation, WorkshopForFacilitator
from services.workshops.processes.models import (
    Registration,
)
from shared.api.etag import set_etag
from shared.api.idempotency import IdempotencyDep
from shared.api.pagination import Page, Paging100, paginate
from shared.api.timetravel import AsOfQuery, KnownAtQuery, TimePoint
from shared.auth.principal import Principal
from shared.deps import PrincipalDep, SessionDep, SignedInDep, commit_on_return
from shared.errors import ForbiddenError, problem_responses
from shared.privacy import Scope, view

router = APIRouter()


def _workshop_scope(workshop: Any) -> Scope:
    return Scope.of([workshop.district_id], workshop.facilitator_ids)


def _registration_public(registration: Any, principal: Principal, scope: Scope) -> RegistrationPublic:
    return view(RegistrationPublic.model_validate(registration), principal, scope)


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
@commit_on_return
def add_workshop_registration(
    workshop: WorkshopForFacilitator,
    payload: RegistrationCreate,
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
    registry: RegistryDep,
    idempotency: IdempotencyDep,
) -> Any:
    """Register; when the seats are taken the registration goes on the waiting list (``waitlisted``)."""
    base.require_registry_references(
        registry=registry,
        principal=principal,
        district_id=workshop.district_id,
        people=[("body.person_id", payload.person_id)],
    )
    if (replay := idempotency.replay(payload)) is not None:
        return replay
    registration = service.add_registration(
        session=session, registry=registry, workshop_id=workshop.id, data=payload
    )
    body = _registration_public(registration, principal, _workshop_scope(workshop))
    return idempotency.created(
        response, body, location=f"/workshops/{workshop.id}/registrations/{registration.id}"
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
    session: SessionDep,
    principal: PrincipalDep,
    paging: Paging100,
    include_cancelled: bool = False,
) -> Any:
    """Registrations in arrival order (the waiting list's order); person ids only for staff."""
    scope = _workshop_scope(base.get_workshop(session=session, workshop_id=workshop_id))
    rows, next_cursor = paginate(
        session,
        service.list_registrations_query(workshop_id=workshop_id, include_cancelled=include_cancelled),
        sort=Registration.created_at,  # type: ignore[arg-type]
        tiebreak=Registration.id,  # type: ignore[arg-type]
        limit=paging.limit,
        cursor=paging.cursor,
    )
    return paging.page([_registration_public(r, principal, scope) for r in rows], next_cursor)


@router.delete(
    "/workshops/{workshop_id}/registrations/{registration_id}",
    response_model=RegistrationCancelled,
    summary="Cancel a registration (the waiting list moves up)",
    tags=["attendance"],
    responses=problem_responses(401, 403, 404, 409, 422),
)
def cancel_workshop_registration(
    workshop: WorkshopForFacilitator, registration_id: uuid.UUID, session: SessionDep, principal: PrincipalDep
) -> Any:
    """Cancel; waitlisted registrations that now fit are promoted, first come first served."""
    registration, promoted = service.cancel_registration(
        session=session, workshop_id=workshop.id, registration_id=registration_id
    )
    return RegistrationCancelled(
        registration=_registration_public(registration, principal, _workshop_scope(workshop)),
        promoted=[_registration_public(r, principal, _workshop_scope(workshop)) for r in promoted],
    )


@router.put(
    "/workshops/{workshop_id}/attendance",
    response_model=AttendancePublic,
    summary="Record who attended a workshop",
    tags=["attendance"],
    responses=problem_responses(401, 403, 404, 409, 412, 422, 503),
)
def record_workshop_attendance(
    edit: WorkshopForFacilitation,
    payload: AttendanceRecord,
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
    registry: RegistryDep,
) -> Any:
    """Present / absent people and anonymous head counts by category, once the workshop started."""
    workshop = edit.row
    base.require_registry_references(
        registry=registry,
        principal=principal,
        district_id=workshop.district_id,
        people=[
            *((f"body.present[{i}]", p) for i, p in enumerate(payload.present)),
            *((f"body.absent[{i}]", p) for i, p in enumerate(payload.absent)),
        ],
    )
    attendance = service.record_attendance(
        session=session,
        registry=registry,
        workshop_id=workshop.id,
        data=payload,
        expected_version=edit.expected_version,
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
def get_workshop_attendance(
    workshop_id: uuid.UUID,
    session: SessionDep,
    principal: PrincipalDep,
    as_of: AsOfQuery = None,
    known_at: KnownAtQuery = None,
) -> Any:
    """The attendance record (people ids for the workshop's facilitators and editors; counts for everyone).

    With ``as_of``/``known_at``: the record at that point, read from the event log.
    """
    point = TimePoint.of(as_of, known_at)
    workshop = base.get_workshop(session=session, workshop_id=workshop_id)
    if point.is_now:
        attendance = service.get_attendance(session=session, workshop_id=workshop_id)
        body = AttendancePublic.model_validate(attendance, from_attributes=True)
    else:
        body = AttendancePublic.model_validate(
            service.attendance_at(session=session, workshop_id=workshop_id, point=point)
        )
    return view(body, principal, _workshop_scope(workshop))


@router.get(
    "/facilitators/{facilitator_id}/people",
    response_model=FacilitatorPeople,
    summary="Ids of the people registered to or attending the workshops a person facilitates",
    tags=["attendance"],
    responses=problem_responses(401, 403, 404, 422),
)
def get_facilitator_people(facilitator_id: uuid.UUID, session: SessionDep, principal: SignedInDep) -> Any:
    """For the facilitator themself (the registry asks with their key) and regional admins only."""
    principal.require_authenticated()
    if not (principal.is_admin or principal.person_id == str(facilitator_id)):
        raise ForbiddenError(
            "only this facilitator or a regional admin may list the people of their workshops"
        )
    people = service.people_of_facilitator(session=session, person_id=str(facilitator_id))
    return FacilitatorPeople(facilitator_id=str(facilitator_id), person_ids=people)


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
