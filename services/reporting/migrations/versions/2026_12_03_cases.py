"""Read model of the case library: cases with their tags and, once published, their texts.

Revision ID: reporting_0008_cases
Revises: reporting_0007_courses
"""

import sqlalchemy as sa
from alembic import op

from shared.db import JSONType, UTCDateTime

revision = "reporting_0008_cases"
down_revision = "reporting_0007_courses"
branch_labels = None
depends_on = None

SCHEMA = "reporting"


def upgrade() -> None:
    op.create_table(
        "report_cases",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("district_id", sa.Uuid(), nullable=True),
        sa.Column("code", sa.String(64), nullable=False),
        sa.Column("side", sa.String(32), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("summary", sa.String(500), nullable=False),
        sa.Column("story", sa.Text(), nullable=False),
        sa.Column("lines", JSONType, nullable=False),
        sa.Column("questions", JSONType, nullable=False),
        sa.Column("guidance", JSONType, nullable=False),
        sa.Column("process_ids", JSONType, nullable=False),
        sa.Column("lab_meeting_ids", JSONType, nullable=False),
        sa.Column("published_at", UTCDateTime(), nullable=True),
        schema=SCHEMA,
    )
    op.create_index("ix_reporting_report_cases_district_id", "report_cases", ["district_id"], schema=SCHEMA)


def downgrade() -> None:
    op.drop_table("report_cases", schema=SCHEMA)
