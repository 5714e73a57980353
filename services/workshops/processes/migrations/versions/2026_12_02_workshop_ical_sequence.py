"""Workshops' iCalendar SEQUENCE: counts changes of the calendar entry itself, not every event of the stream.

Existing rows start from their stream version, the SEQUENCE feeds published so far, so no client sees it go
down.

Revision ID: workshops_0005
Revises: workshops_0004
"""

import sqlalchemy as sa
from alembic import op

revision = "workshops_0005"
down_revision = "workshops_0004"
branch_labels = None
depends_on = None

SCHEMA = "workshops"


def _schema() -> str | None:
    # ALTER TABLE is rendered by name, outside schema_translate_map: on SQLite the schemas are one file.
    return None if op.get_bind().dialect.name == "sqlite" else SCHEMA


def upgrade() -> None:
    op.add_column(
        "workshops",
        sa.Column("ical_sequence", sa.Integer(), nullable=False, server_default="0"),
        schema=_schema(),
    )
    workshops = sa.table("workshops", sa.column("ical_sequence"), sa.column("version"), schema=_schema())
    op.execute(workshops.update().values(ical_sequence=workshops.c.version))


def downgrade() -> None:
    with op.batch_alter_table("workshops", schema=_schema()) as batch:
        batch.drop_column("ical_sequence")
