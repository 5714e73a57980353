"""HTTP routes of programmes and editions."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Response

from services.workshops.deps import RegistryDep
from services.workshops.processes.models import (
    Edition,
    Programme,
)
from services.workshops.processes.programmes import service
from services.workshops.processes.programmes.schemas import (
    EditionCreate,
    EditionDistrictAdd,
    EditionPublic,
    ProgrammeCreate,
    ProgrammePublic,
)
from shared.api.etag import etag_for, set_etag
from shared.api.idempotency import IdempotencyDep
from shared.api.pagination import Page, Paging, paginate
from shared.deps import PrincipalDep, SessionDep
from shared.errors import problem_responses

router = APIRouter()


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
    session: SessionDep,
    paging: Paging,
) -> Any:
    """Programmes by creation time."""
    rows, next_cursor = paginate(
        session,
        service.list_programmes_query(),
        sort=Programme.created_at,  # type: ignore[arg-type]
        tiebreak=Programme.id,  # type: ignore[arg-type]
        limit=paging.limit,
        cursor=paging.cursor,
    )
    return paging.page([ProgrammePublic.model_validate(r) for r in rows], next_cursor)


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
    session: SessionDep,
    paging: Paging,
) -> Any:
    """Editions of a programme by creation time."""
    service.get_programme(session=session, programme_id=programme_id)
    rows, next_cursor = paginate(
        session,
        service.list_editions_query(programme_id=programme_id),
        sort=Edition.created_at,  # type: ignore[arg-type]
        tiebreak=Edition.id,  # type: ignore[arg-type]
        limit=paging.limit,
        cursor=paging.cursor,
    )
    return paging.page([EditionPublic.model_validate(r) for r in rows], next_cursor)


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
