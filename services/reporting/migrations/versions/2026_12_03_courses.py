"""Read models of courses: courses, editions (cohort and completions by person id) and sessions.

Revision ID: reporting_0007_courses
Revises: reporting_0006_attachments
"""

import sqlalchemy as sa
from alembic import op

from shared.db import JSONType

revision = "reporting_0007_courses"
down_revision = "reporting_0006_attachments"
branch_labels = None
depends_on = None

SCHEMA = "reporting"


def upgrade() -> None:
    schema = SCHEMA
    op.create_table(
        "report_courses",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("kind", sa.String(64), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        schema=schema,
    )
    op.create_table(
        "report_course_editions",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("course_id", sa.Uuid(), nullable=True),
        sa.Column("kind", sa.String(64), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("year", sa.Integer(), nullable=True),
        sa.Column("completion_hours", sa.Integer(), nullable=False),
        sa.Column("members", JSONType, nullable=False),
        sa.Column("completions", JSONType, nullable=False),
        schema=schema,
    )
    op.create_index(
        "ix_reporting_report_course_editions_course_id",
        "report_course_editions",
        ["course_id"],
        schema=schema,
    )
    op.create_table(
        "report_course_sessions",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("course_edition_id", sa.Uuid(), nullable=True),
        sa.Column("held_on", sa.Date(), nullable=True),
        sa.Column("hours", sa.Integer(), nullable=False),
        sa.Column("person_ids", JSONType, nullable=False),
        schema=schema,
    )
    op.create_index(
        "ix_reporting_report_course_sessions_course_edition_id",
        "report_course_sessions",
        ["course_edition_id"],
        schema=schema,
    )


def downgrade() -> None:
    schema = SCHEMA
    for table in ("report_course_sessions", "report_course_editions", "report_courses"):
        op.drop_table(table, schema=schema)
