"""Phases say whether participants may put forward proposals during their days.

Revision ID: workshops_0005_open_to_proposals
Revises: workshops_0005
"""

import sqlalchemy as sa
from alembic import op

revision = "workshops_0005_open_to_proposals"
down_revision = "workshops_0005"
branch_labels = None
depends_on = None

SCHEMA = "workshops"


def _schema() -> str | None:
    # On SQLite the schema is mapped to the one file for tables, but ALTER TABLE takes the bare name.
    return None if op.get_bind().dialect.name == "sqlite" else SCHEMA


def upgrade() -> None:
    # A plain ADD COLUMN (SQLite too): a batch copy of the table would trip over its foreign key.
    op.add_column(
        "process_phases",
        sa.Column("open_to_proposals", sa.Boolean(), nullable=False, server_default=sa.false()),
        schema=_schema(),
    )


def downgrade() -> None:
    op.drop_column("process_phases", "open_to_proposals", schema=_schema())
