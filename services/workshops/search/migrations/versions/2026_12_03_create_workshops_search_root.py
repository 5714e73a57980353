"""Root of the workshops_search migrations: make sure the workshops schema exists.

Revision ID: workshops_search_0001
Revises:
"""

from shared.migrations.helpers import create_schema

revision = "workshops_search_0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_schema("workshops")


def downgrade() -> None:
    pass
