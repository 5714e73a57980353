"""Districts, organisations, people, consent, governance bodies, memberships, facilitators and training.

Revision ID: registry_0002
Revises: registry_0001
"""

import sqlalchemy as sa
from alembic import op

from shared.db import JSONType, UTCDateTime

revision = "registry_0002"
down_revision = "registry_0001"
branch_labels = None
depends_on = None

SCHEMA = "registry"

TABLES = (
    "training_records",
    "facilitator_districts",
    "facilitator_profiles",
    "body_memberships",
    "governance_bodies",
    "consent_records",
    "person_affiliations",
    "person_districts",
    "people",
    "organisation_districts",
    "organisations",
    "district_municipalities",
    "district_populations",
    "districts",
)


def upgrade() -> None:
    op.create_table(
        "districts",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("search_name", sa.String(1000), nullable=False),
        sa.Column("regional_code", sa.String(16), nullable=True),
        sa.Column("province", sa.String(8), nullable=True),
        sa.Column("health_authority", sa.String(200), nullable=True),
        sa.Column("boundary", JSONType, nullable=True),
        sa.Column("valid_from", sa.Date(), nullable=True),
        sa.Column("valid_to", sa.Date(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        schema=SCHEMA,
    )
    op.create_index("ix_registry_districts_search_name", "districts", ["search_name"], schema=SCHEMA)
    op.create_table(
        "organisations",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("search_name", sa.String(1000), nullable=False),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("contacts", JSONType, nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        schema=SCHEMA,
    )
    op.create_index("ix_registry_organisations_search_name", "organisations", ["search_name"], schema=SCHEMA)
    op.create_table(
        "people",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("given_name", sa.String(200), nullable=True),
        sa.Column("family_name", sa.String(200), nullable=True),
        sa.Column("email", sa.String(254), nullable=True),
        sa.Column("phone", sa.String(40), nullable=True),
        sa.Column("search_name", sa.String(1000), nullable=False),
        sa.Column("actor_category", sa.String(40), nullable=False),
        sa.Column("erased", sa.Boolean(), nullable=False),
        sa.Column("erased_at", UTCDateTime(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        schema=SCHEMA,
    )
    op.create_index("ix_registry_people_search_name", "people", ["search_name"], schema=SCHEMA)
    op.create_table(
        "consent_records",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("person_id", sa.Uuid(), sa.ForeignKey("registry.people.id"), nullable=False),
        sa.Column("purpose", sa.String(64), nullable=False),
        sa.Column("given_at", UTCDateTime(), nullable=False),
        sa.Column("withdrawn_at", UTCDateTime(), nullable=True),
        schema=SCHEMA,
    )
    op.create_index("ix_registry_consent_records_person_id", "consent_records", ["person_id"], schema=SCHEMA)
    op.create_table(
        "district_municipalities",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("district_id", sa.Uuid(), sa.ForeignKey("registry.districts.id"), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("istat_code", sa.String(16), nullable=True),
        sa.Column("valid_from", sa.Date(), nullable=True),
        sa.Column("valid_to", sa.Date(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        schema=SCHEMA,
    )
    op.create_index(
        "ix_registry_district_municipalities_district_id",
        "district_municipalities",
        ["district_id"],
        schema=SCHEMA,
    )
    op.create_table(
        "district_populations",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("district_id", sa.Uuid(), sa.ForeignKey("registry.districts.id"), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("population", sa.Integer(), nullable=False),
        sa.UniqueConstraint("district_id", "year", name="uq_registry_district_populations_year"),
        schema=SCHEMA,
    )
    op.create_index(
        "ix_registry_district_populations_district_id", "district_populations", ["district_id"], schema=SCHEMA
    )
    op.create_table(
        "facilitator_profiles",
        sa.Column("person_id", sa.Uuid(), sa.ForeignKey("registry.people.id"), primary_key=True),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("availability_notes", sa.Text(), nullable=False),
        sa.Column("availability", JSONType, nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        schema=SCHEMA,
    )
    op.create_table(
        "governance_bodies",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("district_id", sa.Uuid(), sa.ForeignKey("registry.districts.id"), nullable=False),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("process_id", sa.Uuid(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        schema=SCHEMA,
    )
    op.create_index(
        "ix_registry_governance_bodies_district_id", "governance_bodies", ["district_id"], schema=SCHEMA
    )
    op.create_index(
        "ix_registry_governance_bodies_process_id", "governance_bodies", ["process_id"], schema=SCHEMA
    )
    op.create_table(
        "organisation_districts",
        sa.Column("organisation_id", sa.Uuid(), sa.ForeignKey("registry.organisations.id"), primary_key=True),
        sa.Column("district_id", sa.Uuid(), sa.ForeignKey("registry.districts.id"), primary_key=True),
        schema=SCHEMA,
    )
    op.create_index(
        "ix_registry_organisation_districts_district_id",
        "organisation_districts",
        ["district_id"],
        schema=SCHEMA,
    )
    op.create_table(
        "person_affiliations",
        sa.Column("person_id", sa.Uuid(), sa.ForeignKey("registry.people.id"), primary_key=True),
        sa.Column("organisation_id", sa.Uuid(), sa.ForeignKey("registry.organisations.id"), primary_key=True),
        schema=SCHEMA,
    )
    op.create_index(
        "ix_registry_person_affiliations_organisation_id",
        "person_affiliations",
        ["organisation_id"],
        schema=SCHEMA,
    )
    op.create_table(
        "person_districts",
        sa.Column("person_id", sa.Uuid(), sa.ForeignKey("registry.people.id"), primary_key=True),
        sa.Column("district_id", sa.Uuid(), sa.ForeignKey("registry.districts.id"), primary_key=True),
        schema=SCHEMA,
    )
    op.create_index(
        "ix_registry_person_districts_district_id", "person_districts", ["district_id"], schema=SCHEMA
    )
    op.create_table(
        "body_memberships",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("body_id", sa.Uuid(), sa.ForeignKey("registry.governance_bodies.id"), nullable=False),
        sa.Column("person_id", sa.Uuid(), sa.ForeignKey("registry.people.id"), nullable=False),
        sa.Column("role", sa.String(40), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_to", sa.Date(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        schema=SCHEMA,
    )
    op.create_index("ix_registry_body_memberships_body_id", "body_memberships", ["body_id"], schema=SCHEMA)
    op.create_index(
        "ix_registry_body_memberships_person_id", "body_memberships", ["person_id"], schema=SCHEMA
    )
    op.create_table(
        "facilitator_districts",
        sa.Column(
            "person_id", sa.Uuid(), sa.ForeignKey("registry.facilitator_profiles.person_id"), primary_key=True
        ),
        sa.Column("district_id", sa.Uuid(), sa.ForeignKey("registry.districts.id"), primary_key=True),
        schema=SCHEMA,
    )
    op.create_index(
        "ix_registry_facilitator_districts_district_id",
        "facilitator_districts",
        ["district_id"],
        schema=SCHEMA,
    )
    op.create_table(
        "training_records",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column(
            "person_id", sa.Uuid(), sa.ForeignKey("registry.facilitator_profiles.person_id"), nullable=False
        ),
        sa.Column("course", sa.String(200), nullable=False),
        sa.Column("search_course", sa.String(1000), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("hours", sa.Integer(), nullable=False),
        sa.Column("provider", sa.String(200), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        schema=SCHEMA,
    )
    op.create_index(
        "ix_registry_training_records_search_course", "training_records", ["search_course"], schema=SCHEMA
    )
    op.create_index(
        "ix_registry_training_records_person_id", "training_records", ["person_id"], schema=SCHEMA
    )


def downgrade() -> None:
    for table in TABLES:
        op.drop_table(table, schema=SCHEMA)
