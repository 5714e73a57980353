"""Webhook subscriptions, deliveries, attempts and the fan-out checkpoint.

Revision ID: webhooks_0002
Revises: webhooks_0001
"""

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

from shared.db import JSONType, UTCDateTime

revision = "webhooks_0002"
down_revision = "webhooks_0001"
branch_labels = None
depends_on = None

SCHEMA = "reporting"


def upgrade() -> None:
    op.create_table(
        "webhook_subscriptions",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("owner_id", sa.String(64), nullable=False),
        sa.Column("url", sa.String(2000), nullable=False),
        sa.Column("event_types", JSONType, nullable=False),
        sa.Column("district_id", sa.Uuid(), nullable=True),
        sa.Column("description", sa.String(500), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("disabled_reason", sa.String(1000), nullable=True),
        sa.Column("disabled_at", UTCDateTime(), nullable=True),
        sa.Column("failing_since", UTCDateTime(), nullable=True),
        sa.Column("secret", sa.String(200), nullable=False),
        sa.Column("previous_secret", sa.String(200), nullable=True),
        sa.Column("previous_secret_expires_at", UTCDateTime(), nullable=True),
        sa.Column("starts_after_position", sa.BigInteger(), nullable=False),
        sa.Column("last_seq", sa.BigInteger(), nullable=False),
        sa.Column("lease_owner", sa.String(100), nullable=True),
        sa.Column("lease_until", UTCDateTime(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        schema=SCHEMA,
    )
    op.create_index("ix_webhook_subscriptions_owner", "webhook_subscriptions", ["owner_id"], schema=SCHEMA)
    op.create_table(
        "webhook_deliveries",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column(
            "subscription_id",
            sa.Uuid(),
            sa.ForeignKey(f"{SCHEMA}.webhook_subscriptions.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("message_id", sa.String(100), nullable=False),
        sa.Column("event_type", sa.String(128), nullable=False),
        sa.Column("event_id", sa.Uuid(), nullable=True),
        sa.Column("position", sa.BigInteger(), nullable=True),
        sa.Column("body", JSONType, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", UTCDateTime(), nullable=False),
        sa.Column("last_attempt_at", UTCDateTime(), nullable=True),
        sa.Column("completed_at", UTCDateTime(), nullable=True),
        sa.Column("last_status_code", sa.Integer(), nullable=True),
        sa.Column("last_error", sa.String(1000), nullable=True),
        sa.Column("redelivery_of", sa.Uuid(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        schema=SCHEMA,
    )
    op.create_index(
        "ix_webhook_deliveries_sub_status_seq",
        "webhook_deliveries",
        ["subscription_id", "status", "seq"],
        schema=SCHEMA,
    )
    op.create_index(
        "ix_webhook_deliveries_status_next",
        "webhook_deliveries",
        ["status", "next_attempt_at"],
        schema=SCHEMA,
    )
    op.create_table(
        "webhook_attempts",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column(
            "delivery_id",
            sa.Uuid(),
            sa.ForeignKey(f"{SCHEMA}.webhook_deliveries.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("subscription_id", sa.Uuid(), nullable=False),
        sa.Column("attempt_no", sa.Integer(), nullable=False),
        sa.Column("started_at", UTCDateTime(), nullable=False),
        sa.Column("latency_ms", sa.Integer(), nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=True),
        sa.Column("response_excerpt", sa.String(500), nullable=True),
        sa.Column("error", sa.String(1000), nullable=True),
        sa.Column("worker_id", sa.String(100), nullable=False),
        schema=SCHEMA,
    )
    op.create_index(
        "ix_webhook_attempts_delivery", "webhook_attempts", ["delivery_id", "attempt_no"], schema=SCHEMA
    )
    op.create_table(
        "webhook_checkpoints",
        sa.Column("name", sa.String(64), primary_key=True),
        sa.Column("position", sa.BigInteger(), nullable=False),
        sa.Column("lease_owner", sa.String(100), nullable=True),
        sa.Column("lease_until", UTCDateTime(), nullable=True),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        schema=SCHEMA,
    )
    checkpoints = sa.table(
        "webhook_checkpoints",
        sa.column("name", sa.String),
        sa.column("position", sa.BigInteger),
        sa.column("updated_at", UTCDateTime()),
        # A lightweight table is not translated by schema_translate_map: SQLite has no schemas.
        schema=None if op.get_bind().dialect.name == "sqlite" else SCHEMA,
    )
    # One row that workers lease and move; created here so no two workers race to insert it.
    op.get_bind().execute(
        sa.insert(checkpoints).values(name="webhooks_fanout", position=0, updated_at=datetime.now(UTC))
    )


def downgrade() -> None:
    op.drop_table("webhook_checkpoints", schema=SCHEMA)
    op.drop_table("webhook_attempts", schema=SCHEMA)
    op.drop_table("webhook_deliveries", schema=SCHEMA)
    op.drop_table("webhook_subscriptions", schema=SCHEMA)
