"""Create the registry schema.

Revision ID: registry_0001
Revises:
"""

from shared.migrations.helpers import create_schema, drop_schema

revision = "registry_0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_schema("registry")


def downgrade() -> None:
    drop_schema("registry")
