"""An index on people's lower-cased e-mail: registration looks a duplicate up by it on every POST /people.

Revision ID: registry_0006_email_index
Revises: registry_0005_architecture
"""

import sqlalchemy as sa
from alembic import op

revision = "registry_0006_email_index"
down_revision = "registry_0005_architecture"
branch_labels = None
depends_on = None

SCHEMA = "registry"


def upgrade() -> None:
    op.create_index("ix_people_email_lower", "people", [sa.text("lower(email)")], schema=SCHEMA)


def downgrade() -> None:
    op.drop_index("ix_people_email_lower", table_name="people", schema=SCHEMA)
