"""Sessions inside a workshop: agenda, Open Space topics and moves, World Café, pollination links, minutes.

Revision ID: workshops_sessions_0002
Revises: workshops_sessions_0001
"""

import sqlalchemy as sa
from alembic import op

from shared.db import JSONType, UTCDateTime

revision = "workshops_sessions_0002"
down_revision = "workshops_sessions_0001"
branch_labels = None
depends_on = None

SCHEMA = "workshops"


def _index(table: str, *columns: str) -> None:
    op.create_index(f"ix_{SCHEMA}_{table}_{'_'.join(columns)}", table, list(columns), schema=SCHEMA)


def upgrade() -> None:
    op.create_table(
        "agenda_items",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("workshop_id", sa.Uuid(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("starts_at", UTCDateTime(), nullable=False),
        sa.Column("duration_minutes", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("facilitator_id", sa.String(64), nullable=True),
        sa.UniqueConstraint("workshop_id", "position", name="uq_agenda_items_workshop_position"),
        schema=SCHEMA,
    )
    _index("agenda_items", "workshop_id")
    op.create_table(
        "ost_topics",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("workshop_id", sa.Uuid(), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("convener_id", sa.String(64), nullable=True),
        sa.Column("slot_label", sa.String(100), nullable=True),
        sa.Column("slot_starts_at", UTCDateTime(), nullable=True),
        sa.Column("slot_ends_at", UTCDateTime(), nullable=True),
        sa.Column("space", sa.String(200), nullable=False),
        sa.Column("report_text", sa.Text(), nullable=True),
        sa.Column("report_key_points", JSONType, nullable=False),
        sa.Column("report_proposals", JSONType, nullable=False),
        sa.Column("reported_at", UTCDateTime(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        schema=SCHEMA,
    )
    _index("ost_topics", "workshop_id")
    op.create_table(
        "ost_participations",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("workshop_id", sa.Uuid(), nullable=False),
        sa.Column("topic_id", sa.Uuid(), sa.ForeignKey(f"{SCHEMA}.ost_topics.id"), nullable=False),
        sa.Column("participant_key", sa.String(80), nullable=False),
        sa.Column("person_id", sa.String(64), nullable=True),
        sa.Column("participant_code", sa.String(64), nullable=True),
        sa.Column("joined_at", UTCDateTime(), nullable=False),
        sa.Column("left_at", UTCDateTime(), nullable=True),
        sa.Column("left_reason", sa.String(20), nullable=True),
        schema=SCHEMA,
    )
    _index("ost_participations", "topic_id")
    op.create_index(
        "ix_ost_participations_workshop_participant",
        "ost_participations",
        ["workshop_id", "participant_key"],
        schema=SCHEMA,
    )
    op.create_table(
        "cafe_tables",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("workshop_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("host_id", sa.String(64), nullable=True),
        sa.Column("theme", sa.String(200), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        schema=SCHEMA,
    )
    _index("cafe_tables", "workshop_id")
    op.create_table(
        "cafe_rounds",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("workshop_id", sa.Uuid(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("question", sa.Text(), nullable=False),
        sa.Column("duration_minutes", sa.Integer(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.UniqueConstraint("workshop_id", "number", name="uq_cafe_rounds_workshop_number"),
        schema=SCHEMA,
    )
    _index("cafe_rounds", "workshop_id")
    op.create_table(
        "cafe_notes",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("workshop_id", sa.Uuid(), nullable=False),
        sa.Column("table_id", sa.Uuid(), sa.ForeignKey(f"{SCHEMA}.cafe_tables.id"), nullable=False),
        sa.Column("round_id", sa.Uuid(), sa.ForeignKey(f"{SCHEMA}.cafe_rounds.id"), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("key_ideas", JSONType, nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        schema=SCHEMA,
    )
    _index("cafe_notes", "workshop_id")
    _index("cafe_notes", "table_id")
    _index("cafe_notes", "round_id")
    op.create_table(
        "cafe_harvests",
        sa.Column("workshop_id", sa.Uuid(), primary_key=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("key_ideas", JSONType, nullable=False),
        sa.Column("themes", JSONType, nullable=False),
        sa.Column("recorded_at", UTCDateTime(), nullable=False),
        schema=SCHEMA,
    )
    op.create_table(
        "pollination_links",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("workshop_id", sa.Uuid(), nullable=False),
        sa.Column("from_kind", sa.String(20), nullable=False),
        sa.Column("from_id", sa.Uuid(), nullable=False),
        sa.Column("to_kind", sa.String(20), nullable=False),
        sa.Column("to_id", sa.Uuid(), nullable=False),
        sa.Column("to_workshop_id", sa.Uuid(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        schema=SCHEMA,
    )
    _index("pollination_links", "workshop_id")
    _index("pollination_links", "to_workshop_id")
    op.create_table(
        "workshop_minutes",
        sa.Column("workshop_id", sa.Uuid(), primary_key=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("attendees_count", sa.Integer(), nullable=True),
        sa.Column("contributions_count", sa.Integer(), nullable=True),
        sa.Column("decisions", JSONType, nullable=False),
        sa.Column("follow_ups", JSONType, nullable=False),
        sa.Column("recorded_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        schema=SCHEMA,
    )


def downgrade() -> None:
    for table in (
        "workshop_minutes",
        "pollination_links",
        "cafe_harvests",
        "cafe_notes",
        "cafe_rounds",
        "cafe_tables",
        "ost_participations",
        "ost_topics",
        "agenda_items",
    ):
        op.drop_table(table, schema=SCHEMA)
