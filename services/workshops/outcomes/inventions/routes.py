"""HTTP routes of inventions."""

from __future__ import annotations

import uuid
from enum import Enum
from typing import Any

from fastapi import APIRouter, Request, Response

from services.workshops.deps import RegistryDep
from services.workshops.outcomes import base
from services.workshops.outcomes.deps import WRITE_ERRORS, InventionForEdit
from services.workshops.outcomes.inventions import service
from services.workshops.outcomes.inventions.schemas import (
    InventionCreate,
    InventionDetail,
    InventionHandover,
    InventionPublic,
    InventionUpdate,
)
from services.workshops.outcomes.models import InventionKind, Theme
from services.workshops.processes import base as processes
from shared.api.etag import etag_for, set_etag
from shared.api.idempotency import IdempotencyDep
from shared.api.pagination import CursorQuery, LimitQuery, Page, set_link_header
from shared.api.timetravel import AsOfQuery, KnownAtQuery, TimePoint
from shared.deps import PrincipalDep, SessionDep
from shared.errors import problem_responses
from shared.privacy import Scope, may_see

INVENTIONS: list[str | Enum] = ["inventions"]
router = APIRouter()


@router.post(
    "/inventions",
    status_code=201,
    response_model=InventionPublic,
    summary="Record an invention born in a process",
    tags=INVENTIONS,
    responses=problem_responses(401, 403, 404, 409, 422, 503),
)
def create_invention(
    payload: InventionCreate,
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
    idempotency: IdempotencyDep,
    registry: RegistryDep,
) -> Any:
    """Create an invention (editors of the process's district)."""
    process = processes.get_process(session=session, process_id=payload.process_id)
    principal.require_district_editor(process.district_id)
    service.require_invention_references(
        session=session, registry=registry, principal=principal, district_id=process.district_id, data=payload
    )
    if (replay := idempotency.replay(payload)) is not None:
        return replay
    invention = service.create_invention(session=session, registry=registry, process=process, data=payload)
    body = InventionPublic.model_validate(service.invention_view(invention))
    return idempotency.created(
        response, body, location=f"/inventions/{invention.id}", etag=etag_for(invention.version)
    )


@router.get(
    "/inventions",
    response_model=Page[InventionPublic],
    summary="List inventions by district, edition, process, workshop, theme or kind",
    tags=INVENTIONS,
    responses=problem_responses(422),
)
def list_inventions(
    request: Request,
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
    limit: LimitQuery = 50,
    cursor: CursorQuery = None,
    district_id: uuid.UUID | None = None,
    edition_id: uuid.UUID | None = None,
    process_id: uuid.UUID | None = None,
    workshop_id: uuid.UUID | None = None,
    theme: Theme | None = None,
    kind: InventionKind | None = None,
) -> Any:
    """One page of inventions, oldest first."""
    rows, next_cursor = service.list_inventions(
        session=session,
        district_id=district_id,
        edition_id=edition_id,
        process_id=process_id,
        workshop_id=workshop_id,
        theme=theme,
        kind=kind,
        limit=limit,
        cursor=cursor,
    )
    set_link_header(request, response, next_cursor)
    return Page[InventionPublic](
        items=[
            InventionPublic.model_validate(
                service.invention_view(row, show_people=may_see(principal, Scope.of([row.district_id])))
            )
            for row in rows
        ],
        next_cursor=next_cursor,
    )


def _invention_detail(
    session: Any, invention: Any, principal: Any, point: TimePoint | None = None
) -> InventionDetail:
    data = (
        service.invention_at(session=session, invention=invention, point=point)
        if point is not None and not point.is_now
        else invention.model_dump()
    )
    return InventionDetail.model_validate(
        service.invention_view(data, show_people=may_see(principal, Scope.of([invention.district_id])))
        | {
            "origin_detail": base.origin_detail(
                session=session,
                process_id=data["process_id"],
                workshop_id=data["workshop_id"],
                origin_kind=data["origin_kind"],
                origin_id=data["origin_id"],
            )
        }
    )


@router.get(
    "/inventions/{invention_id}",
    response_model=InventionDetail,
    summary="An invention with its origin (process, workshop, session), optionally as it stood at a past time",
    tags=INVENTIONS,
    responses=problem_responses(404, 422),
)
def get_invention(
    invention_id: uuid.UUID,
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
    as_of: AsOfQuery = None,
    known_at: KnownAtQuery = None,
) -> Any:
    """One invention, now or, with ``as_of``/``known_at``, folded from its events at that point."""
    invention = service.get_invention(session=session, invention_id=invention_id)
    body = _invention_detail(session, invention, principal, TimePoint.of(as_of, known_at))
    set_etag(response, body.version)
    return body


@router.patch(
    "/inventions/{invention_id}",
    response_model=InventionDetail,
    summary="Change an invention",
    tags=INVENTIONS,
    responses=WRITE_ERRORS,
)
def update_invention(
    edit: InventionForEdit,
    payload: InventionUpdate,
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
    registry: RegistryDep,
) -> Any:
    """Change the fields sent (editors of the invention's district; If-Match honoured)."""
    service.require_invention_references(
        session=session,
        registry=registry,
        principal=principal,
        district_id=edit.row.district_id,
        data=payload,
    )
    invention = service.update_invention(
        session=session,
        registry=registry,
        invention=edit.row,
        data=payload,
        expected_version=edit.expected_version,
    )
    set_etag(response, invention.version)
    return _invention_detail(session, invention, principal)


@router.post(
    "/inventions/{invention_id}/handover",
    response_model=InventionDetail,
    summary="Record to whom the invention is passed (a chi passo l'invenzione)",
    tags=INVENTIONS,
    responses=WRITE_ERRORS,
)
def hand_over_invention(
    edit: InventionForEdit,
    payload: InventionHandover,
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
    registry: RegistryDep,
) -> Any:
    """Hand the invention over to another district or an organisation."""
    invention = service.hand_over_invention(
        session=session,
        registry=registry,
        invention=edit.row,
        data=payload,
        expected_version=edit.expected_version,
    )
    set_etag(response, invention.version)
    return _invention_detail(session, invention, principal)
