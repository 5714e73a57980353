"""Sign-in identities linked to people, and role grants.

Revision ID: registry_0003_identities
Revises: registry_0002
"""

import sqlalchemy as sa
from alembic import op

from shared.db import UTCDateTime

revision = "registry_0003_identities"
down_revision = "registry_0002"
branch_labels = None
depends_on = None

SCHEMA = "registry"


def upgrade() -> None:
    op.create_table(
        "person_identities",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("person_id", sa.Uuid(), sa.ForeignKey("registry.people.id"), nullable=False),
        sa.Column("namespace", sa.String(600), nullable=False),
        sa.Column("value", sa.String(320), nullable=False),
        sa.Column("issuer", sa.String(500), nullable=False),
        sa.Column("claim", sa.String(100), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.UniqueConstraint("namespace", "value", name="uq_registry_person_identities_namespace_value"),
        schema=SCHEMA,
    )
    op.create_index(
        "ix_registry_person_identities_person_id", "person_identities", ["person_id"], schema=SCHEMA
    )
    op.create_table(
        "role_grants",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("person_id", sa.Uuid(), sa.ForeignKey("registry.people.id"), nullable=False),
        sa.Column("role", sa.String(40), nullable=False),
        sa.Column("district_id", sa.Uuid(), sa.ForeignKey("registry.districts.id"), nullable=True),
        sa.Column("granted_at", UTCDateTime(), nullable=False),
        sa.Column("revoked_at", UTCDateTime(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        schema=SCHEMA,
    )
    op.create_index("ix_registry_role_grants_person_id", "role_grants", ["person_id"], schema=SCHEMA)
    op.create_index("ix_registry_role_grants_district_id", "role_grants", ["district_id"], schema=SCHEMA)


def downgrade() -> None:
    op.drop_table("role_grants", schema=SCHEMA)
    op.drop_table("person_identities", schema=SCHEMA)
