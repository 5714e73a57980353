"""Tables of webhooks: subscriptions, deliveries (one per event and subscription), attempts, the fan-out checkpoint."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from shared.db import JSONType, UTCDateTime, utcnow

SCHEMA = "reporting"
FANOUT_CONSUMER = "webhooks_fanout"


class DeliveryStatus(StrEnum):
    """Where a delivery stands: waiting to be sent (or retried), delivered, or given up."""

    PENDING = "pending"
    SUCCEEDED = "succeeded"
    FAILED = "failed"


class WebhookSubscription(SQLModel, table=True):
    """An integration's wish to receive some events at a URL, signed with its secret."""

    __tablename__ = "webhook_subscriptions"
    __table_args__ = (sa.Index("ix_webhook_subscriptions_owner", "owner_id"), {"schema": SCHEMA})

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    owner_id: str = Field(max_length=64)
    url: str = Field(max_length=2000)
    event_types: list[str] = Field(default_factory=list, sa_type=JSONType)
    district_id: uuid.UUID | None = Field(default=None)
    description: str = Field(default="", max_length=500)
    enabled: bool = Field(default=True)
    disabled_reason: str | None = Field(default=None, max_length=1000)
    disabled_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    failing_since: datetime | None = Field(default=None, sa_type=UTCDateTime)
    secret: str = Field(max_length=200)
    previous_secret: str | None = Field(default=None, max_length=200)
    previous_secret_expires_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # Events at or before this position predate the subscription and are never sent to it.
    starts_after_position: int = Field(default=0, sa_type=sa.BigInteger)
    # Per-subscription sequence that orders its deliveries (events, pings and redeliveries alike).
    last_seq: int = Field(default=0, sa_type=sa.BigInteger)
    lease_owner: str | None = Field(default=None, max_length=100)
    lease_until: datetime | None = Field(default=None, sa_type=UTCDateTime)
    version: int = Field(default=1)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class WebhookDelivery(SQLModel, table=True):
    """One message to one subscription; sent in ``seq`` order, retried until it succeeds or is given up."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (
        sa.Index("ix_webhook_deliveries_sub_status_seq", "subscription_id", "status", "seq"),
        sa.Index("ix_webhook_deliveries_status_next", "status", "next_attempt_at"),
        {"schema": SCHEMA},
    )

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    subscription_id: uuid.UUID = Field(foreign_key=f"{SCHEMA}.webhook_subscriptions.id", ondelete="CASCADE")
    seq: int = Field(sa_type=sa.BigInteger)
    # The Standard Webhooks ``webhook-id``: kept by redeliveries so receivers can deduplicate.
    message_id: str = Field(max_length=100)
    event_type: str = Field(max_length=128)
    event_id: uuid.UUID | None = Field(default=None)
    position: int | None = Field(default=None, sa_type=sa.BigInteger)
    body: dict[str, Any] = Field(default_factory=dict, sa_type=JSONType)
    status: str = Field(default=DeliveryStatus.PENDING, max_length=16)
    attempts: int = Field(default=0)
    next_attempt_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    last_attempt_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    completed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    last_status_code: int | None = Field(default=None)
    last_error: str | None = Field(default=None, max_length=1000)
    redelivery_of: uuid.UUID | None = Field(default=None)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class WebhookAttempt(SQLModel, table=True):
    """One HTTP attempt of a delivery, as the delivery log shows it."""

    __tablename__ = "webhook_attempts"
    __table_args__ = (
        sa.Index("ix_webhook_attempts_delivery", "delivery_id", "attempt_no"),
        {"schema": SCHEMA},
    )

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    delivery_id: uuid.UUID = Field(foreign_key=f"{SCHEMA}.webhook_deliveries.id", ondelete="CASCADE")
    subscription_id: uuid.UUID
    attempt_no: int
    started_at: datetime = Field(sa_type=UTCDateTime)
    latency_ms: int
    status_code: int | None = Field(default=None)
    response_excerpt: str | None = Field(default=None, max_length=500)
    error: str | None = Field(default=None, max_length=1000)
    worker_id: str = Field(max_length=100)


class WebhookCheckpoint(SQLModel, table=True):
    """How far the fan-out consumer has read the event log, and which worker holds it."""

    __tablename__ = "webhook_checkpoints"
    __table_args__ = {"schema": SCHEMA}

    name: str = Field(primary_key=True, max_length=64)
    position: int = Field(default=0, sa_type=sa.BigInteger)
    lease_owner: str | None = Field(default=None, max_length=100)
    lease_until: datetime | None = Field(default=None, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
