"""Rules of webhook subscriptions: target URLs, event matching, create/change/delete and secret rotation.

Everything here flushes and never commits: routes commit through the session dependency.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any, Protocol

from sqlmodel import Session, select

from services.reporting.webhooks import events as ev
from services.reporting.webhooks.models import WebhookAttempt, WebhookDelivery, WebhookSubscription
from services.reporting.webhooks.schemas import SubscriptionCreate, SubscriptionUpdate
from services.reporting.webhooks.signing import new_secret
from shared.db import utcnow
from shared.errors import FieldError, NotFoundError, ValidationFailed
from shared.eventlog import NewEvent, RecordedEvent, append_to, last_position
from shared.net import system_resolver, target_url_problem


def validate_target_url(url: str, *, allow_http_loopback: bool, path: str = "body.url") -> None:
    """https to public hosts only; loopback (http too) only when the development setting allows it."""
    problem = target_url_problem(url, allow_http_loopback=allow_http_loopback, resolver=system_resolver)
    if problem:
        raise ValidationFailed("invalid webhook target", errors=[FieldError(path=path, message=problem)])


def event_type_matches(patterns: Sequence[str], event_type: str) -> bool:
    """True when ``event_type`` matches one of ``patterns`` (``*``, ``aggregate.*`` or exact)."""
    for pattern in patterns:
        if pattern == "*" or pattern == event_type:
            return True
        if pattern.endswith(".*") and event_type.startswith(pattern[:-1]):
            return True
    return False


def subscription_matches(subscription: WebhookSubscription, event: RecordedEvent) -> bool:
    """Whether an event of the log goes to this subscription (type, district, not older than it)."""
    if event.stream_type in ev.PRIVATE_STREAM_TYPES or event.position <= subscription.starts_after_position:
        return False
    if not event_type_matches(subscription.event_types, event.type):
        return False
    if subscription.district_id is None:
        return True
    wanted = str(subscription.district_id)
    if event.district_id == wanted:
        return True
    # Editions span several districts and say so in their payload.
    district_ids = event.payload.get("district_ids")
    return isinstance(district_ids, list) and wanted in {str(d) for d in district_ids}


def append_event(session: Session, subscription: WebhookSubscription, new: NewEvent) -> None:
    """Append an event to the subscription's stream and bump its version."""
    append_to(
        session,
        row=subscription,
        stream_type=ev.STREAM_TYPE,
        new_events=[new],
        expected_version=subscription.version,
        district_id=subscription.district_id,
    )


def create_subscription(
    *, session: Session, owner_id: str, data: SubscriptionCreate, allow_http_loopback: bool
) -> WebhookSubscription:
    """Create a subscription with a fresh secret; only events after this moment are sent to it."""
    validate_target_url(data.url, allow_http_loopback=allow_http_loopback)
    subscription = WebhookSubscription(
        owner_id=owner_id,
        url=data.url,
        event_types=list(dict.fromkeys(data.event_types)),
        district_id=data.district_id,
        description=data.description,
        enabled=data.enabled,
        secret=new_secret(),
        starts_after_position=last_position(session),
        version=0,
    )
    session.add(subscription)
    session.flush()
    append_event(
        session,
        subscription,
        NewEvent(
            ev.SUBSCRIPTION_CREATED,
            ev.SubscriptionCreatedPayload(
                subscription_id=str(subscription.id),
                owner_id=owner_id,
                event_types=subscription.event_types,
                district_id=str(data.district_id) if data.district_id else None,
            ).model_dump(mode="json"),
        ),
    )
    session.flush()
    return subscription


def get_subscription(
    *, session: Session, subscription_id: uuid.UUID, owner_id: str | None
) -> WebhookSubscription:
    """The subscription, if it exists and ``owner_id`` (None = any owner) owns it; 404 otherwise."""
    subscription = session.get(WebhookSubscription, subscription_id)
    if subscription is None or (owner_id is not None and subscription.owner_id != owner_id):
        raise NotFoundError(f"webhook subscription {subscription_id} does not exist")
    return subscription


def subscriptions_query(*, owner_id: str | None, enabled: bool | None = None) -> Any:
    """The select statement of the subscriptions an owner (None = admin) may list."""
    statement = select(WebhookSubscription)
    if owner_id is not None:
        statement = statement.where(WebhookSubscription.owner_id == owner_id)
    if enabled is not None:
        statement = statement.where(WebhookSubscription.enabled == enabled)
    return statement


def update_subscription(
    *,
    session: Session,
    subscription: WebhookSubscription,
    data: SubscriptionUpdate,
    allow_http_loopback: bool,
) -> WebhookSubscription:
    """Apply the given fields; enabling a disabled subscription clears its failure record."""
    changes = data.model_dump(exclude_unset=True)
    if "url" in changes:
        validate_target_url(changes["url"], allow_http_loopback=allow_http_loopback)
    if "event_types" in changes:
        changes["event_types"] = list(dict.fromkeys(changes["event_types"]))
    changed = [name for name, value in changes.items() if getattr(subscription, name) != value]
    if not changed:
        return subscription
    for name in changed:
        setattr(subscription, name, changes[name])
    if "enabled" in changed and subscription.enabled:
        subscription.disabled_reason = None
        subscription.disabled_at = None
        subscription.failing_since = None
    elif "enabled" in changed:
        subscription.disabled_reason = "disabled by its owner"
        subscription.disabled_at = utcnow()
    subscription.updated_at = utcnow()
    append_event(
        session,
        subscription,
        NewEvent(
            ev.SUBSCRIPTION_UPDATED,
            ev.SubscriptionUpdatedPayload(
                subscription_id=str(subscription.id), changed_fields=sorted(changed)
            ).model_dump(mode="json"),
        ),
    )
    session.add(subscription)
    session.flush()
    return subscription


def delete_subscription(*, session: Session, subscription: WebhookSubscription) -> None:
    """Delete a subscription with its deliveries and attempts."""
    append_event(
        session,
        subscription,
        NewEvent(
            ev.SUBSCRIPTION_DELETED,
            ev.SubscriptionDeletedPayload(subscription_id=str(subscription.id)).model_dump(mode="json"),
        ),
    )
    conn = session.connection()
    delivery_ids = select(WebhookDelivery.id).where(WebhookDelivery.subscription_id == subscription.id)
    conn.execute(
        WebhookAttempt.__table__.delete().where(WebhookAttempt.__table__.c.delivery_id.in_(delivery_ids))  # type: ignore[attr-defined]
    )
    conn.execute(
        WebhookDelivery.__table__.delete().where(  # type: ignore[attr-defined]
            WebhookDelivery.__table__.c.subscription_id == subscription.id  # type: ignore[attr-defined]
        )
    )
    session.delete(subscription)
    session.flush()


def rotate_secret(
    *, session: Session, subscription: WebhookSubscription, overlap_seconds: int
) -> tuple[WebhookSubscription, str]:
    """Issue a new secret; the current one keeps signing (as a second signature) during the overlap."""
    now = utcnow()
    secret = new_secret()
    if overlap_seconds > 0:
        subscription.previous_secret = subscription.secret
        subscription.previous_secret_expires_at = now + timedelta(seconds=overlap_seconds)
    else:
        subscription.previous_secret = None
        subscription.previous_secret_expires_at = None
    subscription.secret = secret
    subscription.updated_at = now
    expires = subscription.previous_secret_expires_at
    append_event(
        session,
        subscription,
        NewEvent(
            ev.SUBSCRIPTION_SECRET_ROTATED,
            ev.SubscriptionSecretRotatedPayload(
                subscription_id=str(subscription.id),
                previous_expires_at=expires.isoformat() if expires else None,
            ).model_dump(mode="json"),
        ),
    )
    session.add(subscription)
    session.flush()
    return subscription, secret


class _SecretFields(Protocol):
    """A subscription's secret columns: the ORM object or a Core row read with them."""

    @property
    def secret(self) -> str: ...
    @property
    def previous_secret(self) -> str | None: ...
    @property
    def previous_secret_expires_at(self) -> datetime | None: ...


def signing_secrets(subscription: _SecretFields, now: datetime) -> list[str]:
    """The secrets that sign a delivery now: the current one, plus the previous one during an overlap."""
    secrets_in_use = [subscription.secret]
    if (
        subscription.previous_secret
        and subscription.previous_secret_expires_at
        and subscription.previous_secret_expires_at > now
    ):
        secrets_in_use.append(subscription.previous_secret)
    return secrets_in_use
