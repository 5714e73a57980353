"""Create the reporting schema.

Revision ID: reporting_0001
Revises:
"""

from shared.migrations.helpers import create_schema, drop_schema

revision = "reporting_0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_schema("reporting")


def downgrade() -> None:
    drop_schema("reporting")
