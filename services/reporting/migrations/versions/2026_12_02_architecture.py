"""Read models of the institutional architecture: bodies, member periods, relations, agreements.

Revision ID: reporting_0003_architecture
Revises: reporting_0003
"""

import sqlalchemy as sa
from alembic import op

from shared.db import JSONType

revision = "reporting_0003_architecture"
down_revision = "reporting_0003"
branch_labels = None
depends_on = None

SCHEMA = "reporting"


def upgrade() -> None:
    op.create_table(
        "report_bodies",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("district_id", sa.Uuid(), nullable=True),
        sa.Column("process_id", sa.Uuid(), nullable=True),
        sa.Column("kind", sa.String(64), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        schema=SCHEMA,
    )
    op.create_index("ix_reporting_report_bodies_district_id", "report_bodies", ["district_id"], schema=SCHEMA)
    op.create_table(
        "report_body_memberships",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("body_id", sa.Uuid(), nullable=True),
        sa.Column("district_id", sa.Uuid(), nullable=True),
        sa.Column("valid_from", sa.Date(), nullable=True),
        sa.Column("valid_to", sa.Date(), nullable=True),
        schema=SCHEMA,
    )
    op.create_index(
        "ix_reporting_report_body_memberships_body_id", "report_body_memberships", ["body_id"], schema=SCHEMA
    )
    op.create_table(
        "report_body_relations",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("district_id", sa.Uuid(), nullable=True),
        sa.Column("from_body_id", sa.Uuid(), nullable=True),
        sa.Column("to_body_id", sa.Uuid(), nullable=True),
        sa.Column("kind", sa.String(64), nullable=False),
        sa.Column("note", sa.String(200), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=True),
        sa.Column("valid_to", sa.Date(), nullable=True),
        schema=SCHEMA,
    )
    op.create_index(
        "ix_reporting_report_body_relations_district_id",
        "report_body_relations",
        ["district_id"],
        schema=SCHEMA,
    )
    op.create_table(
        "report_agreements",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("district_id", sa.Uuid(), nullable=True),
        sa.Column("kind", sa.String(64), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("reference", sa.String(200), nullable=False),
        sa.Column("signed_on", sa.Date(), nullable=True),
        sa.Column("valid_from", sa.Date(), nullable=True),
        sa.Column("valid_to", sa.Date(), nullable=True),
        sa.Column("organisation_ids", JSONType, nullable=False),
        schema=SCHEMA,
    )
    op.create_index(
        "ix_reporting_report_agreements_district_id", "report_agreements", ["district_id"], schema=SCHEMA
    )


def downgrade() -> None:
    for table in ("report_agreements", "report_body_relations", "report_body_memberships", "report_bodies"):
        op.drop_table(table, schema=SCHEMA)
