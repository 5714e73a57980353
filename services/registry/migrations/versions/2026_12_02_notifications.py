"""Follows, notifications, their e-mails, e-mail preferences, the worker's checkpoint and facts.

Revision ID: registry_0004_notifications
Revises: registry_0003_identities
"""

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

from shared.db import JSONType, UTCDateTime

revision = "registry_0004_notifications"
down_revision = "registry_0003_identities"
branch_labels = None
depends_on = None

SCHEMA = "registry"

TABLES = (
    "notification_phase_facts",
    "notification_process_facts",
    "notification_proposal_facts",
    "notification_checkpoints",
    "notification_preferences",
    "notifications",
    "notification_mails",
    "follows",
)


def upgrade() -> None:
    op.create_table(
        "follows",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("person_id", sa.Uuid(), sa.ForeignKey("registry.people.id"), nullable=False),
        sa.Column("target_type", sa.String(16), nullable=False),
        sa.Column("target_id", sa.Uuid(), nullable=False),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.UniqueConstraint("person_id", "target_type", "target_id", name="uq_follows_person_target"),
        schema=SCHEMA,
    )
    op.create_index("ix_follows_target", "follows", ["target_type", "target_id"], schema=SCHEMA)
    op.create_table(
        "notification_mails",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("person_id", sa.Uuid(), sa.ForeignKey("registry.people.id"), nullable=False),
        sa.Column("digest", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", UTCDateTime(), nullable=False),
        sa.Column("lease_owner", sa.String(100), nullable=True),
        sa.Column("lease_until", UTCDateTime(), nullable=True),
        sa.Column("last_error", sa.String(1000), nullable=True),
        sa.Column("sent_at", UTCDateTime(), nullable=True),
        sa.Column("sent_by", sa.String(100), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        schema=SCHEMA,
    )
    op.create_index(
        "ix_notification_mails_status_next",
        "notification_mails",
        ["status", "next_attempt_at"],
        schema=SCHEMA,
    )
    op.create_table(
        "notifications",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("person_id", sa.Uuid(), sa.ForeignKey("registry.people.id"), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("event_id", sa.Uuid(), nullable=False),
        sa.Column("position", sa.BigInteger(), nullable=False),
        sa.Column("process_id", sa.Uuid(), nullable=True),
        sa.Column("proposal_id", sa.Uuid(), nullable=True),
        sa.Column("phase_id", sa.Uuid(), nullable=True),
        sa.Column("data", JSONType, nullable=False),
        sa.Column("read_at", UTCDateTime(), nullable=True),
        sa.Column("email_state", sa.String(16), nullable=False),
        sa.Column("email_skip_reason", sa.String(64), nullable=True),
        sa.Column("mail_id", sa.Uuid(), nullable=True),
        sa.Column("emailed_at", UTCDateTime(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.UniqueConstraint("person_id", "event_id", "kind", name="uq_notifications_person_event"),
        schema=SCHEMA,
    )
    op.create_index(
        "ix_notifications_person_created", "notifications", ["person_id", "created_at", "id"], schema=SCHEMA
    )
    op.create_index(
        "ix_notifications_email_state", "notifications", ["email_state", "created_at"], schema=SCHEMA
    )
    op.create_index("ix_notifications_mail", "notifications", ["mail_id"], schema=SCHEMA)
    op.create_table(
        "notification_preferences",
        sa.Column("person_id", sa.Uuid(), sa.ForeignKey("registry.people.id"), primary_key=True),
        sa.Column("email_frequency", sa.String(16), nullable=False),
        sa.Column("unsubscribed_at", UTCDateTime(), nullable=True),
        sa.Column("last_digest_on", sa.Date(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        schema=SCHEMA,
    )
    op.create_table(
        "notification_checkpoints",
        sa.Column("name", sa.String(64), primary_key=True),
        sa.Column("position", sa.BigInteger(), nullable=False),
        sa.Column("lease_owner", sa.String(100), nullable=True),
        sa.Column("lease_until", UTCDateTime(), nullable=True),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        schema=SCHEMA,
    )
    op.create_table(
        "notification_proposal_facts",
        sa.Column("proposal_id", sa.Uuid(), primary_key=True),
        sa.Column("process_id", sa.Uuid(), nullable=True),
        sa.Column("district_id", sa.String(64), nullable=True),
        sa.Column("author_id", sa.Uuid(), nullable=True),
        sa.Column("title", sa.String(500), nullable=False),
        schema=SCHEMA,
    )
    op.create_table(
        "notification_process_facts",
        sa.Column("process_id", sa.Uuid(), primary_key=True),
        sa.Column("title", sa.String(500), nullable=False),
        schema=SCHEMA,
    )
    op.create_table(
        "notification_phase_facts",
        sa.Column("phase_id", sa.Uuid(), primary_key=True),
        sa.Column("process_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(500), nullable=False),
        sa.Column("starts_on", sa.String(32), nullable=True),
        sa.Column("ends_on", sa.String(32), nullable=True),
        sa.Column("is_current", sa.Boolean(), nullable=False),
        sa.Column("open_to_proposals", sa.Boolean(), nullable=False),
        sa.Column("announced", sa.Boolean(), nullable=False),
        schema=SCHEMA,
    )
    checkpoints = sa.table(
        "notification_checkpoints",
        sa.column("name", sa.String),
        sa.column("position", sa.BigInteger),
        sa.column("updated_at", UTCDateTime()),
        # A lightweight table is not translated by schema_translate_map: SQLite has no schemas.
        schema=None if op.get_bind().dialect.name == "sqlite" else SCHEMA,
    )
    # One row that workers lease and move; created here so no two workers race to insert it.
    op.get_bind().execute(
        sa.insert(checkpoints).values(name="notifications", position=0, updated_at=datetime.now(UTC))
    )


def downgrade() -> None:
    for table in TABLES:
        op.drop_table(table, schema=SCHEMA)
