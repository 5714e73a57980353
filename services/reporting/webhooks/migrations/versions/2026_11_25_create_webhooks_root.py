"""Root of the webhooks migrations: make sure the reporting schema exists.

Revision ID: webhooks_0001
Revises:
"""

from shared.migrations.helpers import create_schema

revision = "webhooks_0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_schema("reporting")


def downgrade() -> None:
    pass
