"""HTTP routes of World Café (tables, rounds, notes, harvest)."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Query, Response

from services.workshops.deps import RegistryDep
from services.workshops.sessions import base
from services.workshops.sessions.deps import writable_workshop
from services.workshops.sessions.world_cafe import service
from services.workshops.sessions.world_cafe.schemas import (
    CafeHarvestIn,
    CafeHarvestPublic,
    CafeNoteCreate,
    CafeNotePublic,
    CafeRoundCreate,
    CafeRoundPublic,
    CafeTableCreate,
    CafeTablePublic,
)
from shared.api.etag import IfMatch, etag_for, expected_version_from_if_match, set_etag
from shared.api.idempotency import IdempotencyDep
from shared.deps import PrincipalDep, SessionDep
from shared.errors import problem_responses

router = APIRouter()


@router.get(
    "/workshops/{workshop_id}/cafe/tables",
    response_model=list[CafeTablePublic],
    summary="List a World Café's tables",
    tags=["world cafe"],
    responses=problem_responses(404),
)
def list_workshop_cafe_tables(workshop_id: uuid.UUID, session: SessionDep) -> Any:
    workshop = base.get_workshop(session=session, workshop_id=workshop_id)
    return service.list_tables(session=session, workshop_id=workshop.id)


@router.post(
    "/workshops/{workshop_id}/cafe/tables",
    status_code=201,
    response_model=CafeTablePublic,
    summary="Set up a World Café table with its host",
    tags=["world cafe"],
    responses=problem_responses(401, 403, 404, 409, 422, 503),
)
def add_workshop_cafe_table(
    workshop_id: uuid.UUID,
    payload: CafeTableCreate,
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
    idempotency: IdempotencyDep,
    registry: RegistryDep,
) -> Any:
    workshop = writable_workshop(session, principal, workshop_id)
    if (replay := idempotency.replay(payload)) is not None:
        return replay
    base.ensure_people_exist(
        registry=registry, people=[("body.host_id", payload.host_id)], principal=principal, workshop=workshop
    )
    table = service.add_table(session=session, workshop=workshop, data=payload)
    body = CafeTablePublic.model_validate(table)
    return idempotency.created(
        response,
        body,
        location=f"/workshops/{workshop.id}/cafe/tables/{table.id}",
        etag=etag_for(workshop.version),
    )


@router.get(
    "/workshops/{workshop_id}/cafe/rounds",
    response_model=list[CafeRoundPublic],
    summary="List a World Café's rounds",
    tags=["world cafe"],
    responses=problem_responses(404),
)
def list_workshop_cafe_rounds(workshop_id: uuid.UUID, session: SessionDep) -> Any:
    workshop = base.get_workshop(session=session, workshop_id=workshop_id)
    return service.list_rounds(session=session, workshop_id=workshop.id)


@router.post(
    "/workshops/{workshop_id}/cafe/rounds",
    status_code=201,
    response_model=CafeRoundPublic,
    summary="Add a World Café round (question and duration)",
    tags=["world cafe"],
    responses=problem_responses(401, 403, 404, 409, 422),
)
def add_workshop_cafe_round(
    workshop_id: uuid.UUID,
    payload: CafeRoundCreate,
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
    idempotency: IdempotencyDep,
) -> Any:
    workshop = writable_workshop(session, principal, workshop_id)
    if (replay := idempotency.replay(payload)) is not None:
        return replay
    cafe_round = service.add_round(session=session, workshop=workshop, data=payload)
    body = CafeRoundPublic.model_validate(cafe_round)
    return idempotency.created(
        response,
        body,
        location=f"/workshops/{workshop.id}/cafe/rounds/{cafe_round.id}",
        etag=etag_for(workshop.version),
    )


@router.get(
    "/workshops/{workshop_id}/cafe/notes",
    response_model=list[CafeNotePublic],
    summary="List a World Café's notes (optionally of one table and/or round)",
    tags=["world cafe"],
    responses=problem_responses(404, 422),
)
def list_workshop_cafe_notes(
    workshop_id: uuid.UUID,
    session: SessionDep,
    table_id: Annotated[uuid.UUID | None, Query()] = None,
    round_id: Annotated[uuid.UUID | None, Query()] = None,
) -> Any:
    workshop = base.get_workshop(session=session, workshop_id=workshop_id)
    return service.list_notes(session=session, workshop_id=workshop.id, table_id=table_id, round_id=round_id)


@router.post(
    "/workshops/{workshop_id}/cafe/notes",
    status_code=201,
    response_model=CafeNotePublic,
    summary="Record a table's notes for a round",
    tags=["world cafe"],
    responses=problem_responses(401, 403, 404, 409, 422),
)
def add_workshop_cafe_note(
    workshop_id: uuid.UUID,
    payload: CafeNoteCreate,
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
    idempotency: IdempotencyDep,
) -> Any:
    workshop = writable_workshop(session, principal, workshop_id)
    base.require_item_references(
        session=session,
        principal=principal,
        workshop=workshop,
        refs=[
            ("body.table_id", "cafe_table", payload.table_id),
            ("body.round_id", "cafe_round", payload.round_id),
        ],
    )
    if (replay := idempotency.replay(payload)) is not None:
        return replay
    note = service.add_note(session=session, workshop=workshop, data=payload)
    body = CafeNotePublic.model_validate(note)
    return idempotency.created(
        response,
        body,
        location=f"/workshops/{workshop.id}/cafe/notes?table_id={note.table_id}&round_id={note.round_id}",
        etag=etag_for(workshop.version),
    )


@router.get(
    "/workshops/{workshop_id}/cafe/harvest",
    response_model=CafeHarvestPublic,
    summary="Get a World Café's plenary harvest",
    tags=["world cafe"],
    responses=problem_responses(404),
)
def get_workshop_cafe_harvest(workshop_id: uuid.UUID, response: Response, session: SessionDep) -> Any:
    workshop = base.get_workshop(session=session, workshop_id=workshop_id)
    set_etag(response, workshop.version)
    return service.get_harvest(session=session, workshop_id=workshop.id)


@router.put(
    "/workshops/{workshop_id}/cafe/harvest",
    response_model=CafeHarvestPublic,
    summary="Record (or replace) a World Café's plenary harvest",
    tags=["world cafe"],
    responses=problem_responses(401, 403, 404, 409, 412, 422),
)
def put_workshop_cafe_harvest(
    workshop_id: uuid.UUID,
    payload: CafeHarvestIn,
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
    if_match: IfMatch = None,
) -> Any:
    workshop = writable_workshop(session, principal, workshop_id)
    base.require_method(workshop, base.WORLD_CAFE)
    expected = expected_version_from_if_match(if_match, workshop.version)
    harvest = service.record_harvest(
        session=session, workshop=workshop, data=payload, expected_version=expected
    )
    set_etag(response, workshop.version)
    return harvest
