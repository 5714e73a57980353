"""HTTP routes of facilitators and tutors: thin wrappers that authorise, call the service and shape responses."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Annotated, Any

from fastapi import APIRouter, Query, Response
from sqlmodel import Session

from services.registry.facilitators import queries, service
from services.registry.facilitators.deps import (
    FacilitatorForEditor,
    FacilitatorToChange,
    require_facilitator_editor,
)
from services.registry.facilitators.models import FacilitatorKind, FacilitatorProfile
from services.registry.facilitators.schemas import (
    FacilitatorCreate,
    FacilitatorPublic,
    FacilitatorUpdate,
    TrainingCreate,
    TrainingPublic,
)
from services.registry.people.service import get_person, person_versions
from shared.api.etag import etag_for, set_etag
from shared.api.idempotency import IdempotencyDep
from shared.api.pagination import Page, Paging
from shared.auth.principal import Principal
from shared.deps import PrincipalDep, SessionDep
from shared.errors import problem_responses
from shared.privacy import Scope, view

router = APIRouter()

OPENAPI_TAGS = [
    {"name": "facilitators", "description": "Facilitators and tutors, their training and availability."},
]


def _facilitators_public(
    session: Session, rows: Sequence[FacilitatorProfile], principal: Principal
) -> list[FacilitatorPublic]:
    ids = [p.person_id for p in rows]
    districts = service.facilitator_district_ids(session=session, person_ids=ids)
    trainings = service.facilitator_trainings(session=session, person_ids=ids)
    versions = person_versions(session=session, person_ids=ids)
    return [
        view(
            FacilitatorPublic(
                person_id=p.person_id,
                kind=p.kind,
                district_ids=districts.get(p.person_id, []),
                availability_notes=p.availability_notes,
                availability=p.availability,
                trainings=[TrainingPublic.model_validate(t) for t in trainings.get(p.person_id, [])],
                version=versions.get(p.person_id, 0),
            ),
            principal,
            Scope.of(districts.get(p.person_id, []), [p.person_id]),
        )
        for p in rows
    ]


@router.get(
    "/facilitators",
    response_model=Page[FacilitatorPublic],
    summary="Search facilitators and tutors by district served, training course and kind",
    tags=["facilitators"],
    responses=problem_responses(422),
)
def list_facilitators(
    session: SessionDep,
    principal: PrincipalDep,
    paging: Paging,
    district_id: uuid.UUID | None = None,
    course: Annotated[
        str | None, Query(max_length=200, description="Accent-insensitive course name.")
    ] = None,
    kind: FacilitatorKind | None = None,
    min_hours: Annotated[
        int | None, Query(ge=0, le=100_000, description="Total training hours at least.")
    ] = None,
) -> Any:
    statement = queries.facilitator_list_statement(
        district_id=district_id, course=course, kind=kind, min_hours=min_hours
    )
    rows, next_cursor = paging.rows(
        session, statement, sort=FacilitatorProfile.created_at, tiebreak=FacilitatorProfile.person_id
    )
    return paging.page(_facilitators_public(session, rows, principal), next_cursor)


@router.post(
    "/facilitators",
    status_code=201,
    response_model=FacilitatorPublic,
    summary="Make a registered person a facilitator or tutor",
    tags=["facilitators"],
    responses=problem_responses(401, 403, 404, 409, 422),
)
def create_facilitator(
    payload: FacilitatorCreate,
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
    idempotency: IdempotencyDep,
) -> Any:
    principal.require_authenticated()
    person = get_person(session=session, person_id=payload.person_id)
    require_facilitator_editor(session, principal, person, payload.district_ids)
    if (replay := idempotency.replay(payload)) is not None:
        return replay
    profile = service.create_facilitator(session=session, person=person, data=payload)
    body = _facilitators_public(session, [profile], principal)[0]
    return idempotency.created(
        response, body, location=f"/facilitators/{person.id}", etag=etag_for(person.version)
    )


@router.get(
    "/facilitators/{person_id}",
    response_model=FacilitatorPublic,
    summary="Get a facilitator or tutor profile with training records",
    tags=["facilitators"],
    responses=problem_responses(404, 422),
)
def get_facilitator(
    person_id: uuid.UUID, response: Response, session: SessionDep, principal: PrincipalDep
) -> Any:
    profile = service.get_facilitator(session=session, person_id=person_id)
    body = _facilitators_public(session, [profile], principal)[0]
    set_etag(response, body.version)
    return body


@router.patch(
    "/facilitators/{person_id}",
    response_model=FacilitatorPublic,
    summary="Change a facilitator profile (kind, districts served, availability)",
    tags=["facilitators"],
    responses=problem_responses(401, 403, 404, 409, 412, 422),
)
def update_facilitator(
    edit: FacilitatorToChange,
    payload: FacilitatorUpdate,
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
) -> Any:
    person = edit.row.person
    require_facilitator_editor(session, principal, person, payload.district_ids or [])
    profile = service.update_facilitator(
        session=session,
        person=person,
        profile=edit.row.profile,
        data=payload,
        expected_version=edit.expected_version,
    )
    set_etag(response, person.version)
    return _facilitators_public(session, [profile], principal)[0]


@router.post(
    "/facilitators/{person_id}/trainings",
    status_code=201,
    response_model=TrainingPublic,
    summary="Record a course a facilitator or tutor completed",
    tags=["facilitators"],
    responses=problem_responses(401, 403, 404, 409, 422),
)
def record_facilitator_training(
    facilitator: FacilitatorForEditor,
    payload: TrainingCreate,
    response: Response,
    session: SessionDep,
    idempotency: IdempotencyDep,
) -> Any:
    if (replay := idempotency.replay(payload)) is not None:
        return replay
    person = facilitator.person
    training = service.record_training(
        session=session, person=person, profile=facilitator.profile, data=payload
    )
    body = TrainingPublic.model_validate(training)
    return idempotency.created(
        response,
        body,
        location=f"/facilitators/{person.id}/trainings/{training.id}",
        etag=etag_for(person.version),
    )
