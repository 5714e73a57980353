"""Participation: per-process settings, proposals, supports, and the proposals a priority cites.

Revision ID: workshops_participation_0002
Revises: workshops_participation_0001
"""

import sqlalchemy as sa
from alembic import op

from shared.db import JSONType, UTCDateTime

revision = "workshops_participation_0002"
down_revision = "workshops_participation_0001"
branch_labels = None
depends_on = None

SCHEMA = "workshops"


def upgrade() -> None:
    op.create_table(
        "participation_settings",
        sa.Column("process_id", sa.Uuid(), sa.ForeignKey("workshops.processes.id"), primary_key=True),
        sa.Column("district_id", sa.Uuid(), nullable=False),
        sa.Column("max_proposals_per_person", sa.Integer(), nullable=False),
        sa.Column("topics", JSONType, nullable=False),
        sa.Column("answer_states", JSONType, nullable=False),
        sa.Column("comment_edit_minutes", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        schema=SCHEMA,
    )
    op.create_index(
        "ix_workshops_participation_settings_district_id",
        "participation_settings",
        ["district_id"],
        schema=SCHEMA,
    )
    op.create_table(
        "proposals",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("process_id", sa.Uuid(), sa.ForeignKey("workshops.processes.id"), nullable=False),
        sa.Column("district_id", sa.Uuid(), nullable=False),
        sa.Column("phase_id", sa.Uuid(), sa.ForeignKey("workshops.process_phases.id"), nullable=False),
        sa.Column("author_id", sa.String(64), nullable=True),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("body_html", sa.Text(), nullable=False),
        sa.Column("theme", sa.String(64), nullable=False),
        sa.Column("links", JSONType, nullable=False),
        sa.Column("state", sa.String(40), nullable=False),
        sa.Column("answer_state", sa.String(64), nullable=True),
        sa.Column("answer_category", sa.String(40), nullable=True),
        sa.Column("answer_text", sa.Text(), nullable=True),
        sa.Column("answered_at", UTCDateTime(), nullable=True),
        sa.Column("merged_into_id", sa.Uuid(), nullable=True),
        sa.Column("priority_id", sa.Uuid(), nullable=True),
        sa.Column("support_count", sa.Integer(), nullable=False),
        sa.Column("comment_count", sa.Integer(), nullable=False),
        sa.Column("search_text", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        schema=SCHEMA,
    )
    op.create_index("ix_workshops_proposals_district_id", "proposals", ["district_id"], schema=SCHEMA)
    op.create_index("ix_workshops_proposals_author_id", "proposals", ["author_id"], schema=SCHEMA)
    op.create_index("ix_workshops_proposals_priority_id", "proposals", ["priority_id"], schema=SCHEMA)
    op.create_index(
        "ix_workshops_proposals_process_created", "proposals", ["process_id", "created_at"], schema=SCHEMA
    )
    op.create_index(
        "ix_workshops_proposals_process_supports", "proposals", ["process_id", "support_count"], schema=SCHEMA
    )
    op.create_table(
        "proposal_supports",
        sa.Column("proposal_id", sa.Uuid(), sa.ForeignKey("workshops.proposals.id"), primary_key=True),
        sa.Column("person_id", sa.String(64), primary_key=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        schema=SCHEMA,
    )
    op.create_table(
        "priority_proposals",
        sa.Column("priority_id", sa.Uuid(), sa.ForeignKey("workshops.priorities.id"), primary_key=True),
        sa.Column("proposal_id", sa.Uuid(), sa.ForeignKey("workshops.proposals.id"), primary_key=True),
        schema=SCHEMA,
    )


def downgrade() -> None:
    op.drop_table("priority_proposals", schema=SCHEMA)
    op.drop_table("proposal_supports", schema=SCHEMA)
    op.drop_table("proposals", schema=SCHEMA)
    op.drop_table("participation_settings", schema=SCHEMA)
