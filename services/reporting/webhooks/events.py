"""Events webhooks emit about subscriptions (stream type ``webhook_subscription``) and the ping type.

Subscription events are never delivered to webhooks themselves: they describe integrations' configuration,
which other integrations have no business seeing. Payloads carry no secret and no URL.
"""

from __future__ import annotations

from pydantic import BaseModel

STREAM_TYPE = "webhook_subscription"

SUBSCRIPTION_CREATED = "webhook_subscription.created"
SUBSCRIPTION_UPDATED = "webhook_subscription.updated"
SUBSCRIPTION_SECRET_ROTATED = "webhook_subscription.secret_rotated"
SUBSCRIPTION_DISABLED = "webhook_subscription.disabled"
SUBSCRIPTION_DELETED = "webhook_subscription.deleted"

# Sent only by POST /webhooks/subscriptions/{id}/ping; never written to the event log.
PING = "webhook.ping"

# Event-log stream types that are never fanned out to subscribers: their own subscriptions, API keys
# (the registry's ``api_key`` stream: who holds which key is the administrators' business) and supervisions
# (the registry's ``supervision`` stream: who brought which case to supervision is the participants' business;
# reports show counts only).
PRIVATE_STREAM_TYPES = frozenset({STREAM_TYPE, "api_key", "supervision"})


class SubscriptionCreatedPayload(BaseModel):
    """A subscription was created."""

    subscription_id: str
    owner_id: str
    event_types: list[str]
    district_id: str | None


class SubscriptionUpdatedPayload(BaseModel):
    """Some fields of a subscription changed (names only)."""

    subscription_id: str
    changed_fields: list[str]


class SubscriptionSecretRotatedPayload(BaseModel):
    """A new secret was issued; the old one still signs until ``previous_expires_at``."""

    subscription_id: str
    previous_expires_at: str | None


class SubscriptionDisabledPayload(BaseModel):
    """The dispatcher disabled a subscription that kept failing."""

    subscription_id: str
    reason: str
    failing_since: str | None


class SubscriptionDeletedPayload(BaseModel):
    """A subscription was deleted with its delivery log."""

    subscription_id: str


class PingPayload(BaseModel):
    """The ``data`` of a ``webhook.ping`` delivery: which subscription, and a fresh id per ping."""

    subscription_id: str
    ping_id: str
