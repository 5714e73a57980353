"""HTTP routes of organisations: thin wrappers that authorise, call the service and shape responses."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from fastapi import APIRouter, Response
from sqlmodel import Session

from services.registry.deps import SearchQuery
from services.registry.organisations import queries, service
from services.registry.organisations.deps import OrganisationToChange
from services.registry.organisations.models import Organisation, OrganisationKind
from services.registry.organisations.schemas import OrganisationCreate, OrganisationPublic, OrganisationUpdate
from shared.api.etag import etag_for, set_etag
from shared.api.idempotency import IdempotencyDep
from shared.api.pagination import Page, Paging
from shared.auth.principal import Principal
from shared.deps import PrincipalDep, SessionDep
from shared.errors import problem_responses

router = APIRouter()

OPENAPI_TAGS = [
    {
        "name": "organisations",
        "description": "Municipalities, AUSL, ASP, associations, cooperatives, schools...",
    },
]


def _organisation_public(session: Session, rows: Sequence[Organisation]) -> list[OrganisationPublic]:
    links = service.organisation_district_ids(session=session, organisation_ids=[o.id for o in rows])
    return [
        OrganisationPublic(
            id=o.id,
            name=o.name,
            kind=o.kind,
            district_ids=links.get(o.id, []),
            contacts=o.contacts,
            version=o.version,
            created_at=o.created_at,
        )
        for o in rows
    ]


def _require_organisation_editor(principal: Principal, district_ids: Sequence[object]) -> None:
    principal.require_authenticated()
    if not district_ids:
        principal.require_admin()
    principal.require_any_district_editor(district_ids)


@router.get(
    "/organisations",
    response_model=Page[OrganisationPublic],
    summary="List and search organisations",
    tags=["organisations"],
    responses=problem_responses(422),
)
def list_organisations(
    session: SessionDep,
    paging: Paging,
    q: SearchQuery = None,
    kind: OrganisationKind | None = None,
    district_id: uuid.UUID | None = None,
) -> Any:
    statement = queries.organisation_list_statement(q=q, kind=kind, district_id=district_id)
    rows, next_cursor = paging.rows(session, statement, sort=Organisation.name, tiebreak=Organisation.id)
    return paging.page(_organisation_public(session, rows), next_cursor)


@router.post(
    "/organisations",
    status_code=201,
    response_model=OrganisationPublic,
    summary="Create an organisation (editors of every district it serves)",
    tags=["organisations"],
    responses=problem_responses(401, 403, 409, 422),
)
def create_organisation(
    payload: OrganisationCreate,
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
    idempotency: IdempotencyDep,
) -> Any:
    _require_organisation_editor(principal, payload.district_ids)
    if (replay := idempotency.replay(payload)) is not None:
        return replay
    organisation = service.create_organisation(session=session, data=payload)
    body = _organisation_public(session, [organisation])[0]
    return idempotency.created(
        response, body, location=f"/organisations/{organisation.id}", etag=etag_for(organisation.version)
    )


@router.get(
    "/organisations/{organisation_id}",
    response_model=OrganisationPublic,
    summary="Get an organisation",
    tags=["organisations"],
    responses=problem_responses(404, 422),
)
def get_organisation(organisation_id: uuid.UUID, response: Response, session: SessionDep) -> Any:
    organisation = service.get_organisation(session=session, organisation_id=organisation_id)
    set_etag(response, organisation.version)
    return _organisation_public(session, [organisation])[0]


@router.patch(
    "/organisations/{organisation_id}",
    response_model=OrganisationPublic,
    summary="Change an organisation (editors of every district it serves, before and after)",
    tags=["organisations"],
    responses=problem_responses(401, 403, 404, 409, 412, 422),
)
def update_organisation(
    edit: OrganisationToChange,
    payload: OrganisationUpdate,
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
) -> Any:
    organisation = edit.row
    current = service.organisation_district_ids(session=session, organisation_ids=[organisation.id])[
        organisation.id
    ]
    _require_organisation_editor(principal, [*current, *(payload.district_ids or [])])
    organisation = service.update_organisation(
        session=session, organisation=organisation, data=payload, expected_version=edit.expected_version
    )
    set_etag(response, organisation.version)
    return _organisation_public(session, [organisation])[0]
