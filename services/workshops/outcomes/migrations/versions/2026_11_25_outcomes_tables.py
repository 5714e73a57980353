"""Inventions, priorities, evaluation templates (with versions), responses and answers.

Revision ID: workshops_outcomes_0002
Revises: workshops_outcomes_0001
"""

import sqlalchemy as sa
from alembic import op

from shared.db import JSONType, UTCDateTime

revision = "workshops_outcomes_0002"
down_revision = "workshops_outcomes_0001"
branch_labels = None
depends_on = None

SCHEMA = "workshops"


def _timestamps() -> list[sa.Column]:
    return [
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
    ]


def upgrade() -> None:
    op.create_table(
        "inventions",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("process_id", sa.Uuid(), nullable=False),
        sa.Column("district_id", sa.Uuid(), nullable=False),
        sa.Column("edition_id", sa.Uuid(), nullable=True),
        sa.Column("workshop_id", sa.Uuid(), nullable=True),
        sa.Column("origin_kind", sa.String(40), nullable=True),
        sa.Column("origin_id", sa.String(64), nullable=True),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("theme", sa.String(40), nullable=False),
        sa.Column("person_ids", JSONType, nullable=False),
        sa.Column("organisation_ids", JSONType, nullable=False),
        sa.Column("attachments", JSONType, nullable=False),
        sa.Column("restitution_workshop_id", sa.Uuid(), nullable=True),
        sa.Column("handed_over_to_district_id", sa.Uuid(), nullable=True),
        sa.Column("handed_over_to_organisation_id", sa.Uuid(), nullable=True),
        sa.Column("handed_over_on", sa.Date(), nullable=True),
        sa.Column("handover_note", sa.Text(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        *_timestamps(),
        schema=SCHEMA,
    )
    op.create_index("ix_workshops_inventions_process_id", "inventions", ["process_id"], schema=SCHEMA)
    op.create_index("ix_workshops_inventions_edition_id", "inventions", ["edition_id"], schema=SCHEMA)
    op.create_index("ix_workshops_inventions_workshop_id", "inventions", ["workshop_id"], schema=SCHEMA)
    op.create_index(
        "ix_workshops_inventions_restitution_workshop_id",
        "inventions",
        ["restitution_workshop_id"],
        schema=SCHEMA,
    )
    op.create_index(
        "ix_workshops_inventions_district_created", "inventions", ["district_id", "created_at"], schema=SCHEMA
    )

    op.create_table(
        "priorities",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("district_id", sa.Uuid(), nullable=False),
        sa.Column("process_id", sa.Uuid(), nullable=True),
        sa.Column("edition_id", sa.Uuid(), nullable=True),
        sa.Column("workshop_id", sa.Uuid(), nullable=True),
        sa.Column("origin_kind", sa.String(40), nullable=True),
        sa.Column("origin_id", sa.String(64), nullable=True),
        sa.Column("source", sa.String(40), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("state", sa.String(40), nullable=False),
        sa.Column("year", sa.Integer(), nullable=True),
        sa.Column("sitting_date", sa.Date(), nullable=True),
        sa.Column("motivation", sa.Text(), nullable=True),
        sa.Column("project_table_workshop_ids", JSONType, nullable=False),
        sa.Column("outcome", sa.String(40), nullable=True),
        sa.Column("outcome_note", sa.Text(), nullable=True),
        sa.Column("restitution_workshop_id", sa.Uuid(), nullable=True),
        sa.Column("plan_action", sa.String(64), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        *_timestamps(),
        schema=SCHEMA,
    )
    op.create_index("ix_workshops_priorities_process_id", "priorities", ["process_id"], schema=SCHEMA)
    op.create_index("ix_workshops_priorities_workshop_id", "priorities", ["workshop_id"], schema=SCHEMA)
    op.create_index(
        "ix_workshops_priorities_restitution_workshop_id",
        "priorities",
        ["restitution_workshop_id"],
        schema=SCHEMA,
    )
    op.create_index(
        "ix_workshops_priorities_district_year", "priorities", ["district_id", "year"], schema=SCHEMA
    )

    op.create_table(
        "evaluation_templates",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("district_id", sa.Uuid(), nullable=True),
        sa.Column("name_it", sa.String(200), nullable=False),
        sa.Column("name_en", sa.String(200), nullable=False),
        sa.Column("current_version", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        *_timestamps(),
        schema=SCHEMA,
    )
    op.create_index(
        "ix_workshops_evaluation_templates_district_id",
        "evaluation_templates",
        ["district_id"],
        schema=SCHEMA,
    )
    op.create_table(
        "evaluation_template_versions",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column(
            "template_id", sa.Uuid(), sa.ForeignKey(f"{SCHEMA}.evaluation_templates.id"), nullable=False
        ),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("dimensions", JSONType, nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.UniqueConstraint("template_id", "number", name="uq_evaluation_template_versions_number"),
        schema=SCHEMA,
    )
    op.create_index(
        "ix_workshops_evaluation_template_versions_template_id",
        "evaluation_template_versions",
        ["template_id"],
        schema=SCHEMA,
    )
    op.create_table(
        "evaluation_responses",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column(
            "template_id", sa.Uuid(), sa.ForeignKey(f"{SCHEMA}.evaluation_templates.id"), nullable=False
        ),
        sa.Column("template_version", sa.Integer(), nullable=False),
        sa.Column("process_id", sa.Uuid(), nullable=False),
        sa.Column("workshop_id", sa.Uuid(), nullable=True),
        sa.Column("district_id", sa.Uuid(), nullable=False),
        sa.Column("edition_id", sa.Uuid(), nullable=True),
        sa.Column("person_id", sa.String(64), nullable=True),
        sa.Column("answers", JSONType, nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        schema=SCHEMA,
    )
    for column in ("template_id", "process_id", "workshop_id", "district_id", "edition_id"):
        op.create_index(
            f"ix_workshops_evaluation_responses_{column}", "evaluation_responses", [column], schema=SCHEMA
        )
    op.create_table(
        "evaluation_answers",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column(
            "response_id", sa.Uuid(), sa.ForeignKey(f"{SCHEMA}.evaluation_responses.id"), nullable=False
        ),
        sa.Column("template_id", sa.Uuid(), nullable=False),
        sa.Column("template_version", sa.Integer(), nullable=False),
        sa.Column("dimension", sa.String(64), nullable=False),
        sa.Column("value", sa.String(64), nullable=False),
        sa.Column("numeric_value", sa.Integer(), nullable=True),
        sa.Column("process_id", sa.Uuid(), nullable=False),
        sa.Column("district_id", sa.Uuid(), nullable=False),
        sa.Column("edition_id", sa.Uuid(), nullable=True),
        schema=SCHEMA,
    )
    for column in ("response_id", "process_id", "district_id", "edition_id"):
        op.create_index(
            f"ix_workshops_evaluation_answers_{column}", "evaluation_answers", [column], schema=SCHEMA
        )
    op.create_index(
        "ix_workshops_evaluation_answers_template_dimension",
        "evaluation_answers",
        ["template_id", "dimension"],
        schema=SCHEMA,
    )


def downgrade() -> None:
    for table in (
        "evaluation_answers",
        "evaluation_responses",
        "evaluation_template_versions",
        "evaluation_templates",
        "priorities",
        "inventions",
    ):
        op.drop_table(table, schema=SCHEMA)
