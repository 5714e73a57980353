"""HTTP routes of webhook subscriptions and their delivery log."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response

from services.reporting.webhooks import deliveries, subscriptions
from services.reporting.webhooks.models import DeliveryStatus, WebhookDelivery, WebhookSubscription
from services.reporting.webhooks.schemas import (
    AttemptPublic,
    DeliveryDetail,
    DeliveryPublic,
    RedeliveryRange,
    RedeliveryResult,
    SecretRotated,
    SecretRotation,
    SubscriptionCreate,
    SubscriptionCreated,
    SubscriptionPublic,
    SubscriptionUpdate,
)
from shared.api.etag import IfMatch, etag_for, expected_version_from_if_match, set_etag
from shared.api.idempotency import IdempotencyDep
from shared.api.pagination import CursorQuery, Page, paginate, set_link_header
from shared.auth.principal import Principal, Role
from shared.deps import PrincipalDep, SessionDep, SettingsDep, SignedInDep
from shared.errors import ForbiddenError, problem_responses

router = APIRouter(prefix="/webhooks")
TAGS: list[str | Any] = ["webhooks"]
PageLimit = Annotated[int | None, Query(ge=1, le=500, description="Page size (1-500).")]


def _owner_scope(principal: Principal) -> str | None:
    """Integrations see only their own subscriptions; regional admins see every one."""
    principal.require_role(Role.INTEGRATION)
    return None if principal.is_admin else principal.actor_id


def _check_district_scope(principal: Principal, district_id: uuid.UUID | None) -> None:
    """A key bound to districts may only subscribe to events of those districts."""
    if principal.is_admin or not principal.district_ids:
        return
    if district_id is None or str(district_id) not in principal.district_ids:
        raise ForbiddenError("this key may only subscribe to events of its own districts")


def _subscription(session: Any, principal: Principal, subscription_id: uuid.UUID) -> WebhookSubscription:
    return subscriptions.get_subscription(
        session=session, subscription_id=subscription_id, owner_id=_owner_scope(principal)
    )


@router.post(
    "/subscriptions",
    status_code=201,
    response_model=SubscriptionCreated,
    summary="Create a webhook subscription (the signing secret is shown only in this response)",
    tags=TAGS,
    responses=problem_responses(401, 403, 409, 422),
)
def create_webhook_subscription(
    payload: SubscriptionCreate,
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
    settings: SettingsDep,
    idempotency: IdempotencyDep,
) -> Any:
    owner_id = _owner_scope(principal) or principal.actor_id or ""
    _check_district_scope(principal, payload.district_id)
    if (replay := idempotency.replay(payload)) is not None:
        return replay
    subscription = subscriptions.create_subscription(
        session=session,
        owner_id=owner_id,
        data=payload,
        allow_http_loopback=settings.webhook_allow_http_loopback,
    )
    body = SubscriptionCreated.model_validate(subscription)
    return idempotency.created(
        response,
        body,
        location=f"/webhooks/subscriptions/{subscription.id}",
        etag=etag_for(subscription.version),
    )


@router.get(
    "/subscriptions",
    response_model=Page[SubscriptionPublic],
    summary="List webhook subscriptions (an integration sees its own)",
    tags=TAGS,
    responses=problem_responses(401, 403, 422),
)
def list_webhook_subscriptions(
    request: Request,
    response: Response,
    session: SessionDep,
    principal: SignedInDep,
    settings: SettingsDep,
    enabled: Annotated[
        bool | None, Query(description="Only enabled (true) or disabled (false) ones.")
    ] = None,
    limit: PageLimit = None,
    cursor: CursorQuery = None,
) -> Any:
    statement = subscriptions.subscriptions_query(owner_id=_owner_scope(principal), enabled=enabled)
    rows, next_cursor = paginate(
        session,
        statement,
        # Keyed on the id alone: a stable order the cursor can resume from.
        sort=WebhookSubscription.id,  # type: ignore[arg-type]
        tiebreak=WebhookSubscription.id,  # type: ignore[arg-type]
        limit=limit or settings.default_page_size,
        cursor=cursor,
    )
    set_link_header(request, response, next_cursor)
    return Page[SubscriptionPublic](
        items=[SubscriptionPublic.model_validate(row) for row in rows], next_cursor=next_cursor
    )


@router.get(
    "/subscriptions/{subscription_id}",
    response_model=SubscriptionPublic,
    summary="Read a webhook subscription, including why it was disabled",
    tags=TAGS,
    responses=problem_responses(401, 403, 404, 422),
)
def get_webhook_subscription(
    subscription_id: uuid.UUID, response: Response, session: SessionDep, principal: SignedInDep
) -> Any:
    subscription = _subscription(session, principal, subscription_id)
    set_etag(response, subscription.version)
    return SubscriptionPublic.model_validate(subscription)


@router.patch(
    "/subscriptions/{subscription_id}",
    response_model=SubscriptionPublic,
    summary="Change a webhook subscription (If-Match supported; enabling clears the failure record)",
    tags=TAGS,
    responses=problem_responses(401, 403, 404, 409, 412, 422),
)
def update_webhook_subscription(
    subscription_id: uuid.UUID,
    payload: SubscriptionUpdate,
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
    settings: SettingsDep,
    if_match: IfMatch = None,
) -> Any:
    subscription = _subscription(session, principal, subscription_id)
    if "district_id" in payload.model_fields_set:
        _check_district_scope(principal, payload.district_id)
    expected_version_from_if_match(if_match, subscription.version)
    subscription = subscriptions.update_subscription(
        session=session,
        subscription=subscription,
        data=payload,
        allow_http_loopback=settings.webhook_allow_http_loopback,
    )
    set_etag(response, subscription.version)
    return SubscriptionPublic.model_validate(subscription)


@router.delete(
    "/subscriptions/{subscription_id}",
    status_code=204,
    summary="Delete a webhook subscription and its delivery log",
    tags=TAGS,
    responses=problem_responses(401, 403, 404, 412),
)
def delete_webhook_subscription(
    subscription_id: uuid.UUID, session: SessionDep, principal: PrincipalDep, if_match: IfMatch = None
) -> Response:
    subscription = _subscription(session, principal, subscription_id)
    expected_version_from_if_match(if_match, subscription.version)
    subscriptions.delete_subscription(session=session, subscription=subscription)
    return Response(status_code=204)


@router.post(
    "/subscriptions/{subscription_id}/rotate-secret",
    response_model=SecretRotated,
    summary="Issue a new signing secret; the old one keeps signing during the overlap",
    tags=TAGS,
    responses=problem_responses(401, 403, 404, 412, 422),
)
def rotate_webhook_secret(
    subscription_id: uuid.UUID,
    payload: SecretRotation,
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
    if_match: IfMatch = None,
) -> Any:
    subscription = _subscription(session, principal, subscription_id)
    expected_version_from_if_match(if_match, subscription.version)
    subscription, secret = subscriptions.rotate_secret(
        session=session, subscription=subscription, overlap_seconds=payload.overlap_seconds
    )
    set_etag(response, subscription.version)
    response.headers["Cache-Control"] = "no-store"
    return SecretRotated(
        subscription_id=subscription.id,
        secret=secret,
        previous_secret_expires_at=subscription.previous_secret_expires_at,
    )


@router.post(
    "/subscriptions/{subscription_id}/ping",
    status_code=201,
    response_model=DeliveryPublic,
    summary="Queue a test `webhook.ping` delivery",
    tags=TAGS,
    responses=problem_responses(401, 403, 404, 422),
)
def ping_webhook_subscription(
    subscription_id: uuid.UUID,
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
    idempotency: IdempotencyDep,
) -> Any:
    subscription = _subscription(session, principal, subscription_id)
    if (replay := idempotency.replay({"subscription_id": str(subscription_id)})) is not None:
        return replay
    delivery = deliveries.queue_ping(session=session, subscription=subscription)
    return idempotency.created(
        response,
        DeliveryPublic.model_validate(delivery),
        location=f"/webhooks/subscriptions/{subscription_id}/deliveries/{delivery.id}",
    )


@router.get(
    "/subscriptions/{subscription_id}/deliveries",
    response_model=Page[DeliveryPublic],
    summary="The delivery log of a subscription, oldest first",
    tags=TAGS,
    responses=problem_responses(401, 403, 404, 422),
)
def list_webhook_deliveries(
    subscription_id: uuid.UUID,
    request: Request,
    response: Response,
    session: SessionDep,
    principal: SignedInDep,
    settings: SettingsDep,
    status: Annotated[DeliveryStatus | None, Query(description="Only deliveries in this state.")] = None,
    limit: PageLimit = None,
    cursor: CursorQuery = None,
) -> Any:
    _subscription(session, principal, subscription_id)
    rows, next_cursor = paginate(
        session,
        deliveries.deliveries_query(subscription_id=subscription_id, status=status),
        sort=WebhookDelivery.seq,  # type: ignore[arg-type]
        tiebreak=WebhookDelivery.id,  # type: ignore[arg-type]
        limit=limit or settings.default_page_size,
        cursor=cursor,
    )
    set_link_header(request, response, next_cursor)
    return Page[DeliveryPublic](
        items=[DeliveryPublic.model_validate(r) for r in rows], next_cursor=next_cursor
    )


@router.get(
    "/subscriptions/{subscription_id}/deliveries/{delivery_id}",
    response_model=DeliveryDetail,
    summary="One delivery with its body and every attempt (status code, latency, response excerpt, error)",
    tags=TAGS,
    responses=problem_responses(401, 403, 404, 422),
)
def get_webhook_delivery(
    subscription_id: uuid.UUID, delivery_id: uuid.UUID, session: SessionDep, principal: SignedInDep
) -> Any:
    _subscription(session, principal, subscription_id)
    delivery = deliveries.get_delivery(
        session=session, subscription_id=subscription_id, delivery_id=delivery_id
    )
    attempts = deliveries.attempts_of(session=session, delivery_id=delivery.id)
    return DeliveryDetail(
        **DeliveryPublic.model_validate(delivery).model_dump(),
        body=delivery.body,
        attempt_log=[AttemptPublic.model_validate(a) for a in attempts],
    )


@router.post(
    "/subscriptions/{subscription_id}/deliveries/{delivery_id}/redeliver",
    status_code=201,
    response_model=DeliveryPublic,
    summary="Send one delivery again (same webhook-id, queued behind pending ones)",
    tags=TAGS,
    responses=problem_responses(401, 403, 404, 422),
)
def redeliver_webhook_delivery(
    subscription_id: uuid.UUID,
    delivery_id: uuid.UUID,
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
    idempotency: IdempotencyDep,
) -> Any:
    _subscription(session, principal, subscription_id)
    original = deliveries.get_delivery(
        session=session, subscription_id=subscription_id, delivery_id=delivery_id
    )
    if (replay := idempotency.replay({"delivery_id": str(delivery_id)})) is not None:
        return replay
    copy = deliveries.redeliver(session=session, delivery=original)
    return idempotency.created(
        response,
        DeliveryPublic.model_validate(copy),
        location=f"/webhooks/subscriptions/{subscription_id}/deliveries/{copy.id}",
    )


@router.post(
    "/subscriptions/{subscription_id}/redeliveries",
    status_code=202,
    response_model=RedeliveryResult,
    summary="Send again every finished delivery created in a time range",
    tags=TAGS,
    responses=problem_responses(401, 403, 404, 422),
)
def redeliver_webhook_range(
    subscription_id: uuid.UUID, payload: RedeliveryRange, session: SessionDep, principal: PrincipalDep
) -> Any:
    subscription = _subscription(session, principal, subscription_id)
    copies = deliveries.redeliver_range(session=session, subscription=subscription, data=payload)
    return RedeliveryResult(queued=len(copies), delivery_ids=[c.id for c in copies])
