"""Create the append-only event log, its head row and the triggers that forbid UPDATE and DELETE.

Revision ID: eventlog_0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

from shared.db import JSONType, UTCDateTime
from shared.migrations.helpers import create_schema, drop_schema

revision = "eventlog_0001"
down_revision = None
branch_labels = None
depends_on = None

POSITION = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    create_schema("eventlog")
    op.create_table(
        "events",
        sa.Column("position", POSITION, primary_key=True, autoincrement=False),
        sa.Column("event_id", sa.Uuid, nullable=False, unique=True),
        sa.Column("stream_type", sa.String(64), nullable=False),
        sa.Column("stream_id", sa.String(64), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("type", sa.String(128), nullable=False),
        sa.Column("schema_version", sa.Integer, nullable=False),
        sa.Column("occurred_at", UTCDateTime, nullable=False),
        sa.Column("recorded_at", UTCDateTime, nullable=False),
        sa.Column("actor_id", sa.String(64)),
        sa.Column("correlation_id", sa.String(128)),
        sa.Column("causation_id", sa.String(64)),
        sa.Column("district_id", sa.String(64)),
        sa.Column("payload", JSONType, nullable=False),
        sa.Column("metadata", JSONType, nullable=False),
        sa.Column("prev_hash", sa.String(64), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
        sa.UniqueConstraint("stream_type", "stream_id", "version", name="uq_events_stream_version"),
        schema="eventlog",
    )
    op.create_index("ix_events_type_position", "events", ["type", "position"], schema="eventlog")
    op.create_index("ix_events_district_position", "events", ["district_id", "position"], schema="eventlog")
    op.create_table(
        "head",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("position", POSITION, nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
        sa.CheckConstraint("id = 1", name="ck_head_single_row"),
        schema="eventlog",
    )
    op.execute(
        sa.text("INSERT INTO " + _name("head") + " (id, position, hash) VALUES (1, 0, '" + "0" * 64 + "')")
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            """
            CREATE FUNCTION eventlog.forbid_change() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                RAISE EXCEPTION 'eventlog.events is append-only: % is not allowed', TG_OP
                    USING ERRCODE = 'insufficient_privilege';
            END $$
            """
        )
        op.execute(
            "CREATE TRIGGER events_append_only BEFORE UPDATE OR DELETE ON eventlog.events "
            "FOR EACH ROW EXECUTE FUNCTION eventlog.forbid_change()"
        )
        op.execute(
            "CREATE TRIGGER events_no_truncate BEFORE TRUNCATE ON eventlog.events "
            "FOR EACH STATEMENT EXECUTE FUNCTION eventlog.forbid_change()"
        )
    else:
        op.execute(
            "CREATE TRIGGER events_no_update BEFORE UPDATE ON events "
            "BEGIN SELECT RAISE(ABORT, 'events is append-only: UPDATE is not allowed'); END"
        )
        op.execute(
            "CREATE TRIGGER events_no_delete BEFORE DELETE ON events "
            "BEGIN SELECT RAISE(ABORT, 'events is append-only: DELETE is not allowed'); END"
        )


def _name(table: str) -> str:
    return table if op.get_bind().dialect.name == "sqlite" else f"eventlog.{table}"


def downgrade() -> None:
    op.drop_table("head", schema="eventlog")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TABLE eventlog.events")
        op.execute("DROP FUNCTION eventlog.forbid_change()")
    else:
        op.drop_table("events", schema="eventlog")
    drop_schema("eventlog")
