"""Timeline entries carry the state their record reached and when the event was recorded; priority states
in the read models use the workshops API's codes (``in_progress``, ``linked_to_plan_action``).

Revision ID: reporting_0003
Revises: reporting_0002
"""

import sqlalchemy as sa
from alembic import op

from shared.db import UTCDateTime

revision = "reporting_0003"
down_revision = "reporting_0002"
branch_labels = None
depends_on = None

SCHEMA = "reporting"


def _schema() -> str | None:
    # Migrations run without the engine's schema_translate_map: SQLite keeps every table unprefixed.
    return None if op.get_bind().dialect.name == "sqlite" else SCHEMA


def upgrade() -> None:
    op.add_column(
        "report_timeline_entries", sa.Column("state", sa.String(40), nullable=True), schema=_schema()
    )
    op.add_column(
        "report_timeline_entries", sa.Column("recorded_at", UTCDateTime(), nullable=True), schema=_schema()
    )
    # Rows projected before the fix: the same answer a rebuild gives, without waiting for one.
    priorities = sa.table(
        "report_priorities",
        sa.column("status", sa.String()),
        sa.column("plan_action", sa.String()),
        schema=_schema(),
    )
    op.execute(priorities.update().where(priorities.c.status == "started").values(status="in_progress"))
    op.execute(
        priorities.update()
        .where(priorities.c.status == "reported", priorities.c.plan_action.is_not(None))
        .values(status="linked_to_plan_action")
    )


def downgrade() -> None:
    op.drop_column("report_timeline_entries", "recorded_at", schema=_schema())
    op.drop_column("report_timeline_entries", "state", schema=_schema())
