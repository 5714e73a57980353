"""Read model of the collective manual: method cards counted from their events.

Revision ID: reporting_0009_method_cards
Revises: reporting_0008_cases
"""

import sqlalchemy as sa
from alembic import op

from shared.db import JSONType

revision = "reporting_0009_method_cards"
down_revision = "reporting_0008_cases"
branch_labels = None
depends_on = None

SCHEMA = "reporting"


def upgrade() -> None:
    op.create_table(
        "report_method_cards",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("code", sa.String(64), nullable=False),
        sa.Column("chapter_id", sa.Uuid(), nullable=True),
        sa.Column("method", sa.String(40), nullable=True),
        sa.Column("revisions", sa.Integer(), nullable=False),
        sa.Column("comment_ids", JSONType, nullable=False),
        sa.Column("pinned", JSONType, nullable=False),
        schema=SCHEMA,
    )


def downgrade() -> None:
    op.drop_table("report_method_cards", schema=SCHEMA)
