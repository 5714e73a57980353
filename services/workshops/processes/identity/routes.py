"""HTTP routes of a process: identity card, phases, status."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Request, Response
from sqlalchemy import Connection
from sqlmodel import Session

from services.workshops.deps import RegistryDep
from services.workshops.processes import base
from services.workshops.processes.deps import ProcessForEdit
from services.workshops.processes.history import service as history
from services.workshops.processes.identity import reads, service
from services.workshops.processes.identity.schemas import (
    PhaseCreate,
    PhasePublic,
    PhaseUpdate,
    ProcessCreate,
    ProcessPublic,
    ProcessStatusChange,
    ProcessUpdate,
)
from services.workshops.processes.models import (
    ProcessStatus,
)
from shared.api.etag import etag_for, set_etag
from shared.api.idempotency import IdempotencyDep
from shared.api.pagination import (
    CursorQuery,
    LimitQuery,
    Page,
)
from shared.api.reads import model_response, page_response, validated_response
from shared.api.timetravel import AsOfQuery, KnownAtQuery, TimePoint
from shared.deps import PrincipalDep, SessionDep, run_read, run_statement_read
from shared.errors import problem_responses

router = APIRouter()


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
    service.require_contact_references(
        registry=registry, principal=principal, district_id=payload.district_id, contacts=payload.contacts
    )
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
async def list_processes(
    request: Request,
    district_id: uuid.UUID | None = None,
    edition_id: uuid.UUID | None = None,
    status: ProcessStatus | None = None,
    limit: LimitQuery = 50,
    cursor: CursorQuery = None,
) -> Any:
    """Processes by creation time, filtered by district, edition or status."""
    items, next_cursor = await run_statement_read(
        request,
        reads.process_page,
        district_id=district_id,
        edition_id=edition_id,
        status=status,
        limit=limit,
        cursor=cursor,
    )
    return page_response(request, ProcessPublic, items, next_cursor)


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
    session: SessionDep,
    registry: RegistryDep,
    status: ProcessStatus | None = None,
    limit: LimitQuery = 50,
    cursor: CursorQuery = None,
) -> Any:
    """The processes of one district by creation time (404 when the registry has no such district)."""
    base.ensure_district_found(registry=registry, district_id=district_id)
    items, next_cursor = reads.process_page(
        session.connection(),
        district_id=district_id,
        edition_id=None,
        status=status,
        limit=limit,
        cursor=cursor,
    )
    return page_response(request, ProcessPublic, items, next_cursor)


@router.get(
    "/processes/{process_id}",
    response_model=ProcessPublic,
    summary="Get a process (optionally as it stood at a past time)",
    tags=["processes"],
    responses=problem_responses(404, 422),
)
async def get_process(
    request: Request,
    process_id: uuid.UUID,
    as_of: AsOfQuery = None,
    known_at: KnownAtQuery = None,
) -> Any:
    """The process with its phases; with ``as_of``/``known_at``, folded from its events at that point."""
    point = TimePoint.of(as_of, known_at)
    if not point.is_now:
        body = await run_read(request, _process_as_of, process_id, point)
        return model_response(body, version=body.version)
    data = await run_statement_read(request, reads.process_data, process_id)
    return validated_response(ProcessPublic, data, version=data["version"])


def _process_as_of(connection: Connection, process_id: uuid.UUID, point: TimePoint) -> ProcessPublic:
    with Session(bind=connection) as session:
        return history.process_as_of(session=session, process_id=process_id, point=point)


@router.patch(
    "/processes/{process_id}",
    response_model=ProcessPublic,
    summary="Update a process's identity card",
    tags=["processes"],
    responses=problem_responses(401, 403, 404, 409, 412, 422, 503),
)
def update_process(
    edit: ProcessForEdit,
    payload: ProcessUpdate,
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
    registry: RegistryDep,
) -> Any:
    """Change identity-card fields (If-Match honoured)."""
    service.require_contact_references(
        registry=registry, principal=principal, district_id=edit.row.district_id, contacts=payload.contacts
    )
    process = service.update_process(
        session=session, process_id=edit.row.id, data=payload, expected_version=edit.expected_version
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
    edit: ProcessForEdit,
    payload: PhaseCreate,
    response: Response,
    session: SessionDep,
    idempotency: IdempotencyDep,
) -> Any:
    """Add a phase (listening, co-design, validation, restitution...); ``is_current`` moves the mark."""
    if (replay := idempotency.replay(payload)) is not None:
        return replay
    process = edit.row
    phase = service.add_phase(
        session=session, process_id=process.id, data=payload, expected_version=edit.expected_version
    )
    body = PhasePublic.model_validate(phase)
    return idempotency.created(
        response, body, location=f"/processes/{process.id}/phases/{phase.id}", etag=etag_for(process.version)
    )


@router.patch(
    "/processes/{process_id}/phases/{phase_id}",
    response_model=PhasePublic,
    summary="Change a phase or make it current",
    tags=["processes"],
    responses=problem_responses(401, 403, 404, 409, 412, 422),
)
def update_process_phase(
    edit: ProcessForEdit,
    phase_id: uuid.UUID,
    payload: PhaseUpdate,
    response: Response,
    session: SessionDep,
) -> Any:
    """Change a phase's name or dates, or make it the current phase (If-Match on the process)."""
    phase = service.update_phase(
        session=session,
        process_id=edit.row.id,
        phase_id=phase_id,
        data=payload,
        expected_version=edit.expected_version,
    )
    set_etag(response, edit.row.version)
    return PhasePublic.model_validate(phase)


@router.post(
    "/processes/{process_id}/status",
    response_model=ProcessPublic,
    summary="Change a process's status",
    tags=["processes"],
    responses=problem_responses(401, 403, 404, 409, 412, 422),
)
def change_process_status(
    edit: ProcessForEdit, payload: ProcessStatusChange, response: Response, session: SessionDep
) -> Any:
    """Activate, close or reopen a process."""
    process = service.change_process_status(
        session=session, process_id=edit.row.id, data=payload, expected_version=edit.expected_version
    )
    set_etag(response, process.version)
    return service.process_public(session=session, process=process)
