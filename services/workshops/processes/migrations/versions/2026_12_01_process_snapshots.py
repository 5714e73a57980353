"""Process snapshots: the folded state every N events of a process stream, for fast as-of reads.

Revision ID: workshops_0004
Revises: workshops_0003
"""

import sqlalchemy as sa
from alembic import op

from shared.db import JSONType, UTCDateTime

revision = "workshops_0004"
down_revision = "workshops_0003"
branch_labels = None
depends_on = None

SCHEMA = "workshops"


def upgrade() -> None:
    op.create_table(
        "process_snapshots",
        sa.Column("process_id", sa.Uuid(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("fold_format", sa.Integer(), nullable=False),
        sa.Column("recorded_at", UTCDateTime(), nullable=False),
        sa.Column("state", JSONType, nullable=False),
        sa.PrimaryKeyConstraint("process_id", "version", "fold_format", name="pk_process_snapshots"),
        schema=SCHEMA,
    )


def downgrade() -> None:
    op.drop_table("process_snapshots", schema=SCHEMA)
