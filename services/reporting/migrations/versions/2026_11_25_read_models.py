"""Read models of reporting: checkpoints, catalogue, participation, outcomes and timeline tables.

Revision ID: reporting_0002
Revises: reporting_0001
"""

import sqlalchemy as sa
from alembic import op

from shared.db import JSONType, UTCDateTime

revision = "reporting_0002"
down_revision = "reporting_0001"
branch_labels = None
depends_on = None

SCHEMA = "reporting"
Position = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "checkpoints",
        sa.Column("projection", sa.String(64), primary_key=True),
        sa.Column("position", Position, nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        schema=SCHEMA,
    )
    op.create_table(
        "report_districts",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("code", sa.String(64), nullable=False),
        sa.Column("province", sa.String(200), nullable=False),
        sa.Column("ausl", sa.String(200), nullable=False),
        sa.Column("population", sa.Integer(), nullable=True),
        sa.Column("population_year", sa.Integer(), nullable=True),
        sa.Column("geometry", JSONType, nullable=True),
        sa.Column("municipalities", JSONType, nullable=False),
        schema=SCHEMA,
    )
    op.create_table(
        "report_programmes",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        schema=SCHEMA,
    )
    op.create_table(
        "report_editions",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("programme_id", sa.Uuid(), nullable=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=True),
        sa.Column("ends_on", sa.Date(), nullable=True),
        sa.Column("district_ids", JSONType, nullable=False),
        schema=SCHEMA,
    )
    op.create_table(
        "report_processes",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("district_id", sa.Uuid(), nullable=True),
        sa.Column("edition_id", sa.Uuid(), nullable=True),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("status", sa.String(40), nullable=False),
        sa.Column("started_on", sa.Date(), nullable=True),
        sa.Column("identity_card", JSONType, nullable=False),
        sa.Column("phases", JSONType, nullable=False),
        schema=SCHEMA,
    )
    op.create_index("ix_report_processes_district_id", "report_processes", ["district_id"], schema=SCHEMA)
    op.create_index("ix_report_processes_edition_id", "report_processes", ["edition_id"], schema=SCHEMA)
    op.create_table(
        "report_workshops",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("process_id", sa.Uuid(), nullable=True),
        sa.Column("district_id", sa.Uuid(), nullable=True),
        sa.Column("method", sa.String(64), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("starts_at", UTCDateTime(), nullable=True),
        sa.Column("ends_at", UTCDateTime(), nullable=True),
        sa.Column("capacity", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(40), nullable=False),
        sa.Column("facilitator_count", sa.Integer(), nullable=False),
        schema=SCHEMA,
    )
    op.create_index("ix_report_workshops_process_id", "report_workshops", ["process_id"], schema=SCHEMA)
    op.create_table(
        "report_person_categories",
        sa.Column("person_id", sa.String(64), primary_key=True),
        sa.Column("actor_category", sa.String(64), nullable=False),
        schema=SCHEMA,
    )
    op.create_table(
        "report_registrations",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("workshop_id", sa.Uuid(), nullable=False),
        sa.Column("process_id", sa.Uuid(), nullable=True),
        sa.Column("actor_category", sa.String(64), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("waitlisted", sa.Boolean(), nullable=False),
        sa.Column("cancelled", sa.Boolean(), nullable=False),
        schema=SCHEMA,
    )
    op.create_index(
        "ix_report_registrations_workshop_id", "report_registrations", ["workshop_id"], schema=SCHEMA
    )
    op.create_table(
        "report_attendance_presences",
        sa.Column("workshop_id", sa.Uuid(), primary_key=True),
        sa.Column("person_id", sa.String(64), primary_key=True),
        sa.Column("process_id", sa.Uuid(), nullable=True),
        schema=SCHEMA,
    )
    op.create_index(
        "ix_report_attendance_presences_process_id",
        "report_attendance_presences",
        ["process_id"],
        schema=SCHEMA,
    )
    op.create_table(
        "report_attendance_anonymous",
        sa.Column("workshop_id", sa.Uuid(), primary_key=True),
        sa.Column("actor_category", sa.String(64), primary_key=True),
        sa.Column("process_id", sa.Uuid(), nullable=True),
        sa.Column("count", sa.Integer(), nullable=False),
        schema=SCHEMA,
    )
    op.create_index(
        "ix_report_attendance_anonymous_process_id",
        "report_attendance_anonymous",
        ["process_id"],
        schema=SCHEMA,
    )
    op.create_table(
        "report_inventions",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("process_id", sa.Uuid(), nullable=True),
        sa.Column("district_id", sa.Uuid(), nullable=True),
        sa.Column("edition_id", sa.Uuid(), nullable=True),
        sa.Column("workshop_id", sa.Uuid(), nullable=True),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("kind", sa.String(64), nullable=False),
        sa.Column("theme", sa.String(64), nullable=False),
        sa.Column("handovers", JSONType, nullable=False),
        schema=SCHEMA,
    )
    op.create_index("ix_report_inventions_process_id", "report_inventions", ["process_id"], schema=SCHEMA)
    op.create_table(
        "report_priorities",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("process_id", sa.Uuid(), nullable=True),
        sa.Column("district_id", sa.Uuid(), nullable=True),
        sa.Column("edition_id", sa.Uuid(), nullable=True),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("source", sa.String(64), nullable=False),
        sa.Column("status", sa.String(40), nullable=False),
        sa.Column("year", sa.Integer(), nullable=True),
        sa.Column("sitting_date", sa.Date(), nullable=True),
        sa.Column("outcome", sa.Text(), nullable=True),
        sa.Column("plan_action", sa.String(200), nullable=True),
        schema=SCHEMA,
    )
    op.create_index("ix_report_priorities_process_id", "report_priorities", ["process_id"], schema=SCHEMA)
    op.create_table(
        "report_evaluation_responses",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("template_id", sa.Uuid(), nullable=True),
        sa.Column("template_version", sa.Integer(), nullable=True),
        sa.Column("process_id", sa.Uuid(), nullable=True),
        sa.Column("workshop_id", sa.Uuid(), nullable=True),
        sa.Column("district_id", sa.Uuid(), nullable=True),
        sa.Column("edition_id", sa.Uuid(), nullable=True),
        sa.Column("answers", JSONType, nullable=True),
        schema=SCHEMA,
    )
    op.create_index(
        "ix_report_evaluation_responses_process_id",
        "report_evaluation_responses",
        ["process_id"],
        schema=SCHEMA,
    )
    op.create_table(
        "report_timeline_labels",
        sa.Column("stream_type", sa.String(64), primary_key=True),
        sa.Column("stream_id", sa.String(64), primary_key=True),
        sa.Column("process_id", sa.String(64), nullable=True),
        sa.Column("label", sa.String(200), nullable=False),
        sa.Column("kind", sa.String(64), nullable=False),
        schema=SCHEMA,
    )
    op.create_table(
        "report_timeline_entries",
        sa.Column("process_id", sa.Uuid(), primary_key=True),
        sa.Column("position", Position, primary_key=True),
        sa.Column("occurred_at", UTCDateTime(), nullable=False),
        sa.Column("event_type", sa.String(128), nullable=False),
        sa.Column("stream_type", sa.String(64), nullable=False),
        sa.Column("stream_id", sa.String(64), nullable=False),
        sa.Column("sentence_it", sa.Text(), nullable=False),
        sa.Column("sentence_en", sa.Text(), nullable=False),
        schema=SCHEMA,
    )


def downgrade() -> None:
    for table in (
        "report_timeline_entries",
        "report_timeline_labels",
        "report_evaluation_responses",
        "report_priorities",
        "report_inventions",
        "report_attendance_anonymous",
        "report_attendance_presences",
        "report_registrations",
        "report_person_categories",
        "report_workshops",
        "report_processes",
        "report_editions",
        "report_programmes",
        "report_districts",
        "checkpoints",
    ):
        op.drop_table(table, schema=SCHEMA)
