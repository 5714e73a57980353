"""HTTP routes of the processes domain (thin: parse, authorise, call the service, shape the response)."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Header, Query, Request, Response
from pydantic import AwareDatetime

from services.workshops.deps import RegistryDep
from services.workshops.processes import ical, service
from services.workshops.processes.models import (
    Edition,
    Process,
    ProcessStatus,
    Programme,
    Registration,
    Workshop,
    WorkshopStatus,
)
from services.workshops.processes.schemas import (
    AttendancePublic,
    AttendanceRecord,
    EditionCreate,
    EditionDistrictAdd,
    EditionPublic,
    HistoryEvent,
    PhaseCreate,
    PhasePublic,
    PhaseUpdate,
    ProcessCreate,
    ProcessPublic,
    ProcessStatusChange,
    ProcessTotals,
    ProcessUpdate,
    ProgrammeCreate,
    ProgrammePublic,
    RegistrationCancelled,
    RegistrationCreate,
    RegistrationPublic,
    WorkshopCreate,
    WorkshopPublic,
    WorkshopStatusChange,
    WorkshopTotals,
    WorkshopUpdate,
)
from shared.api.etag import etag_for, expected_version_from_if_match, set_etag
from shared.api.idempotency import IdempotencyDep
from shared.api.pagination import (
    CursorQuery,
    LimitQuery,
    Page,
    decode_cursor,
    encode_cursor,
    paginate,
    set_link_header,
)
from shared.auth.principal import Principal
from shared.deps import PrincipalDep, SessionDep
from shared.errors import FieldError, ValidationFailed, problem_responses

router = APIRouter()

OPENAPI_TAGS: list[dict[str, str]] = [
    {
        "name": "programmes",
        "description": "Regional programmes and their editions, with the districts taking part.",
    },
    {
        "name": "processes",
        "description": "Participatory processes of a district: identity card, phases, history.",
    },
    {
        "name": "workshops",
        "description": "Workshops of a process and the scheduling rules (409 names any clash).",
    },
    {"name": "attendance", "description": "Registrations with waiting lists, attendance and head counts."},
    {"name": "calendars", "description": "Facilitators' agendas, district calendars and iCalendar feeds."},
]
"""Tags of this router, for the app's ``openapi_tags``."""

IfMatch = Annotated[
    str | None,
    Header(alias="If-Match", max_length=200, description="The ETag you last read; 412 if it changed."),
]
FromQuery = Annotated[
    AwareDatetime | None, Query(alias="from", description="Only workshops ending after this.")
]
ToQuery = Annotated[
    AwareDatetime | None, Query(alias="to", description="Only workshops starting before this.")
]

ICS_RESPONSE: dict[int | str, dict[str, Any]] = {
    200: {"content": {"text/calendar": {"schema": {"type": "string"}}}, "description": "An RFC 5545 calendar"}
}
# Keys whose values identify people: shown only to callers who may see personal data.
PERSONAL_KEYS = frozenset({"person_id", "person_ids", "present", "absent", "member_ids"})


def _mask(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: (None if k in PERSONAL_KEYS else _mask(v)) for k, v in value.items()}
    if isinstance(value, list):
        return [_mask(v) for v in value]
    return value


def _registration_public(registration: Any, principal: Principal) -> RegistrationPublic:
    body = RegistrationPublic.model_validate(registration)
    if not principal.sees_personal_data:
        body.person_id = None
    return body


def _ics(content: bytes, filename: str) -> Response:
    return Response(
        content=content,
        media_type=ical.ICAL_MEDIA_TYPE,
        headers={"Content-Disposition": f'inline; filename="{filename}"'},
    )


# --- programmes and editions ---------------------------------------------------------------------------------


@router.post(
    "/programmes",
    status_code=201,
    response_model=ProgrammePublic,
    summary="Create a programme",
    tags=["programmes"],
    responses=problem_responses(401, 403, 422),
)
def create_programme(
    payload: ProgrammeCreate,
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
    idempotency: IdempotencyDep,
) -> Any:
    """Regional administrators create programmes."""
    principal.require_admin()
    if (replay := idempotency.replay(payload)) is not None:
        return replay
    programme = service.create_programme(session=session, data=payload)
    body = ProgrammePublic.model_validate(programme)
    return idempotency.created(
        response, body, location=f"/programmes/{programme.id}", etag=etag_for(programme.version)
    )


@router.get(
    "/programmes",
    response_model=Page[ProgrammePublic],
    summary="List programmes",
    tags=["programmes"],
    responses=problem_responses(422),
)
def list_programmes(
    request: Request,
    response: Response,
    session: SessionDep,
    limit: LimitQuery = 50,
    cursor: CursorQuery = None,
) -> Any:
    """Programmes by creation time."""
    rows, next_cursor = paginate(
        session,
        service.list_programmes_query(),
        sort=Programme.created_at,  # type: ignore[arg-type]
        tiebreak=Programme.id,  # type: ignore[arg-type]
        limit=limit,
        cursor=cursor,
    )
    set_link_header(request, response, next_cursor)
    return Page[ProgrammePublic](
        items=[ProgrammePublic.model_validate(r) for r in rows], next_cursor=next_cursor
    )


@router.get(
    "/programmes/{programme_id}",
    response_model=ProgrammePublic,
    summary="Get a programme",
    tags=["programmes"],
    responses=problem_responses(404, 422),
)
def get_programme(programme_id: uuid.UUID, response: Response, session: SessionDep) -> Any:
    """One programme."""
    programme = service.get_programme(session=session, programme_id=programme_id)
    set_etag(response, programme.version)
    return ProgrammePublic.model_validate(programme)


@router.post(
    "/programmes/{programme_id}/editions",
    status_code=201,
    response_model=EditionPublic,
    summary="Create an edition of a programme with its districts",
    tags=["programmes"],
    responses=problem_responses(401, 403, 404, 422, 503),
)
def create_edition(
    programme_id: uuid.UUID,
    payload: EditionCreate,
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
    registry: RegistryDep,
    idempotency: IdempotencyDep,
) -> Any:
    """Regional administrators create editions; every district is checked in the registry."""
    principal.require_admin()
    if (replay := idempotency.replay(payload)) is not None:
        return replay
    edition = service.create_edition(
        session=session, registry=registry, programme_id=programme_id, data=payload
    )
    body = EditionPublic.model_validate(edition)
    return idempotency.created(
        response, body, location=f"/editions/{edition.id}", etag=etag_for(edition.version)
    )


@router.get(
    "/programmes/{programme_id}/editions",
    response_model=Page[EditionPublic],
    summary="List a programme's editions",
    tags=["programmes"],
    responses=problem_responses(404, 422),
)
def list_editions(
    programme_id: uuid.UUID,
    request: Request,
    response: Response,
    session: SessionDep,
    limit: LimitQuery = 50,
    cursor: CursorQuery = None,
) -> Any:
    """Editions of a programme by creation time."""
    service.get_programme(session=session, programme_id=programme_id)
    rows, next_cursor = paginate(
        session,
        service.list_editions_query(programme_id=programme_id),
        sort=Edition.created_at,  # type: ignore[arg-type]
        tiebreak=Edition.id,  # type: ignore[arg-type]
        limit=limit,
        cursor=cursor,
    )
    set_link_header(request, response, next_cursor)
    return Page[EditionPublic](items=[EditionPublic.model_validate(r) for r in rows], next_cursor=next_cursor)


@router.get(
    "/editions/{edition_id}",
    response_model=EditionPublic,
    summary="Get an edition",
    tags=["programmes"],
    responses=problem_responses(404, 422),
)
def get_edition(edition_id: uuid.UUID, response: Response, session: SessionDep) -> Any:
    """One edition with its districts."""
    edition = service.get_edition(session=session, edition_id=edition_id)
    set_etag(response, edition.version)
    return EditionPublic.model_validate(edition)


@router.post(
    "/editions/{edition_id}/districts",
    response_model=EditionPublic,
    summary="Add a district to an edition",
    tags=["programmes"],
    responses=problem_responses(401, 403, 404, 409, 422, 503),
)
def add_edition_district(
    edition_id: uuid.UUID,
    payload: EditionDistrictAdd,
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
    registry: RegistryDep,
) -> Any:
    """A district joins an edition (its editors or an administrator)."""
    principal.require_district_editor(payload.district_id)
    edition = service.add_edition_district(
        session=session, registry=registry, edition_id=edition_id, district_id=payload.district_id
    )
    set_etag(response, edition.version)
    return EditionPublic.model_validate(edition)


# --- processes ---------------------------------------------------------------------------------------------


@router.post(
    "/processes",
    status_code=201,
    response_model=ProcessPublic,
    summary="Create a participatory process",
    tags=["processes"],
    responses=problem_responses(401, 403, 409, 422, 503),
)
def create_process(
    payload: ProcessCreate,
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
    registry: RegistryDep,
    idempotency: IdempotencyDep,
) -> Any:
    """Editors of the district create its processes (the district is checked in the registry)."""
    principal.require_district_editor(payload.district_id)
    if (replay := idempotency.replay(payload)) is not None:
        return replay
    process = service.create_process(session=session, registry=registry, data=payload)
    body = service.process_public(session=session, process=process)
    return idempotency.created(
        response, body, location=f"/processes/{process.id}", etag=etag_for(process.version)
    )


@router.get(
    "/processes",
    response_model=Page[ProcessPublic],
    summary="List processes",
    tags=["processes"],
    responses=problem_responses(422),
)
def list_processes(
    request: Request,
    response: Response,
    session: SessionDep,
    district_id: uuid.UUID | None = None,
    edition_id: uuid.UUID | None = None,
    status: ProcessStatus | None = None,
    limit: LimitQuery = 50,
    cursor: CursorQuery = None,
) -> Any:
    """Processes by creation time, filtered by district, edition or status."""
    return _process_page(request, response, session, district_id, edition_id, status, limit, cursor)


@router.get(
    "/districts/{district_id}/processes",
    response_model=Page[ProcessPublic],
    summary="List a district's processes",
    tags=["processes"],
    responses=problem_responses(404, 422, 503),
)
def list_district_processes(
    district_id: uuid.UUID,
    request: Request,
    response: Response,
    session: SessionDep,
    registry: RegistryDep,
    status: ProcessStatus | None = None,
    limit: LimitQuery = 50,
    cursor: CursorQuery = None,
) -> Any:
    """The processes of one district by creation time (404 when the registry has no such district)."""
    service.ensure_district_found(registry=registry, district_id=district_id)
    return _process_page(request, response, session, district_id, None, status, limit, cursor)


def _process_page(
    request: Request,
    response: Response,
    session: SessionDep,
    district_id: uuid.UUID | None,
    edition_id: uuid.UUID | None,
    status: ProcessStatus | None,
    limit: int,
    cursor: str | None,
) -> Page[ProcessPublic]:
    rows, next_cursor = paginate(
        session,
        service.list_processes_query(district_id=district_id, edition_id=edition_id, status=status),
        sort=Process.created_at,  # type: ignore[arg-type]
        tiebreak=Process.id,  # type: ignore[arg-type]
        limit=limit,
        cursor=cursor,
    )
    set_link_header(request, response, next_cursor)
    return Page[ProcessPublic](
        items=service.processes_public(session=session, processes=list(rows)), next_cursor=next_cursor
    )


@router.get(
    "/processes/{process_id}",
    response_model=ProcessPublic,
    summary="Get a process (optionally as it stood at a past time)",
    tags=["processes"],
    responses=problem_responses(404, 422),
)
def get_process(
    process_id: uuid.UUID,
    response: Response,
    session: SessionDep,
    as_of: Annotated[
        AwareDatetime | None,
        Query(
            description="Rebuild the process from its event log as it stood at this time (ISO 8601, with zone)."
        ),
    ] = None,
) -> Any:
    """The process with its phases; with ``as_of``, folded from its events up to that time."""
    if as_of is not None:
        body = service.process_as_of(session=session, process_id=process_id, as_of=as_of)
        set_etag(response, body.version)
        return body
    process = service.get_process(session=session, process_id=process_id)
    set_etag(response, process.version)
    return service.process_public(session=session, process=process)


@router.patch(
    "/processes/{process_id}",
    response_model=ProcessPublic,
    summary="Update a process's identity card",
    tags=["processes"],
    responses=problem_responses(401, 403, 404, 409, 412, 422, 503),
)
def update_process(
    process_id: uuid.UUID,
    payload: ProcessUpdate,
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
    if_match: IfMatch = None,
) -> Any:
    """Change identity-card fields (If-Match honoured)."""
    process = service.get_process(session=session, process_id=process_id)
    principal.require_district_editor(process.district_id)
    expected = expected_version_from_if_match(if_match, process.version)
    process = service.update_process(
        session=session, process_id=process_id, data=payload, expected_version=expected
    )
    set_etag(response, process.version)
    return service.process_public(session=session, process=process)


@router.post(
    "/processes/{process_id}/phases",
    status_code=201,
    response_model=PhasePublic,
    summary="Add a phase to a process",
    tags=["processes"],
    responses=problem_responses(401, 403, 404, 409, 412, 422),
)
def add_process_phase(
    process_id: uuid.UUID,
    payload: PhaseCreate,
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
    idempotency: IdempotencyDep,
    if_match: IfMatch = None,
) -> Any:
    """Add a phase (listening, co-design, validation, restitution...); ``is_current`` moves the mark."""
    process = service.get_process(session=session, process_id=process_id)
    principal.require_district_editor(process.district_id)
    if (replay := idempotency.replay(payload)) is not None:
        return replay
    expected = expected_version_from_if_match(if_match, process.version)
    phase = service.add_phase(session=session, process_id=process_id, data=payload, expected_version=expected)
    body = PhasePublic.model_validate(phase)
    return idempotency.created(
        response, body, location=f"/processes/{process_id}/phases/{phase.id}", etag=etag_for(process.version)
    )


@router.patch(
    "/processes/{process_id}/phases/{phase_id}",
    response_model=PhasePublic,
    summary="Change a phase or make it current",
    tags=["processes"],
    responses=problem_responses(401, 403, 404, 409, 412, 422),
)
def update_process_phase(
    process_id: uuid.UUID,
    phase_id: uuid.UUID,
    payload: PhaseUpdate,
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
    if_match: IfMatch = None,
) -> Any:
    """Change a phase's name or dates, or make it the current phase (If-Match on the process)."""
    process = service.get_process(session=session, process_id=process_id)
    principal.require_district_editor(process.district_id)
    expected = expected_version_from_if_match(if_match, process.version)
    phase = service.update_phase(
        session=session, process_id=process_id, phase_id=phase_id, data=payload, expected_version=expected
    )
    set_etag(response, process.version)
    return PhasePublic.model_validate(phase)


@router.post(
    "/processes/{process_id}/status",
    response_model=ProcessPublic,
    summary="Change a process's status",
    tags=["processes"],
    responses=problem_responses(401, 403, 404, 409, 412, 422),
)
def change_process_status(
    process_id: uuid.UUID,
    payload: ProcessStatusChange,
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
    if_match: IfMatch = None,
) -> Any:
    """Activate, close or reopen a process."""
    process = service.get_process(session=session, process_id=process_id)
    principal.require_district_editor(process.district_id)
    expected = expected_version_from_if_match(if_match, process.version)
    process = service.change_process_status(
        session=session, process_id=process_id, data=payload, expected_version=expected
    )
    set_etag(response, process.version)
    return service.process_public(session=session, process=process)


@router.get(
    "/processes/{process_id}/history",
    response_model=Page[HistoryEvent],
    summary="A process's history: its events and its workshops', in order",
    tags=["processes"],
    responses=problem_responses(404, 422),
)
def get_process_history(
    process_id: uuid.UUID,
    request: Request,
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
    limit: LimitQuery = 100,
    cursor: CursorQuery = None,
) -> Any:
    """The events of the process, its workshops and related streams in log order (people ids only to staff)."""
    after = 0
    if cursor:
        values = decode_cursor(cursor)
        if len(values) != 1 or not isinstance(values[0], int) or values[0] < 0:
            raise ValidationFailed(
                "malformed cursor", errors=[FieldError(path="query.cursor", message="bad cursor")]
            )
        after = values[0]
    page, more = service.process_history(session=session, process_id=process_id, after=after, limit=limit)
    next_cursor = encode_cursor([page[-1].position]) if more and page else None
    set_link_header(request, response, next_cursor)
    items = [
        HistoryEvent(
            position=e.position,
            event_id=e.event_id,
            stream_type=e.stream_type,
            stream_id=e.stream_id,
            version=e.version,
            type=e.type,
            occurred_at=e.occurred_at,
            recorded_at=e.recorded_at,
            actor_id=e.actor_id if principal.sees_personal_data else None,
            district_id=e.district_id,
            payload=e.payload if principal.sees_personal_data else _mask(e.payload),
        )
        for e in page
    ]
    return Page[HistoryEvent](items=items, next_cursor=next_cursor)


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


@router.get(
    "/processes/{process_id}/calendar.ics",
    response_class=Response,
    summary="iCalendar feed of a process's workshops",
    tags=["calendars"],
    responses={**ICS_RESPONSE, **problem_responses(404, 422)},
)
def get_process_ics(process_id: uuid.UUID, session: SessionDep) -> Response:
    """One VEVENT per workshop of the process (cancelled ones as STATUS:CANCELLED)."""
    process = service.get_process(session=session, process_id=process_id)
    workshops = service.list_all_workshops(
        session=session, statement=service.list_workshops_query(process_id=process.id)
    )
    content = ical.build_calendar(session=session, workshops=workshops, name=process.title)
    return _ics(content, f"process-{process.id}.ics")


# --- workshops ---------------------------------------------------------------------------------------------


def _workshop_page(
    request: Request, response: Response, session: SessionDep, statement: Any, limit: int, cursor: str | None
) -> Page[WorkshopPublic]:
    rows, next_cursor = paginate(
        session,
        statement,
        sort=Workshop.starts_at,  # type: ignore[arg-type]
        tiebreak=Workshop.id,  # type: ignore[arg-type]
        limit=limit,
        cursor=cursor,
    )
    set_link_header(request, response, next_cursor)
    return Page[WorkshopPublic](
        items=[WorkshopPublic.model_validate(w) for w in rows], next_cursor=next_cursor
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
    process_id: uuid.UUID,
    payload: WorkshopCreate,
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
    registry: RegistryDep,
    idempotency: IdempotencyDep,
) -> Any:
    """Schedule a workshop; 409 names any clash (facilitator or venue booked, outside the process's dates)."""
    process = service.get_process(session=session, process_id=process_id)
    principal.require_district_editor(process.district_id)
    if (replay := idempotency.replay(payload)) is not None:
        return replay
    workshop = service.schedule_workshop(
        session=session, registry=registry, process_id=process_id, data=payload
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
    process_id: uuid.UUID,
    request: Request,
    response: Response,
    session: SessionDep,
    status: WorkshopStatus | None = None,
    limit: LimitQuery = 50,
    cursor: CursorQuery = None,
) -> Any:
    """Workshops of a process by start time."""
    service.get_process(session=session, process_id=process_id)
    statement = service.list_workshops_query(process_id=process_id, status=status)
    return _workshop_page(request, response, session, statement, limit, cursor)


@router.get(
    "/workshops/{workshop_id}",
    response_model=WorkshopPublic,
    summary="Get a workshop",
    tags=["workshops"],
    responses=problem_responses(404, 422),
)
def get_workshop(workshop_id: uuid.UUID, response: Response, session: SessionDep) -> Any:
    """One workshop (times also in Europe/Rome)."""
    workshop = service.get_workshop(session=session, workshop_id=workshop_id)
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
    workshop_id: uuid.UUID,
    payload: WorkshopUpdate,
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
    registry: RegistryDep,
    if_match: IfMatch = None,
) -> Any:
    """Move, re-staff or edit a workshop; clashes are re-checked; a held workshop is final (409)."""
    workshop = service.get_workshop(session=session, workshop_id=workshop_id)
    principal.require_district_editor(workshop.district_id)
    current = service.workshop_stream_version(session=session, workshop=workshop)
    expected = expected_version_from_if_match(if_match, current)
    workshop = service.update_workshop(
        session=session, registry=registry, workshop_id=workshop_id, data=payload, expected_version=expected
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
    workshop_id: uuid.UUID,
    payload: WorkshopStatusChange,
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
    if_match: IfMatch = None,
) -> Any:
    """Change the status with a reason; cancelled and postponed workshops free their slot.

    The workshop's facilitators may mark it held (they ran it); every other change is the district's.
    """
    workshop = service.get_workshop(session=session, workshop_id=workshop_id)
    if payload.status is WorkshopStatus.HELD:
        principal.require_facilitator_or_editor(workshop.district_id, workshop.facilitator_ids)
    else:
        principal.require_district_editor(workshop.district_id)
    current = service.workshop_stream_version(session=session, workshop=workshop)
    expected = expected_version_from_if_match(if_match, current)
    workshop = service.change_workshop_status(
        session=session, workshop_id=workshop_id, data=payload, expected_version=expected
    )
    set_etag(response, workshop.version)
    return WorkshopPublic.model_validate(workshop)


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
    workshop = service.get_workshop(session=session, workshop_id=workshop_id)
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
    service.get_workshop(session=session, workshop_id=workshop_id)
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
    workshop = service.get_workshop(session=session, workshop_id=workshop_id)
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
    workshop = service.get_workshop(session=session, workshop_id=workshop_id)
    principal.require_facilitator_or_editor(workshop.district_id, workshop.facilitator_ids)
    current = service.workshop_stream_version(session=session, workshop=workshop)
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


# --- agendas and calendars ---------------------------------------------------------------------------------


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
    request: Request,
    response: Response,
    session: SessionDep,
    starts_from: FromQuery = None,
    starts_before: ToQuery = None,
    limit: LimitQuery = 100,
    cursor: CursorQuery = None,
) -> Any:
    """The facilitator's workshops by start time, in every district."""
    service.ensure_person_found(registry=registry, person_id=facilitator_id)
    statement = service.list_workshops_query(
        facilitator_id=str(facilitator_id),
        dialect=session.get_bind().dialect.name,
        starts_from=starts_from,
        starts_before=starts_before,
    )
    return _workshop_page(request, response, session, statement, limit, cursor)


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
    service.ensure_person_found(registry=registry, person_id=facilitator_id)
    statement = service.list_workshops_query(
        facilitator_id=str(facilitator_id),
        dialect=session.get_bind().dialect.name,
        starts_from=starts_from,
        starts_before=starts_before,
    )
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
    request: Request,
    response: Response,
    session: SessionDep,
    starts_from: FromQuery = None,
    starts_before: ToQuery = None,
    status: WorkshopStatus | None = None,
    limit: LimitQuery = 100,
    cursor: CursorQuery = None,
) -> Any:
    """Workshops of every process of the district by start time."""
    service.ensure_district_found(registry=registry, district_id=district_id)
    statement = service.list_workshops_query(
        district_id=district_id, starts_from=starts_from, starts_before=starts_before, status=status
    )
    return _workshop_page(request, response, session, statement, limit, cursor)


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
    service.ensure_district_found(registry=registry, district_id=district_id)
    statement = service.list_workshops_query(
        district_id=district_id, starts_from=starts_from, starts_before=starts_before
    )
    workshops = service.list_all_workshops(session=session, statement=statement)
    content = ical.build_calendar(session=session, workshops=workshops, name=f"District {district_id}")
    return _ics(content, f"district-{district_id}.ics")
