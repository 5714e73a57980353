"""HTTP routes of sign-in: ``GET /me``, role grants and the identities linked to a person."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Query, Response

from services.registry.identity import service
from services.registry.identity.schemas import (
    GrantCreate,
    GrantList,
    GrantPublic,
    IdentityCreate,
    IdentityList,
    IdentityPublic,
    Me,
)
from services.registry.people import service as people
from shared.api.etag import etag_for, set_etag
from shared.api.idempotency import IdempotencyDep
from shared.auth.principal import Principal
from shared.deps import PrincipalDep, SessionDep, SettingsDep, SignedInDep
from shared.errors import ForbiddenError, problem_responses

router = APIRouter()
TAG = "identity"
OPENAPI_TAGS = [
    {
        "name": TAG,
        "description": "Who is signed in (`GET /me`), the sign-in identities linked to people, role grants.",
    }
]
ROME = ZoneInfo("Europe/Rome")


def _require_self_or_admin(principal: Principal, person_id: uuid.UUID) -> None:
    principal.require_authenticated()
    if principal.is_admin or principal.person_id == str(person_id):
        return
    raise ForbiddenError("only the person themself or a regional administrator may see this")


@router.get(
    "/me",
    response_model=Me,
    summary="Who the caller is and what they may do today (for a front end's menus)",
    tags=[TAG],
    responses=problem_responses(401, 403, 422, 503),
)
def get_me(
    session: SessionDep,
    principal: SignedInDep,
    personal: Annotated[
        bool, Query(description="Include the caller's own name, email and sign-in identities.")
    ] = True,
    on: Annotated[date | None, Query(description="The date the rights are read for (default today).")] = None,
) -> Any:
    """Read fresh from the registry on every call: a membership added a minute ago shows without a new token."""
    principal.require_authenticated()
    return service.describe_me(
        session=session, principal=principal, on=on or datetime.now(ROME).date(), personal=personal
    )


@router.post(
    "/grants",
    status_code=201,
    response_model=GrantPublic,
    summary="Grant a person a role: district editor of a district, or regional administrator",
    tags=[TAG],
    responses=problem_responses(401, 403, 404, 409, 422),
)
def create_grant(
    payload: GrantCreate,
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
    idempotency: IdempotencyDep,
) -> Any:
    """Regional administrators only; appends grant.made (ids and the role, no personal data)."""
    principal.require_admin()
    if (replay := idempotency.replay(payload)) is not None:
        return replay
    grant = service.make_grant(session=session, data=payload)
    return idempotency.created(
        response,
        GrantPublic.model_validate(grant),
        location=f"/grants/{grant.id}",
        etag=etag_for(grant.version),
    )


@router.get(
    "/grants/{grant_id}",
    response_model=GrantPublic,
    summary="One role grant",
    tags=[TAG],
    responses=problem_responses(401, 403, 404, 422),
)
def get_grant(grant_id: uuid.UUID, response: Response, session: SessionDep, principal: SignedInDep) -> Any:
    """Shown to regional administrators and to the grantee."""
    principal.require_authenticated()
    grant = service.get_grant(session=session, grant_id=grant_id)
    _require_self_or_admin(principal, grant.person_id)
    set_etag(response, grant.version)
    return GrantPublic.model_validate(grant)


@router.post(
    "/grants/{grant_id}/revoke",
    response_model=GrantPublic,
    summary="Revoke a role grant at once",
    tags=[TAG],
    responses=problem_responses(401, 403, 404, 409, 422),
)
def revoke_grant(
    grant_id: uuid.UUID, response: Response, session: SessionDep, principal: PrincipalDep
) -> Any:
    """Regional administrators only; appends grant.revoked."""
    principal.require_admin()
    grant = service.revoke_grant(session=session, grant=service.get_grant(session=session, grant_id=grant_id))
    set_etag(response, grant.version)
    return GrantPublic.model_validate(grant)


@router.get(
    "/people/{person_id}/grants",
    response_model=GrantList,
    summary="A person's active role grants",
    tags=[TAG],
    responses=problem_responses(401, 403, 404, 422),
)
def list_person_grants(person_id: uuid.UUID, session: SessionDep, principal: SignedInDep) -> Any:
    """Shown to regional administrators and to the person themself."""
    _require_self_or_admin(principal, person_id)
    people.get_person(session=session, person_id=person_id)
    return GrantList(
        items=[
            GrantPublic.model_validate(g) for g in service.active_grants(session=session, person_id=person_id)
        ]
    )


@router.get(
    "/people/{person_id}/identities",
    response_model=IdentityList,
    summary="The sign-in identities linked to a person (fiscal codes included)",
    tags=[TAG],
    responses=problem_responses(401, 403, 404, 422),
)
def list_person_identities(person_id: uuid.UUID, session: SessionDep, principal: SignedInDep) -> Any:
    """Personal data: shown only to the person themself and to regional administrators."""
    _require_self_or_admin(principal, person_id)
    people.get_person(session=session, person_id=person_id)
    return IdentityList(
        items=[
            IdentityPublic.model_validate(i)
            for i in service.person_identities(session=session, person_id=person_id)
        ]
    )


@router.post(
    "/people/{person_id}/identities",
    status_code=201,
    response_model=IdentityPublic,
    summary="Link a sign-in identity of a configured issuer to an existing person",
    tags=[TAG],
    responses=problem_responses(401, 403, 404, 409, 422),
)
def link_person_identity(
    person_id: uuid.UUID,
    payload: IdentityCreate,
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
    settings: SettingsDep,
    idempotency: IdempotencyDep,
) -> Any:
    """Regional administrators only: e.g. a staff member's Keycloak subject, before their first sign-in."""
    principal.require_admin()
    person = people.get_person(session=session, person_id=person_id)
    if (replay := idempotency.replay(payload)) is not None:
        return replay
    issuer = next((i for i in settings.oidc_issuers if i.issuer == payload.issuer), None)
    identity = service.link_identity(
        session=session, person=person, issuer=issuer, issuer_name=payload.issuer, value=payload.value
    )
    return idempotency.created(
        response,
        IdentityPublic.model_validate(identity),
        location=f"/people/{person_id}/identities",
        etag=etag_for(person.version),
    )
