"""Imports of past work: imported_bundles and imported_rows (the record each bundle row became).

Revision ID: workshops_imports_0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

from shared.db import JSONType, UTCDateTime
from shared.migrations.helpers import create_schema

revision = "workshops_imports_0001"
down_revision = None
branch_labels = None
depends_on = None

SCHEMA = "workshops"


def upgrade() -> None:
    create_schema(SCHEMA)
    op.create_table(
        "imported_bundles",
        sa.Column("bundle_id", sa.String(200), primary_key=True),
        sa.Column("digest", sa.String(64), nullable=False),
        sa.Column("source", sa.String(200), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("counts", JSONType, nullable=False),
        sa.Column("imported_by", sa.String(200), nullable=True),
        sa.Column("imported_at", UTCDateTime(), nullable=False),
        schema=SCHEMA,
    )
    op.create_table(
        "imported_rows",
        sa.Column("bundle_id", sa.String(200), primary_key=True),
        sa.Column("kind", sa.String(40), primary_key=True),
        sa.Column("row_id", sa.String(100), primary_key=True),
        sa.Column("record_id", sa.Uuid(), nullable=False),
        schema=SCHEMA,
    )
    op.create_index("ix_workshops_imported_rows_record", "imported_rows", ["record_id"], schema=SCHEMA)


def downgrade() -> None:
    op.drop_table("imported_rows", schema=SCHEMA)
    op.drop_table("imported_bundles", schema=SCHEMA)
