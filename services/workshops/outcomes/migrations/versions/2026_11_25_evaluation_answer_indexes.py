"""Covering indexes for evaluation results by process, district and edition.

Results group one template's answers by (dimension, value) within a scope. With an index on template_id
alone the planner scanned every answer of the template (the default card is shared by all districts);
(scope, template_id, dimension, value) answers each scope from the index only.

Revision ID: workshops_outcomes_0004
Revises: workshops_outcomes_0003
"""

from alembic import op

revision = "workshops_outcomes_0004"
down_revision = "workshops_outcomes_0003"
branch_labels = None
depends_on = None

SCHEMA = "workshops"
SCOPES = ("process_id", "district_id", "edition_id")


def upgrade() -> None:
    op.drop_index("ix_workshops_evaluation_answers_template_dimension", "evaluation_answers", schema=SCHEMA)
    for column in SCOPES:
        op.drop_index(f"ix_workshops_evaluation_answers_{column}", "evaluation_answers", schema=SCHEMA)
        op.create_index(
            f"ix_workshops_evaluation_answers_{column.removesuffix('_id')}_results",
            "evaluation_answers",
            [column, "template_id", "dimension", "value"],
            schema=SCHEMA,
        )


def downgrade() -> None:
    for column in SCOPES:
        op.drop_index(
            f"ix_workshops_evaluation_answers_{column.removesuffix('_id')}_results",
            "evaluation_answers",
            schema=SCHEMA,
        )
        op.create_index(
            f"ix_workshops_evaluation_answers_{column}", "evaluation_answers", [column], schema=SCHEMA
        )
    op.create_index(
        "ix_workshops_evaluation_answers_template_dimension",
        "evaluation_answers",
        ["template_id", "dimension"],
        schema=SCHEMA,
    )
