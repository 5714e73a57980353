"""Regional labs (issue 22.6): meetings and working groups of an edition, their participants and members.

Revision ID: workshops_0006_regional_labs
Revises: workshops_0005_open_to_proposals
"""

import sqlalchemy as sa
from alembic import op

from shared.db import JSONType, UTCDateTime

revision = "workshops_0006_regional_labs"
down_revision = "workshops_0005_open_to_proposals"
branch_labels = None
depends_on = None

SCHEMA = "workshops"


def upgrade() -> None:
    op.create_table(
        "lab_meetings",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("edition_id", sa.Uuid(), sa.ForeignKey("workshops.editions.id"), nullable=False),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column("place", sa.String(200), nullable=False),
        sa.Column("topic", sa.String(200), nullable=False),
        sa.Column("lab_group_ids", JSONType, nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        schema=SCHEMA,
    )
    op.create_index("ix_workshops_lab_meetings_edition_id", "lab_meetings", ["edition_id"], schema=SCHEMA)
    op.create_table(
        "lab_meeting_participants",
        sa.Column("lab_meeting_id", sa.Uuid(), sa.ForeignKey("workshops.lab_meetings.id"), primary_key=True),
        sa.Column("person_id", sa.Uuid(), primary_key=True),
        sa.Column("recipient", sa.String(40), nullable=False),
        schema=SCHEMA,
    )
    op.create_table(
        "lab_groups",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("edition_id", sa.Uuid(), sa.ForeignKey("workshops.editions.id"), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("topic", sa.String(200), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        schema=SCHEMA,
    )
    op.create_index("ix_workshops_lab_groups_edition_id", "lab_groups", ["edition_id"], schema=SCHEMA)
    op.create_table(
        "lab_group_members",
        sa.Column("lab_group_id", sa.Uuid(), sa.ForeignKey("workshops.lab_groups.id"), primary_key=True),
        sa.Column("person_id", sa.Uuid(), primary_key=True),
        sa.Column("recipient", sa.String(40), nullable=False),
        schema=SCHEMA,
    )


def downgrade() -> None:
    for table in ("lab_group_members", "lab_groups", "lab_meeting_participants", "lab_meetings"):
        op.drop_table(table, schema=SCHEMA)
