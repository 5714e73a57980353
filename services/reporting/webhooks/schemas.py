"""Request and response bodies of webhook subscriptions and the delivery log."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any, ClassVar

from pydantic import ConfigDict, Field, StringConstraints

from shared.api.schemas import ApiModel, OptionalText, PatchModel, PublicModel, Url

# `*`, `priority.*` or an exact type such as `priority.validated`.
EventTypePattern = Annotated[
    str,
    StringConstraints(min_length=1, max_length=128, pattern=r"^(\*|[a-z][a-z0-9_]*\.(\*|[a-z][a-z0-9_]*))$"),
]
Description = Annotated[str, StringConstraints(max_length=500)]

_SUBSCRIPTION_EXAMPLE: dict[str, Any] = {
    "url": "https://monitoring.regione.example/hooks/communitylab",
    "event_types": ["priority.*", "workshop.scheduled", "invention.created"],
    "district_id": None,
    "description": "Regional planning monitoring",
    "enabled": True,
}


class SubscriptionCreate(ApiModel):
    """A new subscription: where to send which events."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [_SUBSCRIPTION_EXAMPLE]})

    url: Url = Field(description="https URL (http only to loopback in development).")
    event_types: list[EventTypePattern] = Field(
        min_length=1, max_length=50, description="Event types; `priority.*` and `*` are wildcards."
    )
    district_id: uuid.UUID | None = Field(
        default=None, description="Only events of this district; null for every district."
    )
    description: Description = ""
    enabled: bool = True


class SubscriptionUpdate(PatchModel):
    """Fields to change; absent fields stay as they are. Enabling clears the disabled reason."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"event_types": ["priority.validated"], "enabled": True, "description": "Only validated"}
            ]
        },
    )
    nullable_fields: ClassVar[frozenset[str]] = frozenset({"district_id"})

    url: Url | None = None
    event_types: list[EventTypePattern] | None = Field(default=None, min_length=1, max_length=50)
    district_id: uuid.UUID | None = None
    description: Description | None = None
    enabled: bool | None = None


class SecretRotation(ApiModel):
    """Issue a new secret; the old one keeps signing for ``overlap_seconds``."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"overlap_seconds": 86400}]})

    overlap_seconds: int = Field(
        default=86400, ge=0, le=7 * 86400, description="How long deliveries carry both signatures."
    )


class RedeliveryRange(ApiModel):
    """Send again every delivery created in a time range (at most ``limit`` of them)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "created_from": "2026-11-20T00:00:00Z",
                    "created_to": "2026-11-21T00:00:00Z",
                    "only_failed": True,
                    "limit": 500,
                }
            ]
        },
    )

    created_from: datetime
    created_to: datetime
    only_failed: bool = Field(default=False, description="Only deliveries that were given up.")
    limit: int = Field(default=500, ge=1, le=1000)


class SubscriptionPublic(PublicModel):
    """A subscription as its owner sees it (the secret is never shown again after creation)."""

    id: uuid.UUID
    owner_id: str
    url: str
    event_types: list[str]
    district_id: uuid.UUID | None
    description: str
    enabled: bool
    disabled_reason: str | None
    disabled_at: datetime | None
    failing_since: datetime | None
    previous_secret_expires_at: datetime | None
    version: int
    created_at: datetime
    updated_at: datetime


class SubscriptionCreated(SubscriptionPublic):
    """The created subscription with its signing secret, shown this once."""

    secret: str = Field(description="`whsec_<base64>`; store it now, it is not shown again.")


class SecretRotated(PublicModel):
    """The new secret, shown once, and until when the previous one still signs."""

    subscription_id: uuid.UUID
    secret: str
    previous_secret_expires_at: datetime | None


class AttemptPublic(PublicModel):
    """One HTTP attempt of a delivery."""

    attempt_no: int
    started_at: datetime
    latency_ms: int
    status_code: int | None
    response_excerpt: str | None
    error: str | None


class DeliveryPublic(PublicModel):
    """One message to a subscription and where it stands."""

    id: uuid.UUID
    subscription_id: uuid.UUID
    seq: int
    message_id: str
    event_type: str
    event_id: uuid.UUID | None
    position: int | None
    status: str
    attempts: int
    next_attempt_at: datetime
    last_attempt_at: datetime | None
    completed_at: datetime | None
    last_status_code: int | None
    last_error: str | None
    redelivery_of: uuid.UUID | None
    created_at: datetime


class DeliveryDetail(DeliveryPublic):
    """A delivery with its body and every attempt."""

    body: dict[str, Any]
    attempt_log: list[AttemptPublic]


class RedeliveryResult(PublicModel):
    """The deliveries queued again."""

    queued: int
    delivery_ids: list[uuid.UUID]


__all__ = [
    "AttemptPublic",
    "DeliveryDetail",
    "DeliveryPublic",
    "OptionalText",
    "RedeliveryRange",
    "RedeliveryResult",
    "SecretRotated",
    "SecretRotation",
    "SubscriptionCreate",
    "SubscriptionCreated",
    "SubscriptionPublic",
    "SubscriptionUpdate",
]
