"""Signed checkpoints of the event log (position, head hash, Merkle root, time, key id, Ed25519 signature).

Revision ID: eventlog_0003
Revises: eventlog_0002
"""

import sqlalchemy as sa
from alembic import op

from shared.db import UTCDateTime

revision = "eventlog_0003"
down_revision = "eventlog_0002"
branch_labels = None
depends_on = None

POSITION = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "log_checkpoints",
        sa.Column("id", POSITION, primary_key=True, autoincrement=True),
        sa.Column("position", POSITION, nullable=False),
        sa.Column("head_hash", sa.String(64), nullable=False),
        sa.Column("root_hash", sa.String(64), nullable=False),
        sa.Column("signed_at", UTCDateTime, nullable=False),
        sa.Column("key_id", sa.String(64), nullable=False),
        sa.Column("signature", sa.String(128), nullable=False),
        sa.UniqueConstraint("position", "key_id", name="uq_log_checkpoints_position_key"),
        schema="eventlog",
    )


def downgrade() -> None:
    op.drop_table("log_checkpoints", schema="eventlog")
