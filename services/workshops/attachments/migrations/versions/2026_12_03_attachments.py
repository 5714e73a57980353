"""Attachments: one row per file attached to a workshop, restitution event, minutes or invention.

Revision ID: workshops_attachments_0002
Revises: workshops_attachments_0001
"""

import sqlalchemy as sa
from alembic import op

from shared.db import UTCDateTime

revision = "workshops_attachments_0002"
down_revision = "workshops_attachments_0001"
branch_labels = None
depends_on = None

SCHEMA = "workshops"


def upgrade() -> None:
    op.create_table(
        "attachments",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("district_id", sa.Uuid(), nullable=False),
        sa.Column("process_id", sa.Uuid(), nullable=True),
        sa.Column("parent_kind", sa.String(40), nullable=False),
        sa.Column("parent_id", sa.Uuid(), nullable=False),
        sa.Column("workshop_id", sa.Uuid(), nullable=True),
        sa.Column("invention_id", sa.Uuid(), nullable=True),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("filename", sa.String(255), nullable=True),
        sa.Column("media_type", sa.String(100), nullable=False),
        sa.Column("size_bytes", sa.BigInteger(), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("licence", sa.String(64), nullable=True),
        sa.Column("personal", sa.Boolean(), nullable=False),
        sa.Column("storage", sa.String(16), nullable=False),
        sa.Column("storage_key", sa.String(300), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("removed_at", UTCDateTime(), nullable=True),
        schema=SCHEMA,
    )
    op.create_index(
        "ix_workshops_attachments_parent",
        "attachments",
        ["parent_kind", "parent_id", "created_at"],
        schema=SCHEMA,
    )
    op.create_index("ix_workshops_attachments_district_id", "attachments", ["district_id"], schema=SCHEMA)
    op.create_index("ix_workshops_attachments_workshop_id", "attachments", ["workshop_id"], schema=SCHEMA)
    op.create_index("ix_workshops_attachments_invention_id", "attachments", ["invention_id"], schema=SCHEMA)


def downgrade() -> None:
    op.drop_table("attachments", schema=SCHEMA)
