"""Relations between governance bodies, programme agreements and their parties.

Revision ID: registry_0005_architecture
Revises: registry_0004_notifications
"""

import sqlalchemy as sa
from alembic import op

from shared.db import UTCDateTime

revision = "registry_0005_architecture"
down_revision = "registry_0004_notifications"
branch_labels = None
depends_on = None

SCHEMA = "registry"


def upgrade() -> None:
    op.create_table(
        "body_relations",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("district_id", sa.Uuid(), sa.ForeignKey("registry.districts.id"), nullable=False),
        sa.Column("from_body_id", sa.Uuid(), sa.ForeignKey("registry.governance_bodies.id"), nullable=False),
        sa.Column("to_body_id", sa.Uuid(), sa.ForeignKey("registry.governance_bodies.id"), nullable=False),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("note", sa.String(200), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_to", sa.Date(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        schema=SCHEMA,
    )
    for column in ("district_id", "from_body_id", "to_body_id"):
        op.create_index(f"ix_registry_body_relations_{column}", "body_relations", [column], schema=SCHEMA)
    op.create_table(
        "agreements",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("district_id", sa.Uuid(), sa.ForeignKey("registry.districts.id"), nullable=False),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("reference", sa.String(200), nullable=False),
        sa.Column("signed_on", sa.Date(), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_to", sa.Date(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        schema=SCHEMA,
    )
    op.create_index("ix_registry_agreements_district_id", "agreements", ["district_id"], schema=SCHEMA)
    op.create_table(
        "agreement_parties",
        sa.Column("agreement_id", sa.Uuid(), sa.ForeignKey("registry.agreements.id"), primary_key=True),
        sa.Column("organisation_id", sa.Uuid(), sa.ForeignKey("registry.organisations.id"), primary_key=True),
        schema=SCHEMA,
    )
    op.create_index(
        "ix_registry_agreement_parties_organisation_id",
        "agreement_parties",
        ["organisation_id"],
        schema=SCHEMA,
    )


def downgrade() -> None:
    op.drop_table("agreement_parties", schema=SCHEMA)
    op.drop_table("agreements", schema=SCHEMA)
    op.drop_table("body_relations", schema=SCHEMA)
