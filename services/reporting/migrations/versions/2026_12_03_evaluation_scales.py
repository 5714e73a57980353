"""Evaluation responses keep the card's own scale of each answer, so bars and means read against it.

Revision ID: reporting_0005_evaluation_scales
Revises: reporting_0004_proposals
"""

import sqlalchemy as sa
from alembic import op

from shared.db import JSONType

revision = "reporting_0005_evaluation_scales"
down_revision = "reporting_0004_proposals"
branch_labels = None
depends_on = None

SCHEMA = "reporting"


def _schema() -> str | None:
    # Migrations run without the engine's schema_translate_map: SQLite keeps every table unprefixed.
    return None if op.get_bind().dialect.name == "sqlite" else SCHEMA


def upgrade() -> None:
    op.add_column(
        "report_evaluation_responses", sa.Column("scales", JSONType, nullable=True), schema=_schema()
    )


def downgrade() -> None:
    op.drop_column("report_evaluation_responses", "scales", schema=_schema())
