"""HTTP routes of workshops: scheduling, status, agendas and calendars (iCalendar feeds)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query, Response
from sqlmodel import col

from services.workshops.deps import RegistryDep
from services.workshops.processes import base
from services.workshops.processes.deps import ProcessForDistrictEditor, WorkshopForEdit, WorkshopToChange
from services.workshops.processes.history import service as history
from services.workshops.processes.models import (
    Workshop,
    WorkshopStatus,
)
from services.workshops.processes.scheduling import ical, service
from services.workshops.processes.scheduling.schemas import (
    WorkshopCreate,
    WorkshopPublic,
    WorkshopStatusChange,
    WorkshopUpdate,
)
from shared.api.etag import etag_for, set_etag
from shared.api.idempotency import IdempotencyDep
from shared.api.pagination import Page, PageRequest, Paging, Paging100
from shared.api.schemas import ApiDateTime
from shared.api.timetravel import AsOfQuery, KnownAtQuery, TimePoint
from shared.deps import PrincipalDep, SessionDep
from shared.errors import problem_responses

router = APIRouter()


FromQuery = Annotated[
    ApiDateTime | None, Query(alias="from", description="Only workshops ending after this.")
]
ToQuery = Annotated[ApiDateTime | None, Query(alias="to", description="Only workshops starting before this.")]

ICS_RESPONSE: dict[int | str, dict[str, Any]] = {
    200: {"content": {"text/calendar": {"schema": {"type": "string"}}}, "description": "An RFC 5545 calendar"}
}


def _ics(content: bytes, filename: str) -> Response:
    return Response(
        content=content,
        media_type=ical.ICAL_MEDIA_TYPE,
        headers={"Content-Disposition": f'inline; filename="{filename}"'},
    )


@router.get(
    "/processes/{process_id}/calendar.ics",
    response_class=Response,
    summary="iCalendar feed of a process's workshops",
    tags=["calendars"],
    responses={**ICS_RESPONSE, **problem_responses(404, 422)},
)
def get_process_ics(process_id: uuid.UUID, session: SessionDep) -> Response:
    """One VEVENT per workshop of the process (cancelled ones as STATUS:CANCELLED)."""
    process = base.get_process(session=session, process_id=process_id)
    workshops = service.list_all_workshops(
        session=session, statement=service.list_workshops_query(session=session, process_id=process.id)
    )
    content = ical.build_calendar(session=session, workshops=workshops, name=process.title)
    return _ics(content, f"process-{process.id}.ics")


def _workshop_page(paging: PageRequest, session: SessionDep, statement: Any) -> Page[WorkshopPublic]:
    sort, tiebreak = col(Workshop.starts_at), col(Workshop.id)
    rows, next_cursor = paging.rows(session, statement, sort=sort, tiebreak=tiebreak)
    return paging.page([WorkshopPublic.model_validate(w) for w in rows], next_cursor)


def _agenda(
    session: SessionDep,
    facilitator_id: uuid.UUID,
    starts_from: datetime | None,
    starts_before: datetime | None,
) -> Any:
    """The statement of a facilitator's workshops (the agenda and its iCalendar feed)."""
    return service.list_workshops_query(
        session=session,
        facilitator_id=str(facilitator_id),
        starts_from=starts_from,
        starts_before=starts_before,
    )


@router.post(
    "/processes/{process_id}/workshops",
    status_code=201,
    response_model=WorkshopPublic,
    summary="Schedule a workshop of a process",
    tags=["workshops"],
    responses=problem_responses(401, 403, 404, 409, 422, 503),
)
def schedule_workshop(
    process: ProcessForDistrictEditor,
    payload: WorkshopCreate,
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
    registry: RegistryDep,
    idempotency: IdempotencyDep,
) -> Any:
    """Schedule a workshop; 409 names any clash (facilitator or venue booked, outside the process's dates)."""
    base.require_registry_references(
        registry=registry,
        principal=principal,
        district_id=process.district_id,
        facilitators=[(f"body.facilitator_ids[{i}]", f) for i, f in enumerate(payload.facilitator_ids)],
    )
    if (replay := idempotency.replay(payload)) is not None:
        return replay
    workshop = service.schedule_workshop(
        session=session, registry=registry, process_id=process.id, data=payload
    )
    body = WorkshopPublic.model_validate(workshop)
    return idempotency.created(
        response, body, location=f"/workshops/{workshop.id}", etag=etag_for(workshop.version)
    )


@router.get(
    "/processes/{process_id}/workshops",
    response_model=Page[WorkshopPublic],
    summary="List a process's workshops",
    tags=["workshops"],
    responses=problem_responses(404, 422),
)
def list_process_workshops(
    process_id: uuid.UUID, session: SessionDep, paging: Paging, status: WorkshopStatus | None = None
) -> Any:
    """Workshops of a process by start time."""
    base.get_process(session=session, process_id=process_id)
    statement = service.list_workshops_query(session=session, process_id=process_id, status=status)
    return _workshop_page(paging, session, statement)


# Declared before GET /workshops/{workshop_id}, whose path parameter would otherwise swallow ".ics".
@router.get(
    "/workshops/{workshop_id}.ics",
    response_class=Response,
    summary="iCalendar file of one workshop",
    tags=["calendars"],
    responses={**ICS_RESPONSE, **problem_responses(404, 422)},
)
def get_workshop_ics(workshop_id: uuid.UUID, session: SessionDep) -> Response:
    """The workshop as one VEVENT (an "add to calendar" link); the same UID as in the other feeds."""
    workshop = base.get_workshop(session=session, workshop_id=workshop_id)
    content = ical.build_calendar(session=session, workshops=[workshop], name=workshop.title)
    return _ics(content, f"workshop-{workshop.id}.ics")


@router.get(
    "/workshops/{workshop_id}",
    response_model=WorkshopPublic,
    summary="Get a workshop (optionally as it stood at a past time)",
    tags=["workshops"],
    responses=problem_responses(404, 422),
)
def get_workshop(
    workshop_id: uuid.UUID,
    response: Response,
    session: SessionDep,
    as_of: AsOfQuery = None,
    known_at: KnownAtQuery = None,
) -> Any:
    """One workshop (times also in Europe/Rome); with ``as_of``/``known_at``, folded from its events."""
    point = TimePoint.of(as_of, known_at)
    if not point.is_now:
        body = WorkshopPublic.model_validate(
            history.workshop_as_of(session=session, workshop_id=workshop_id, point=point)
        )
        set_etag(response, body.version)
        return body
    workshop = base.get_workshop(session=session, workshop_id=workshop_id)
    set_etag(response, workshop.version)
    return WorkshopPublic.model_validate(workshop)


@router.patch(
    "/workshops/{workshop_id}",
    response_model=WorkshopPublic,
    summary="Change a workshop",
    tags=["workshops"],
    responses=problem_responses(401, 403, 404, 409, 412, 422, 503),
)
def update_workshop(
    edit: WorkshopForEdit,
    payload: WorkshopUpdate,
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
    registry: RegistryDep,
) -> Any:
    """Move, re-staff or edit a workshop; clashes are re-checked; a held workshop is final (409)."""
    workshop = edit.row
    base.require_registry_references(
        registry=registry,
        principal=principal,
        district_id=workshop.district_id,
        facilitators=[
            (f"body.facilitator_ids[{i}]", f)
            for i, f in enumerate(payload.facilitator_ids or [])
            if str(f) not in workshop.facilitator_ids  # those already on it stay
        ],
    )
    workshop = service.update_workshop(
        session=session,
        registry=registry,
        workshop_id=workshop.id,
        data=payload,
        expected_version=edit.expected_version,
    )
    set_etag(response, workshop.version)
    return WorkshopPublic.model_validate(workshop)


@router.post(
    "/workshops/{workshop_id}/status",
    response_model=WorkshopPublic,
    summary="Confirm, hold, cancel or postpone a workshop",
    tags=["workshops"],
    responses=problem_responses(401, 403, 404, 409, 412, 422),
)
def change_workshop_status(
    edit: WorkshopToChange,
    payload: WorkshopStatusChange,
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
) -> Any:
    """Change the status with a reason; cancelled and postponed workshops free their slot.

    The workshop's facilitators may mark it held (they ran it); every other change is the district's.
    """
    workshop = edit.row
    if payload.status is WorkshopStatus.HELD:
        principal.require_facilitator_or_editor(workshop.district_id, workshop.facilitator_ids)
    else:
        principal.require_district_editor(workshop.district_id)
    workshop = service.change_workshop_status(
        session=session, workshop_id=workshop.id, data=payload, expected_version=edit.expected_version
    )
    set_etag(response, workshop.version)
    return WorkshopPublic.model_validate(workshop)


@router.get(
    "/facilitators/{facilitator_id}/agenda",
    response_model=Page[WorkshopPublic],
    summary="A facilitator's agenda across all districts",
    tags=["calendars"],
    responses=problem_responses(404, 422, 503),
)
def get_facilitator_agenda(
    facilitator_id: uuid.UUID,
    registry: RegistryDep,
    session: SessionDep,
    paging: Paging100,
    starts_from: FromQuery = None,
    starts_before: ToQuery = None,
) -> Any:
    """The facilitator's workshops by start time, in every district."""
    base.ensure_person_found(registry=registry, person_id=facilitator_id)
    return _workshop_page(paging, session, _agenda(session, facilitator_id, starts_from, starts_before))


@router.get(
    "/facilitators/{facilitator_id}/agenda.ics",
    response_class=Response,
    summary="iCalendar feed of a facilitator's workshops",
    tags=["calendars"],
    responses={**ICS_RESPONSE, **problem_responses(404, 422, 503)},
)
def get_facilitator_ics(
    facilitator_id: uuid.UUID,
    registry: RegistryDep,
    session: SessionDep,
    starts_from: FromQuery = None,
    starts_before: ToQuery = None,
) -> Response:
    """One VEVENT per workshop the facilitator runs (cancelled ones as STATUS:CANCELLED)."""
    base.ensure_person_found(registry=registry, person_id=facilitator_id)
    statement = _agenda(session, facilitator_id, starts_from, starts_before)
    workshops = service.list_all_workshops(session=session, statement=statement)
    content = ical.build_calendar(session=session, workshops=workshops, name=f"Facilitator {facilitator_id}")
    return _ics(content, f"facilitator-{facilitator_id}.ics")


@router.get(
    "/districts/{district_id}/calendar",
    response_model=Page[WorkshopPublic],
    summary="A district's workshop calendar",
    tags=["calendars"],
    responses=problem_responses(404, 422, 503),
)
def get_district_calendar(
    district_id: uuid.UUID,
    registry: RegistryDep,
    session: SessionDep,
    paging: Paging100,
    starts_from: FromQuery = None,
    starts_before: ToQuery = None,
    status: WorkshopStatus | None = None,
) -> Any:
    """Workshops of every process of the district by start time."""
    base.ensure_district_found(registry=registry, district_id=district_id)
    statement = service.list_workshops_query(
        session=session,
        district_id=district_id,
        starts_from=starts_from,
        starts_before=starts_before,
        status=status,
    )
    return _workshop_page(paging, session, statement)


@router.get(
    "/districts/{district_id}/calendar.ics",
    response_class=Response,
    summary="iCalendar feed of a district's workshops",
    tags=["calendars"],
    responses={**ICS_RESPONSE, **problem_responses(404, 422, 503)},
)
def get_district_ics(
    district_id: uuid.UUID,
    registry: RegistryDep,
    session: SessionDep,
    starts_from: FromQuery = None,
    starts_before: ToQuery = None,
) -> Response:
    """One VEVENT per workshop of the district (cancelled ones as STATUS:CANCELLED)."""
    base.ensure_district_found(registry=registry, district_id=district_id)
    statement = service.list_workshops_query(
        session=session, district_id=district_id, starts_from=starts_from, starts_before=starts_before
    )
    workshops = service.list_all_workshops(session=session, statement=statement)
    content = ical.build_calendar(session=session, workshops=workshops, name=f"District {district_id}")
    return _ics(content, f"district-{district_id}.ics")
