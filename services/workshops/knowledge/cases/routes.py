"""HTTP routes of the case library: write a case, change it, publish it, read and list cases."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Query, Response

from services.workshops.deps import RegistryDep
from services.workshops.knowledge.cases import queries, service
from services.workshops.knowledge.cases.models import CaseLine, CaseSide, CaseStatus
from services.workshops.knowledge.cases.schemas import (
    CaseCreate,
    CasePublic,
    CaseStatusChange,
    CaseUpdate,
)
from services.workshops.processes.base import ensure_district_exists
from shared.api.etag import IfMatch, etag_for, expected_version_from_if_match, set_etag
from shared.api.idempotency import IdempotencyDep
from shared.api.pagination import Page, Paging
from shared.auth.principal import Principal
from shared.deps import PrincipalDep, SessionDep
from shared.errors import problem_responses

router = APIRouter()
TAG = "cases"
OPENAPI_TAGS: list[dict[str, str]] = [
    {
        "name": TAG,
        "description": "The case library (studi di caso): local experiences of a district, from the health or "
        "the social side, studied by the Community Lab; the questions they raised, the lab meetings that "
        "studied them and the operational guidance drawn from them, tagged by the three lines (subjects, "
        "methodological solutions, institutional architectures) and linked to the processes they informed. "
        "Drafts are read by their writers (the district's editors); published cases by everybody.",
    }
]


def _public(session: SessionDep, case: Any) -> CasePublic:
    return CasePublic.model_validate(service.case_view(session=session, case=case))


def _check_references(session: SessionDep, principal: Principal, district_id: uuid.UUID, ids: Any) -> None:
    if ids:
        districts = service.process_districts(session=session, process_ids=ids)
        principal.require_reference("body.process_ids", districts, target_district_id=district_id)


@router.post(
    "/cases",
    status_code=201,
    response_model=CasePublic,
    summary="Write a case",
    tags=[TAG],
    responses=problem_responses(401, 403, 409, 422, 503),
)
def create_case(
    payload: CaseCreate,
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
    registry: RegistryDep,
    idempotency: IdempotencyDep,
) -> Any:
    """The district's editors (and regional administrators) write a case as a draft; 409 when its code is taken.

    The processes it informed are processes the key may refer to (403 otherwise, 422 when unknown).
    """
    principal.require_district_editor(payload.district_id)
    _check_references(session, principal, payload.district_id, payload.process_ids)
    if (replay := idempotency.replay(payload)) is not None:
        return replay
    ensure_district_exists(registry=registry, district_id=payload.district_id, path="body.district_id")
    case = service.create_case(session=session, data=payload)
    return idempotency.created(
        response, _public(session, case), location=f"/cases/{case.id}", etag=etag_for(case.version)
    )


@router.get(
    "/cases",
    response_model=Page[CasePublic],
    summary="List the cases",
    tags=[TAG],
    responses=problem_responses(422),
)
def list_cases(
    session: SessionDep,
    principal: PrincipalDep,
    paging: Paging,
    district_id: Annotated[uuid.UUID | None, Query(description="Only the cases of this district.")] = None,
    line: Annotated[
        CaseLine | None, Query(description="Only the cases tagged with (or guiding on) it.")
    ] = None,
    side: Annotated[CaseSide | None, Query(description="health, social or social_and_health.")] = None,
    status: Annotated[CaseStatus | None, Query(description="draft (writers only) or published.")] = None,
    process_id: Annotated[uuid.UUID | None, Query(description="Only the cases that informed it.")] = None,
) -> Any:
    """Published cases by creation time; the drafts of the districts the key edits too."""
    draft_districts = (
        None if principal.is_admin else {d for d in principal.district_ids if principal.can_edit_district(d)}
    )
    rows, next_cursor = queries.page_cases(
        session,
        draft_districts=draft_districts,
        district_id=district_id,
        line=line.value if line else None,
        side=side.value if side else None,
        status=status.value if status else None,
        process_id=process_id,
        limit=paging.limit,
        cursor=paging.cursor,
    )
    return paging.page([_public(session, c) for c in rows], next_cursor)


@router.get(
    "/cases/{case_id}",
    response_model=CasePublic,
    summary="Get a case",
    tags=[TAG],
    responses=problem_responses(404, 422),
)
def get_case(case_id: uuid.UUID, response: Response, session: SessionDep, principal: PrincipalDep) -> Any:
    """A published case, or a draft for its writers (404 for everybody else)."""
    case = service.readable_case(session=session, case_id=case_id, principal=principal)
    set_etag(response, case.version)
    return _public(session, case)


@router.patch(
    "/cases/{case_id}",
    response_model=CasePublic,
    summary="Change a case",
    tags=[TAG],
    responses=problem_responses(401, 403, 404, 409, 412, 422),
)
def update_case(
    case_id: uuid.UUID,
    payload: CaseUpdate,
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
    if_match: IfMatch = None,
) -> Any:
    """Change the fields given; a list (questions, guidance, processes, lab meetings) replaces the whole list.

    Send the case's ETag in If-Match: 412 when someone changed it since you read it.
    """
    principal.require_authenticated()
    case = service.readable_case(session=session, case_id=case_id, principal=principal)
    principal.require_district_editor(case.district_id)
    _check_references(session, principal, case.district_id, payload.process_ids)
    expected = expected_version_from_if_match(if_match, case.version)
    case = service.update_case(session=session, case=case, data=payload, expected_version=expected)
    set_etag(response, case.version)
    return _public(session, case)


@router.post(
    "/cases/{case_id}/status",
    response_model=CasePublic,
    summary="Publish a case, or take it back to draft",
    tags=[TAG],
    responses=problem_responses(401, 403, 404, 409, 412, 422),
)
def change_case_status(
    case_id: uuid.UUID,
    payload: CaseStatusChange,
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
    if_match: IfMatch = None,
) -> Any:
    """Publish a draft (it needs its guidance, 422 without) so that everybody reads it, or take it back."""
    principal.require_authenticated()
    case = service.readable_case(session=session, case_id=case_id, principal=principal)
    principal.require_district_editor(case.district_id)
    expected = expected_version_from_if_match(if_match, case.version)
    case = service.change_status(session=session, case=case, data=payload, expected_version=expected)
    set_etag(response, case.version)
    return _public(session, case)
