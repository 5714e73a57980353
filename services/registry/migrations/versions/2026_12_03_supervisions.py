"""Supervisions (issue 22.2): sessions, their supervisors, the cases brought to them and the cases' notes.

Revision ID: registry_0008_supervisions
Revises: registry_0007_courses
"""

import sqlalchemy as sa
from alembic import op

from shared.db import UTCDateTime

revision = "registry_0008_supervisions"
down_revision = "registry_0007_courses"
branch_labels = None
depends_on = None

SCHEMA = "registry"


def upgrade() -> None:
    op.create_table(
        "supervisions",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column("place", sa.String(200), nullable=False),
        sa.Column("edition_id", sa.Uuid(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        schema=SCHEMA,
    )
    op.create_index("ix_registry_supervisions_edition_id", "supervisions", ["edition_id"], schema=SCHEMA)
    op.create_table(
        "supervision_supervisors",
        sa.Column("supervision_id", sa.Uuid(), sa.ForeignKey("registry.supervisions.id"), primary_key=True),
        sa.Column("person_id", sa.Uuid(), sa.ForeignKey("registry.people.id"), primary_key=True),
        schema=SCHEMA,
    )
    op.create_index(
        "ix_registry_supervision_supervisors_person_id",
        "supervision_supervisors",
        ["person_id"],
        schema=SCHEMA,
    )
    op.create_table(
        "supervision_cases",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("supervision_id", sa.Uuid(), sa.ForeignKey("registry.supervisions.id"), nullable=False),
        sa.Column("brought_by_id", sa.Uuid(), sa.ForeignKey("registry.people.id"), nullable=False),
        sa.Column("subject_kind", sa.String(40), nullable=False),
        sa.Column("subject_id", sa.Uuid(), nullable=False),
        sa.Column("process_id", sa.Uuid(), nullable=False),
        sa.Column("district_id", sa.Uuid(), nullable=False),
        sa.Column("edition_id", sa.Uuid(), nullable=True),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        schema=SCHEMA,
    )
    for column in ("supervision_id", "brought_by_id", "district_id"):
        op.create_index(
            f"ix_registry_supervision_cases_{column}", "supervision_cases", [column], schema=SCHEMA
        )
    op.create_table(
        "supervision_notes",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("case_id", sa.Uuid(), sa.ForeignKey("registry.supervision_cases.id"), nullable=False),
        sa.Column("author_id", sa.Uuid(), sa.ForeignKey("registry.people.id"), nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        schema=SCHEMA,
    )
    op.create_index("ix_registry_supervision_notes_case_id", "supervision_notes", ["case_id"], schema=SCHEMA)


def downgrade() -> None:
    for table in ("supervision_notes", "supervision_cases", "supervision_supervisors", "supervisions"):
        op.drop_table(table, schema=SCHEMA)
