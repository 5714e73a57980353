"""The case library: cases, the questions they raised, their guidance by line and the processes they informed.

Revision ID: workshops_knowledge_0002
Revises: workshops_knowledge_0001
"""

import sqlalchemy as sa
from alembic import op

from shared.db import JSONType, UTCDateTime

revision = "workshops_knowledge_0002"
down_revision = "workshops_knowledge_0001"
branch_labels = None
depends_on = None

SCHEMA = "workshops"


def upgrade() -> None:
    op.create_table(
        "cases",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("code", sa.String(64), nullable=False, unique=True),
        sa.Column("district_id", sa.Uuid(), nullable=False),
        sa.Column("side", sa.String(32), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("summary", sa.String(500), nullable=False),
        sa.Column("story", sa.Text(), nullable=False),
        sa.Column("lines", JSONType, nullable=False),
        sa.Column("lab_meeting_ids", JSONType, nullable=False),
        sa.Column("published_at", UTCDateTime(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        schema=SCHEMA,
    )
    op.create_index("ix_workshops_cases_district_id", "cases", ["district_id"], schema=SCHEMA)
    op.create_index("ix_workshops_cases_status", "cases", ["status"], schema=SCHEMA)
    op.create_table(
        "case_questions",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("case_id", sa.Uuid(), sa.ForeignKey(f"{SCHEMA}.cases.id"), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("text", sa.String(1000), nullable=False),
        schema=SCHEMA,
    )
    op.create_index("ix_workshops_case_questions_case_id", "case_questions", ["case_id"], schema=SCHEMA)
    op.create_table(
        "case_guidance",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("case_id", sa.Uuid(), sa.ForeignKey(f"{SCHEMA}.cases.id"), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("line", sa.String(40), nullable=False),
        sa.Column("text", sa.String(2000), nullable=False),
        schema=SCHEMA,
    )
    op.create_index("ix_workshops_case_guidance_case_id", "case_guidance", ["case_id"], schema=SCHEMA)
    op.create_table(
        "case_processes",
        sa.Column("case_id", sa.Uuid(), sa.ForeignKey(f"{SCHEMA}.cases.id"), primary_key=True),
        sa.Column("process_id", sa.Uuid(), sa.ForeignKey(f"{SCHEMA}.processes.id"), primary_key=True),
        schema=SCHEMA,
    )
    op.create_index("ix_workshops_case_processes_process_id", "case_processes", ["process_id"], schema=SCHEMA)


def downgrade() -> None:
    for table in ("case_processes", "case_guidance", "case_questions", "cases"):
        op.drop_table(table, schema=SCHEMA)
