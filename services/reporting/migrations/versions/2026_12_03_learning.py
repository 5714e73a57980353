"""Read models of supervisions (counts) and regional labs (meetings, groups, participants by category).

Revision ID: reporting_0010_learning
Revises: reporting_0009_method_cards
"""

import sqlalchemy as sa
from alembic import op

from shared.db import JSONType

revision = "reporting_0010_learning"
down_revision = "reporting_0009_method_cards"
branch_labels = None
depends_on = None

SCHEMA = "reporting"


def upgrade() -> None:
    op.create_table(
        "report_supervisions",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("held_on", sa.Date(), nullable=True),
        sa.Column("edition_id", sa.Uuid(), nullable=True),
        schema=SCHEMA,
    )
    op.create_table(
        "report_supervision_cases",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("supervision_id", sa.Uuid(), nullable=True),
        sa.Column("district_id", sa.Uuid(), nullable=True),
        sa.Column("edition_id", sa.Uuid(), nullable=True),
        sa.Column("notes", sa.Integer(), nullable=False),
        schema=SCHEMA,
    )
    op.create_index(
        "ix_reporting_report_supervision_cases_supervision_id",
        "report_supervision_cases",
        ["supervision_id"],
        schema=SCHEMA,
    )
    op.create_table(
        "report_lab_meetings",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("edition_id", sa.Uuid(), nullable=True),
        sa.Column("held_on", sa.Date(), nullable=True),
        sa.Column("topic", sa.String(200), nullable=False),
        sa.Column("lab_group_ids", JSONType, nullable=False),
        sa.Column("participants", JSONType, nullable=False),
        schema=SCHEMA,
    )
    op.create_index(
        "ix_reporting_report_lab_meetings_edition_id", "report_lab_meetings", ["edition_id"], schema=SCHEMA
    )
    op.create_table(
        "report_lab_groups",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("edition_id", sa.Uuid(), nullable=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("members", JSONType, nullable=False),
        schema=SCHEMA,
    )
    op.create_index(
        "ix_reporting_report_lab_groups_edition_id", "report_lab_groups", ["edition_id"], schema=SCHEMA
    )


def downgrade() -> None:
    for table in (
        "report_lab_groups",
        "report_lab_meetings",
        "report_supervision_cases",
        "report_supervisions",
    ):
        op.drop_table(table, schema=SCHEMA)
