"""HTTP routes of governance bodies and memberships: thin wrappers around the service."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from fastapi import APIRouter, Response

from services.registry.agreements import service as agreements_service
from services.registry.bodies import queries, service
from services.registry.bodies.deps import BodyForDistrictEditor
from services.registry.bodies.models import BodyKind, BodyMembership, GovernanceBody
from services.registry.bodies.schemas import (
    ArchitectureAgreement,
    ArchitecturePublic,
    BodyCreate,
    BodyPublic,
    MembershipCreate,
    MembershipEnd,
    MembershipList,
    MembershipPublic,
    RelationCreate,
    RelationEnd,
    RelationList,
    RelationPublic,
)
from services.registry.deps import OnQuery
from services.registry.districts.service import get_district
from shared.api.etag import etag_for, set_etag
from shared.api.idempotency import IdempotencyDep
from shared.api.pagination import Page, Paging
from shared.deps import PrincipalDep, SessionDep
from shared.errors import problem_responses

router = APIRouter()

OPENAPI_TAGS = [
    {
        "name": "bodies",
        "description": "Ufficio di Piano, Comitato di Distretto, CTSS, thematic tables, GRI, steering groups; "
        "memberships over time and the relations between bodies (who proposes to whom, who validates).",
    },
]


def _membership_public(rows: Sequence[tuple[BodyMembership, GovernanceBody]]) -> MembershipList:
    return MembershipList(
        items=[
            MembershipPublic(
                id=m.id,
                body_id=b.id,
                body_kind=b.kind,
                district_id=b.district_id,
                process_id=b.process_id,
                person_id=m.person_id,
                role=m.role,
                valid_from=m.valid_from,
                valid_to=m.valid_to,
            )
            for m, b in rows
        ]
    )


@router.get(
    "/districts/{district_id}/memberships",
    response_model=MembershipList,
    summary="Memberships in the district's governance bodies, by person and date",
    tags=["bodies"],
    responses=problem_responses(404, 422),
)
def list_district_memberships(
    district_id: uuid.UUID,
    session: SessionDep,
    person_id: uuid.UUID | None = None,
    on: OnQuery = None,
) -> Any:
    get_district(session=session, district_id=district_id)
    return _membership_public(
        service.memberships(session=session, district_id=district_id, person_id=person_id, on=on)
    )


@router.get(
    "/bodies",
    response_model=Page[BodyPublic],
    summary="List governance bodies",
    tags=["bodies"],
    responses=problem_responses(422),
)
def list_bodies(
    session: SessionDep,
    paging: Paging,
    district_id: uuid.UUID | None = None,
    kind: BodyKind | None = None,
    process_id: uuid.UUID | None = None,
) -> Any:
    statement = queries.body_list_statement(district_id=district_id, kind=kind, process_id=process_id)
    rows, next_cursor = paging.rows(
        session, statement, sort=GovernanceBody.created_at, tiebreak=GovernanceBody.id
    )
    return paging.page([BodyPublic.model_validate(b) for b in rows], next_cursor)


@router.post(
    "/bodies",
    status_code=201,
    response_model=BodyPublic,
    summary="Create a governance body of a district (Ufficio di Piano, Comitato di Distretto, steering group)",
    tags=["bodies"],
    responses=problem_responses(401, 403, 404, 409, 422),
)
def create_body(
    payload: BodyCreate,
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
    idempotency: IdempotencyDep,
) -> Any:
    principal.require_district_editor(payload.district_id)
    service.require_body_references(
        session=session, principal=principal, district_id=payload.district_id, process_id=payload.process_id
    )
    if (replay := idempotency.replay(payload)) is not None:
        return replay
    body_row = service.create_body(session=session, data=payload)
    body = BodyPublic.model_validate(body_row)
    return idempotency.created(
        response, body, location=f"/bodies/{body_row.id}", etag=etag_for(body_row.version)
    )


@router.get(
    "/bodies/{body_id}",
    response_model=BodyPublic,
    summary="Get a governance body",
    tags=["bodies"],
    responses=problem_responses(404, 422),
)
def get_body(body_id: uuid.UUID, response: Response, session: SessionDep) -> Any:
    body = service.get_body(session=session, body_id=body_id)
    set_etag(response, body.version)
    return BodyPublic.model_validate(body)


@router.get(
    "/bodies/{body_id}/members",
    response_model=MembershipList,
    summary="Members of a body, optionally those active on a date (who was in the steering group on D)",
    tags=["bodies"],
    responses=problem_responses(404, 422),
)
def list_body_members(body_id: uuid.UUID, session: SessionDep, on: OnQuery = None) -> Any:
    service.get_body(session=session, body_id=body_id)
    return _membership_public(service.memberships(session=session, body_id=body_id, on=on))


@router.post(
    "/bodies/{body_id}/members",
    status_code=201,
    response_model=MembershipPublic,
    summary="Add a member to a body with a role from a date",
    tags=["bodies"],
    responses=problem_responses(401, 403, 404, 409, 422),
)
def add_body_member(
    body: BodyForDistrictEditor,
    payload: MembershipCreate,
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
    idempotency: IdempotencyDep,
) -> Any:
    service.require_body_references(
        session=session, principal=principal, district_id=body.district_id, person_id=payload.person_id
    )
    if (replay := idempotency.replay(payload)) is not None:
        return replay
    membership = service.add_member(session=session, body=body, data=payload)
    result = _membership_public([(membership, body)]).items[0]
    return idempotency.created(
        response, result, location=f"/bodies/{body.id}/members/{membership.id}", etag=etag_for(body.version)
    )


@router.post(
    "/bodies/{body_id}/members/{membership_id}/end",
    response_model=MembershipPublic,
    summary="End a membership on a date",
    tags=["bodies"],
    responses=problem_responses(401, 403, 404, 409, 422),
)
def end_body_member(
    body: BodyForDistrictEditor,
    membership_id: uuid.UUID,
    payload: MembershipEnd,
    response: Response,
    session: SessionDep,
) -> Any:
    membership = service.end_member(
        session=session, body=body, membership_id=membership_id, valid_to=payload.valid_to
    )
    set_etag(response, body.version)
    return _membership_public([(membership, body)]).items[0]


@router.get(
    "/bodies/{body_id}/relations",
    response_model=RelationList,
    summary="Relations from or to a body (proposes to, validates...), optionally those active on a date",
    tags=["bodies"],
    responses=problem_responses(404, 422),
)
def list_body_relations(body_id: uuid.UUID, session: SessionDep, on: OnQuery = None) -> Any:
    service.get_body(session=session, body_id=body_id)
    rows = service.relations(session=session, body_id=body_id, on=on)
    return RelationList(items=[RelationPublic.model_validate(r) for r in rows])


@router.post(
    "/bodies/{body_id}/relations",
    status_code=201,
    response_model=RelationPublic,
    summary="Record that this body acts on another body of its district from a date",
    tags=["bodies"],
    responses=problem_responses(401, 403, 404, 409, 422),
)
def add_body_relation(
    body: BodyForDistrictEditor,
    payload: RelationCreate,
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
    idempotency: IdempotencyDep,
) -> Any:
    service.require_relation_references(session=session, principal=principal, to_body_id=payload.to_body_id)
    if (replay := idempotency.replay(payload)) is not None:
        return replay
    relation = service.add_relation(session=session, body=body, data=payload)
    return idempotency.created(
        response,
        RelationPublic.model_validate(relation),
        location=f"/bodies/{body.id}/relations/{relation.id}",
        etag=etag_for(body.version),
    )


@router.post(
    "/bodies/{body_id}/relations/{relation_id}/end",
    response_model=RelationPublic,
    summary="End a relation between bodies on a date",
    tags=["bodies"],
    responses=problem_responses(401, 403, 404, 409, 422),
)
def end_body_relation(
    body: BodyForDistrictEditor,
    relation_id: uuid.UUID,
    payload: RelationEnd,
    response: Response,
    session: SessionDep,
) -> Any:
    relation = service.end_relation(
        session=session, body=body, relation_id=relation_id, valid_to=payload.valid_to
    )
    set_etag(response, body.version)
    return RelationPublic.model_validate(relation)


@router.get(
    "/districts/{district_id}/architecture",
    response_model=ArchitecturePublic,
    summary="A district's institutional design: bodies, relations between them and programme agreements",
    tags=["bodies"],
    responses=problem_responses(404, 422),
)
def get_district_architecture(district_id: uuid.UUID, session: SessionDep, on: OnQuery = None) -> Any:
    get_district(session=session, district_id=district_id)
    agreements = agreements_service.agreements(session=session, district_id=district_id, on=on)
    parties = agreements_service.party_ids(session=session, agreement_ids=[a.id for a in agreements])
    return ArchitecturePublic(
        district_id=district_id,
        on=on,
        bodies=[
            BodyPublic.model_validate(b)
            for b in service.district_bodies(session=session, district_id=district_id)
        ],
        relations=[
            RelationPublic.model_validate(r)
            for r in service.relations(session=session, district_id=district_id, on=on)
        ],
        agreements=[
            ArchitectureAgreement(
                id=a.id,
                title=a.title,
                kind=a.kind.value,
                signed_on=a.signed_on,
                valid_from=a.valid_from,
                valid_to=a.valid_to,
                organisation_ids=parties.get(a.id, []),
            )
            for a in agreements
        ],
    )
