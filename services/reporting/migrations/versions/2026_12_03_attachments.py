"""Read model of attachments: the metadata of files attached to workshops, minutes and inventions.

Revision ID: reporting_0006_attachments
Revises: reporting_0005_evaluation_scales
"""

import sqlalchemy as sa
from alembic import op

from shared.db import UTCDateTime

revision = "reporting_0006_attachments"
down_revision = "reporting_0005_evaluation_scales"
branch_labels = None
depends_on = None

SCHEMA = "reporting"


def upgrade() -> None:
    op.create_table(
        "report_attachments",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("district_id", sa.Uuid(), nullable=True),
        sa.Column("process_id", sa.Uuid(), nullable=True),
        sa.Column("parent_kind", sa.String(40), nullable=False),
        sa.Column("parent_id", sa.Uuid(), nullable=True),
        sa.Column("workshop_id", sa.Uuid(), nullable=True),
        sa.Column("invention_id", sa.Uuid(), nullable=True),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("media_type", sa.String(100), nullable=False),
        sa.Column("size_bytes", sa.BigInteger(), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("licence", sa.String(64), nullable=True),
        sa.Column("personal", sa.Boolean(), nullable=False),
        sa.Column("removed", sa.Boolean(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=True),
        schema=SCHEMA,
    )
    op.create_index(
        "ix_reporting_report_attachments_workshop_id", "report_attachments", ["workshop_id"], schema=SCHEMA
    )
    op.create_index(
        "ix_reporting_report_attachments_invention_id", "report_attachments", ["invention_id"], schema=SCHEMA
    )


def downgrade() -> None:
    op.drop_table("report_attachments", schema=SCHEMA)
