"""Programmes, editions, processes, phases, workshops, registrations and attendance.

Revision ID: workshops_0002
Revises: workshops_0001
"""

import sqlalchemy as sa
from alembic import op

from shared.db import JSONType, UTCDateTime

revision = "workshops_0002"
down_revision = "workshops_0001"
branch_labels = None
depends_on = None

SCHEMA = "workshops"


def upgrade() -> None:
    op.create_table(
        "programmes",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        schema=SCHEMA,
    )
    op.create_table(
        "editions",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("programme_id", sa.Uuid(), sa.ForeignKey(f"{SCHEMA}.programmes.id"), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=True),
        sa.Column("ends_on", sa.Date(), nullable=True),
        sa.Column("district_ids", JSONType, nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        schema=SCHEMA,
    )
    op.create_index("ix_workshops_editions_programme_id", "editions", ["programme_id"], schema=SCHEMA)
    op.create_table(
        "processes",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("district_id", sa.Uuid(), nullable=False),
        sa.Column("edition_id", sa.Uuid(), sa.ForeignKey(f"{SCHEMA}.editions.id"), nullable=True),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("purpose", sa.Text(), nullable=False),
        sa.Column("weight", sa.Text(), nullable=False),
        sa.Column("transformations", sa.Text(), nullable=False),
        sa.Column("methods_and_tools", sa.Text(), nullable=False),
        sa.Column("distinctive_marks", sa.Text(), nullable=False),
        sa.Column("started_on", sa.Date(), nullable=True),
        sa.Column("location", sa.String(200), nullable=False),
        sa.Column("stature", JSONType, nullable=False),
        sa.Column("contacts", JSONType, nullable=False),
        sa.Column("status", sa.String(40), nullable=False),
        sa.Column("closed_on", sa.Date(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        schema=SCHEMA,
    )
    op.create_index("ix_workshops_processes_district_id", "processes", ["district_id"], schema=SCHEMA)
    op.create_index("ix_workshops_processes_edition_id", "processes", ["edition_id"], schema=SCHEMA)
    op.create_table(
        "process_phases",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("process_id", sa.Uuid(), sa.ForeignKey(f"{SCHEMA}.processes.id"), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=True),
        sa.Column("ends_on", sa.Date(), nullable=True),
        sa.Column("is_current", sa.Boolean(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        schema=SCHEMA,
    )
    op.create_index("ix_workshops_process_phases_process_id", "process_phases", ["process_id"], schema=SCHEMA)
    op.create_table(
        "workshops",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("process_id", sa.Uuid(), sa.ForeignKey(f"{SCHEMA}.processes.id"), nullable=False),
        sa.Column("district_id", sa.Uuid(), nullable=False),
        sa.Column("edition_id", sa.Uuid(), nullable=True),
        sa.Column("method", sa.String(40), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("starts_at", UTCDateTime(), nullable=False),
        sa.Column("ends_at", UTCDateTime(), nullable=False),
        sa.Column("venue", sa.String(200), nullable=True),
        sa.Column("online_url", sa.String(2000), nullable=True),
        sa.Column("capacity", sa.Integer(), nullable=True),
        sa.Column("facilitator_ids", JSONType, nullable=False),
        sa.Column("status", sa.String(40), nullable=False),
        sa.Column("status_reason", sa.String(2000), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        schema=SCHEMA,
    )
    op.create_index("ix_workshops_workshops_process_id", "workshops", ["process_id"], schema=SCHEMA)
    op.create_index("ix_workshops_workshops_district_id", "workshops", ["district_id"], schema=SCHEMA)
    op.create_index("ix_workshops_workshops_edition_id", "workshops", ["edition_id"], schema=SCHEMA)
    op.create_index("ix_workshops_workshops_starts_at", "workshops", ["starts_at"], schema=SCHEMA)
    op.create_table(
        "registrations",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("workshop_id", sa.Uuid(), sa.ForeignKey(f"{SCHEMA}.workshops.id"), nullable=False),
        sa.Column("person_id", sa.String(64), nullable=True),
        sa.Column("actor_category", sa.String(40), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("waitlisted", sa.Boolean(), nullable=False),
        sa.Column("cancelled_at", UTCDateTime(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        schema=SCHEMA,
    )
    op.create_index("ix_workshops_registrations_workshop_id", "registrations", ["workshop_id"], schema=SCHEMA)
    op.create_index("ix_workshops_registrations_person_id", "registrations", ["person_id"], schema=SCHEMA)
    op.create_table(
        "attendance",
        sa.Column("workshop_id", sa.Uuid(), sa.ForeignKey(f"{SCHEMA}.workshops.id"), primary_key=True),
        sa.Column("present", JSONType, nullable=False),
        sa.Column("absent", JSONType, nullable=False),
        sa.Column("categories", JSONType, nullable=False),
        sa.Column("anonymous_counts", JSONType, nullable=False),
        sa.Column("recorded_at", UTCDateTime(), nullable=False),
        schema=SCHEMA,
    )


def downgrade() -> None:
    for table in (
        "attendance",
        "registrations",
        "workshops",
        "process_phases",
        "processes",
        "editions",
        "programmes",
    ):
        op.drop_table(table, schema=SCHEMA)
