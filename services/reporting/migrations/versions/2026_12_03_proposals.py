"""Read models of citizens' proposals: proposals (no authors), official answers, each process's answer states.

Revision ID: reporting_0004_proposals
Revises: reporting_0003_architecture
"""

import sqlalchemy as sa
from alembic import op

from shared.db import UTCDateTime

revision = "reporting_0004_proposals"
down_revision = "reporting_0003_architecture"
branch_labels = None
depends_on = None

SCHEMA = "reporting"
Position = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "report_proposals",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("process_id", sa.Uuid(), nullable=True),
        sa.Column("district_id", sa.Uuid(), nullable=True),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("theme", sa.String(64), nullable=False),
        sa.Column("state", sa.String(40), nullable=False),
        sa.Column("support_count", sa.Integer(), nullable=False),
        sa.Column("answer_state", sa.String(64), nullable=True),
        sa.Column("answer_category", sa.String(40), nullable=True),
        sa.Column("answered_at", UTCDateTime(), nullable=True),
        sa.Column("merged_into_id", sa.Uuid(), nullable=True),
        sa.Column("priority_id", sa.Uuid(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=True),
        schema=SCHEMA,
    )
    op.create_index(
        "ix_reporting_report_proposals_process_id", "report_proposals", ["process_id"], schema=SCHEMA
    )
    op.create_table(
        "report_proposal_answers",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("proposal_id", sa.Uuid(), nullable=False),
        sa.Column("process_id", sa.Uuid(), nullable=True),
        sa.Column("district_id", sa.Uuid(), nullable=True),
        sa.Column("position", Position, nullable=False),
        sa.Column("answered_at", UTCDateTime(), nullable=True),
        sa.Column("answer_state", sa.String(64), nullable=False),
        sa.Column("answer_label", sa.String(200), nullable=False),
        sa.Column("answer_category", sa.String(40), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("first_answer", sa.Boolean(), nullable=False),
        schema=SCHEMA,
    )
    op.create_index(
        "ix_reporting_report_proposal_answers_proposal_id",
        "report_proposal_answers",
        ["proposal_id"],
        schema=SCHEMA,
    )
    op.create_table(
        "report_answer_states",
        sa.Column("process_id", sa.Uuid(), primary_key=True),
        sa.Column("key", sa.String(64), primary_key=True),
        sa.Column("label", sa.String(200), nullable=False),
        sa.Column("category", sa.String(40), nullable=False),
        sa.Column("rank", sa.Integer(), nullable=False),
        schema=SCHEMA,
    )


def downgrade() -> None:
    for table in ("report_answer_states", "report_proposal_answers", "report_proposals"):
        op.drop_table(table, schema=SCHEMA)
