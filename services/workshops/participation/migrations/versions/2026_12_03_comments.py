"""Participation: comments on proposals (one reply level) and participants' flags on them.

Revision ID: workshops_participation_0003
Revises: workshops_participation_0002
"""

import sqlalchemy as sa
from alembic import op

from shared.db import UTCDateTime

revision = "workshops_participation_0003"
down_revision = "workshops_participation_0002"
branch_labels = None
depends_on = None

SCHEMA = "workshops"


def upgrade() -> None:
    op.create_table(
        "proposal_comments",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("proposal_id", sa.Uuid(), sa.ForeignKey("workshops.proposals.id"), nullable=False),
        sa.Column("process_id", sa.Uuid(), nullable=False),
        sa.Column("district_id", sa.Uuid(), nullable=False),
        sa.Column("parent_id", sa.Uuid(), sa.ForeignKey("workshops.proposal_comments.id"), nullable=True),
        sa.Column("author_id", sa.String(64), nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("body_html", sa.Text(), nullable=False),
        sa.Column("state", sa.String(40), nullable=False),
        sa.Column("flag_count", sa.Integer(), nullable=False),
        sa.Column("hidden_reason", sa.String(40), nullable=True),
        sa.Column("moderation_note", sa.Text(), nullable=True),
        sa.Column("moderated_at", UTCDateTime(), nullable=True),
        sa.Column("edited_at", UTCDateTime(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        schema=SCHEMA,
    )
    op.create_index(
        "ix_workshops_proposal_comments_proposal_created",
        "proposal_comments",
        ["proposal_id", "created_at"],
        schema=SCHEMA,
    )
    op.create_index(
        "ix_workshops_proposal_comments_process_created",
        "proposal_comments",
        ["process_id", "created_at"],
        schema=SCHEMA,
    )
    op.create_index(
        "ix_workshops_proposal_comments_parent_id", "proposal_comments", ["parent_id"], schema=SCHEMA
    )
    op.create_index(
        "ix_workshops_proposal_comments_author_id", "proposal_comments", ["author_id"], schema=SCHEMA
    )
    op.create_table(
        "proposal_comment_flags",
        sa.Column("comment_id", sa.Uuid(), sa.ForeignKey("workshops.proposal_comments.id"), primary_key=True),
        sa.Column("person_id", sa.String(64), primary_key=True),
        sa.Column("reason", sa.String(40), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        schema=SCHEMA,
    )


def downgrade() -> None:
    op.drop_table("proposal_comment_flags", schema=SCHEMA)
    op.drop_table("proposal_comments", schema=SCHEMA)
