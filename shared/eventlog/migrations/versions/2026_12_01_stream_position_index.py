"""Index events by (stream_type, stream_id, position): multi-stream histories page by position per stream.

Revision ID: eventlog_0002
Revises: eventlog_0001
"""

from alembic import op

revision = "eventlog_0002"
down_revision = "eventlog_0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_events_stream_position",
        "events",
        ["stream_type", "stream_id", "position"],
        schema="eventlog",
    )


def downgrade() -> None:
    op.drop_index("ix_events_stream_position", table_name="events", schema="eventlog")
