"""HTTP routes of programme agreements: thin wrappers around the service."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Response

from services.registry.agreements import queries, service
from services.registry.agreements.models import Agreement
from services.registry.agreements.schemas import AgreementCreate, AgreementEnd, AgreementPublic
from services.registry.deps import OnQuery
from shared.api.etag import etag_for, set_etag
from shared.api.idempotency import IdempotencyDep
from shared.api.pagination import Page, Paging
from shared.deps import PrincipalDep, SessionDep
from shared.errors import problem_responses

router = APIRouter()

OPENAPI_TAGS = [
    {
        "name": "agreements",
        "description": "Programme agreements (accordi di programma): dated documents between organisations.",
    },
]


def public(agreement: Agreement, organisation_ids: list[uuid.UUID]) -> AgreementPublic:
    """The response body of an agreement."""
    return AgreementPublic.model_validate({**agreement.model_dump(), "organisation_ids": organisation_ids})


@router.get(
    "/agreements",
    response_model=Page[AgreementPublic],
    summary="List programme agreements by district, party and date in force",
    tags=["agreements"],
    responses=problem_responses(422),
)
def list_agreements(
    session: SessionDep,
    paging: Paging,
    district_id: uuid.UUID | None = None,
    organisation_id: uuid.UUID | None = None,
    on: OnQuery = None,
) -> Any:
    statement = queries.agreement_list_statement(
        district_id=district_id, organisation_id=organisation_id, on=on
    )
    rows, next_cursor = paging.rows(session, statement, sort=Agreement.signed_on, tiebreak=Agreement.id)
    parties = service.party_ids(session=session, agreement_ids=[a.id for a in rows])
    return paging.page([public(a, parties.get(a.id, [])) for a in rows], next_cursor)


@router.post(
    "/agreements",
    status_code=201,
    response_model=AgreementPublic,
    summary="Record a programme agreement signed by organisations of a district",
    tags=["agreements"],
    responses=problem_responses(401, 403, 404, 422),
)
def create_agreement(
    payload: AgreementCreate,
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
    idempotency: IdempotencyDep,
) -> Any:
    principal.require_district_editor(payload.district_id)
    service.require_agreement_references(
        session=session,
        principal=principal,
        district_id=payload.district_id,
        organisation_ids=payload.organisation_ids,
    )
    if (replay := idempotency.replay(payload)) is not None:
        return replay
    agreement, parties = service.create_agreement(session=session, data=payload)
    return idempotency.created(
        response,
        public(agreement, parties),
        location=f"/agreements/{agreement.id}",
        etag=etag_for(agreement.version),
    )


@router.get(
    "/agreements/{agreement_id}",
    response_model=AgreementPublic,
    summary="Get a programme agreement",
    tags=["agreements"],
    responses=problem_responses(404, 422),
)
def get_agreement(agreement_id: uuid.UUID, response: Response, session: SessionDep) -> Any:
    agreement = service.get_agreement(session=session, agreement_id=agreement_id)
    set_etag(response, agreement.version)
    parties = service.party_ids(session=session, agreement_ids=[agreement.id])
    return public(agreement, parties.get(agreement.id, []))


@router.post(
    "/agreements/{agreement_id}/end",
    response_model=AgreementPublic,
    summary="Set the last day a programme agreement is in force",
    tags=["agreements"],
    responses=problem_responses(401, 403, 404, 409, 422),
)
def end_agreement(
    agreement_id: uuid.UUID,
    payload: AgreementEnd,
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
) -> Any:
    principal.require_authenticated()
    agreement = service.get_agreement(session=session, agreement_id=agreement_id)
    principal.require_district_editor(agreement.district_id)
    agreement = service.end_agreement(session=session, agreement=agreement, valid_to=payload.valid_to)
    set_etag(response, agreement.version)
    parties = service.party_ids(session=session, agreement_ids=[agreement.id])
    return public(agreement, parties.get(agreement.id, []))
