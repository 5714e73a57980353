"""HTTP routes of API keys: regional administrators create (secret shown once), list, rotate and revoke."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Path, Response

from services.registry.keys import service
from services.registry.keys.schemas import (
    ApiKeyCreate,
    ApiKeyIssued,
    ApiKeyPublic,
    ApiKeyRotate,
    KeyRole,
    KeyStatus,
)
from shared.api.idempotency import IdempotencyDep
from shared.api.pagination import Page, Paging, paginate
from shared.deps import PrincipalDep, SessionDep, SettingsDep, SignedInDep
from shared.errors import problem_responses
from shared.platform.tables import api_keys

router = APIRouter()
TAG = "keys"
OPENAPI_TAGS = [
    {
        "name": TAG,
        "description": "API keys of integrations, scripts and staff (regional administrators only). The "
        "secret is in the response that creates or rotates a key, and nowhere else. The first key of an "
        "installation comes from the command line (`communitylab create-key --role regional_admin`).",
    }
]
KeyId = Annotated[str, Path(min_length=1, max_length=32, pattern="^[0-9a-f]+$", description="The key's id.")]
NO_STORE = "no-store"


def _issued(issued: Any, row: Any) -> ApiKeyIssued:
    return ApiKeyIssued.model_validate({**service.describe(row), "key": issued.key})


@router.post(
    "/api-keys",
    status_code=201,
    response_model=ApiKeyIssued,
    summary="Create an API key (its secret is shown only in this response)",
    tags=[TAG],
    responses=problem_responses(401, 403, 422),
)
def create_api_key(
    payload: ApiKeyCreate,
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
    settings: SettingsDep,
    idempotency: IdempotencyDep,
) -> Any:
    """Regional administrators only; appends api_key.created (ids, role, districts, expiry: no secret)."""
    principal.require_admin()
    if (replay := idempotency.replay(payload)) is not None:
        return replay
    issued, row = service.create_key(session=session, secret=settings.secret_key, data=payload)
    body = _issued(issued, row)
    location = f"/api-keys/{issued.key_id}"
    response.status_code = 201
    response.headers["Location"] = location
    response.headers["Cache-Control"] = NO_STORE
    # A replay must not hand the secret out again, nor may the idempotency table hold it in clear.
    idempotency.remember(201, body.model_copy(update={"key": None}), {"Location": location})
    return body


@router.get(
    "/api-keys",
    response_model=Page[ApiKeyPublic],
    summary="List API keys (never their secrets)",
    tags=[TAG],
    responses=problem_responses(401, 403, 422),
)
def list_api_keys(
    session: SessionDep,
    principal: SignedInDep,
    paging: Paging,
    role: KeyRole | None = None,
    status: KeyStatus | None = None,
) -> Any:
    """Regional administrators only; oldest first, with status active, expired or revoked."""
    principal.require_admin()
    rows, next_cursor = paginate(
        session,
        service.list_keys_query(role=role, status=status),
        sort=api_keys.c.created_at,  # type: ignore[arg-type]
        tiebreak=api_keys.c.key_id,  # type: ignore[arg-type]
        limit=paging.limit,
        cursor=paging.cursor,
    )
    return paging.page([ApiKeyPublic.model_validate(service.describe(r)) for r in rows], next_cursor)


@router.get(
    "/api-keys/{key_id}",
    response_model=ApiKeyPublic,
    summary="One API key (never its secret)",
    tags=[TAG],
    responses=problem_responses(401, 403, 404, 422),
)
def get_api_key(key_id: KeyId, session: SessionDep, principal: SignedInDep) -> Any:
    """Regional administrators only."""
    principal.require_admin()
    return ApiKeyPublic.model_validate(service.describe(service.keys.get_key(session.connection(), key_id)))


@router.post(
    "/api-keys/{key_id}/rotate",
    response_model=ApiKeyIssued,
    summary="Give an API key a new secret (the old one stops working at once)",
    tags=[TAG],
    responses=problem_responses(401, 403, 404, 409, 422),
)
def rotate_api_key(
    key_id: KeyId,
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
    settings: SettingsDep,
    payload: Annotated[ApiKeyRotate | None, Body(examples=[{"expires_at": "2027-12-31T00:00:00Z"}])] = None,
) -> Any:
    """Regional administrators only; key id and actor stay, so the key's webhook subscriptions stay its own."""
    principal.require_admin()
    issued, row = service.rotate_key(
        session=session,
        secret=settings.secret_key,
        key_id=key_id,
        expires_at=payload.expires_at if payload else None,
    )
    response.headers["Cache-Control"] = NO_STORE
    return _issued(issued, row)


@router.post(
    "/api-keys/{key_id}/revoke",
    response_model=ApiKeyPublic,
    summary="Revoke an API key at once",
    tags=[TAG],
    responses=problem_responses(401, 403, 404, 409, 422),
)
def revoke_api_key(key_id: KeyId, session: SessionDep, principal: PrincipalDep) -> Any:
    """Regional administrators only; appends api_key.revoked; revoking twice is a 409."""
    principal.require_admin()
    return ApiKeyPublic.model_validate(service.describe(service.revoke_key(session=session, key_id=key_id)))
