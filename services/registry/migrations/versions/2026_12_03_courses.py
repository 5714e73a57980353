"""Courses for facilitators and tutors: editions, sessions, cohorts and attendance per session (issue 22.1).

Revision ID: registry_0007_courses
Revises: registry_0006_email_index
"""

import sqlalchemy as sa
from alembic import op

from shared.db import UTCDateTime

revision = "registry_0007_courses"
down_revision = "registry_0006_email_index"
branch_labels = None
depends_on = None

SCHEMA = "registry"


def upgrade() -> None:
    op.create_table(
        "courses",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("provider", sa.String(200), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        schema=SCHEMA,
    )
    op.create_table(
        "course_editions",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("course_id", sa.Uuid(), sa.ForeignKey("registry.courses.id"), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=True),
        sa.Column("ends_on", sa.Date(), nullable=True),
        sa.Column("completion_hours", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        schema=SCHEMA,
    )
    op.create_index("ix_registry_course_editions_course_id", "course_editions", ["course_id"], schema=SCHEMA)
    op.create_table(
        "course_sessions",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column(
            "course_edition_id", sa.Uuid(), sa.ForeignKey("registry.course_editions.id"), nullable=False
        ),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column("place", sa.String(200), nullable=False),
        sa.Column("hours", sa.Integer(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        schema=SCHEMA,
    )
    op.create_index(
        "ix_registry_course_sessions_course_edition_id",
        "course_sessions",
        ["course_edition_id"],
        schema=SCHEMA,
    )
    op.create_table(
        "course_cohort_members",
        sa.Column(
            "course_edition_id",
            sa.Uuid(),
            sa.ForeignKey("registry.course_editions.id"),
            primary_key=True,
        ),
        sa.Column("person_id", sa.Uuid(), sa.ForeignKey("registry.people.id"), primary_key=True),
        sa.Column("district_id", sa.Uuid(), sa.ForeignKey("registry.districts.id"), nullable=True),
        sa.Column("completed_at", UTCDateTime(), nullable=True),
        sa.Column("completion_basis", sa.String(40), nullable=True),
        sa.Column("training_id", sa.Uuid(), sa.ForeignKey("registry.training_records.id"), nullable=True),
        schema=SCHEMA,
    )
    op.create_index(
        "ix_registry_course_cohort_members_person_id", "course_cohort_members", ["person_id"], schema=SCHEMA
    )
    op.create_table(
        "course_session_attendance",
        sa.Column("session_id", sa.Uuid(), sa.ForeignKey("registry.course_sessions.id"), primary_key=True),
        sa.Column("person_id", sa.Uuid(), sa.ForeignKey("registry.people.id"), primary_key=True),
        schema=SCHEMA,
    )
    op.create_index(
        "ix_registry_course_session_attendance_person_id",
        "course_session_attendance",
        ["person_id"],
        schema=SCHEMA,
    )


def downgrade() -> None:
    for table in (
        "course_session_attendance",
        "course_cohort_members",
        "course_sessions",
        "course_editions",
        "courses",
    ):
        op.drop_table(table, schema=SCHEMA)
