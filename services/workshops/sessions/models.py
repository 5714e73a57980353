"""Tables of the sessions domain: what happens inside a workshop.

Agenda items, Open Space topics and the participants' moves between them, World Café tables, rounds, notes
and harvest, cross-pollination links and the minutes. Every row belongs to one workshop (``workshop_id``, a
plain UUID column: the workshops table lives in another migration component, so no database foreign key);
every change is an event of that workshop's stream, whose version is the workshop row's ``version``.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from shared.db import JSONType, UTCDateTime, utcnow

SCHEMA = "workshops"


class OriginKind(StrEnum):
    """Things inside a workshop an outcome or a pollination link can point at."""

    WORKSHOP = "workshop"
    OST_TOPIC = "ost_topic"
    CAFE_TABLE = "cafe_table"
    CAFE_ROUND = "cafe_round"


class AgendaItem(SQLModel, table=True):
    """One item of a workshop's agenda, in ``position`` order."""

    __tablename__ = "agenda_items"
    __table_args__ = (
        sa.UniqueConstraint("workshop_id", "position", name="uq_agenda_items_workshop_position"),
        {"schema": SCHEMA},
    )

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    workshop_id: uuid.UUID = Field(index=True)
    position: int
    starts_at: datetime = Field(sa_type=UTCDateTime)
    duration_minutes: int
    title: str = Field(max_length=200)
    description: str = Field(default="", sa_type=sa.Text)
    facilitator_id: str | None = Field(default=None, max_length=64)


class OstTopic(SQLModel, table=True):
    """A topic proposed at the Open Space marketplace, with its slot, space and instant report."""

    __tablename__ = "ost_topics"
    __table_args__ = {"schema": SCHEMA}

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    workshop_id: uuid.UUID = Field(index=True)
    title: str = Field(max_length=200)
    description: str = Field(default="", sa_type=sa.Text)
    # Registry person id of the convener; null for an anonymous convener.
    convener_id: str | None = Field(default=None, max_length=64)
    slot_label: str | None = Field(default=None, max_length=100)
    slot_starts_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    slot_ends_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    space: str = Field(max_length=200)
    report_text: str | None = Field(default=None, sa_type=sa.Text)
    report_key_points: list[str] = Field(default_factory=list, sa_type=JSONType)
    report_proposals: list[str] = Field(default_factory=list, sa_type=JSONType)
    reported_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class OstParticipation(SQLModel, table=True):
    """One stay of a participant in a topic: joined, and left (explicitly or by moving to another topic)."""

    __tablename__ = "ost_participations"
    __table_args__ = (
        sa.Index("ix_ost_participations_workshop_participant", "workshop_id", "participant_key"),
        {"schema": SCHEMA},
    )

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    workshop_id: uuid.UUID
    topic_id: uuid.UUID = Field(foreign_key="workshops.ost_topics.id", index=True)
    # "person:<registry id>" or "code:<badge code>" (anonymous participants are tracked by a badge code).
    participant_key: str = Field(max_length=80)
    person_id: str | None = Field(default=None, max_length=64)
    participant_code: str | None = Field(default=None, max_length=64)
    joined_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    left_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    left_reason: str | None = Field(default=None, max_length=20)


class CafeTable(SQLModel, table=True):
    """A World Café table and its host (who stays while the others move)."""

    __tablename__ = "cafe_tables"
    __table_args__ = {"schema": SCHEMA}

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    workshop_id: uuid.UUID = Field(index=True)
    name: str = Field(max_length=200)
    host_id: str | None = Field(default=None, max_length=64)
    theme: str = Field(default="", max_length=200)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class CafeRound(SQLModel, table=True):
    """A World Café round: its number, question and duration."""

    __tablename__ = "cafe_rounds"
    __table_args__ = (
        sa.UniqueConstraint("workshop_id", "number", name="uq_cafe_rounds_workshop_number"),
        {"schema": SCHEMA},
    )

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    workshop_id: uuid.UUID = Field(index=True)
    number: int
    question: str = Field(sa_type=sa.Text)
    duration_minutes: int
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class CafeNote(SQLModel, table=True):
    """What one table produced in one round."""

    __tablename__ = "cafe_notes"
    __table_args__ = {"schema": SCHEMA}

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    workshop_id: uuid.UUID = Field(index=True)
    table_id: uuid.UUID = Field(foreign_key="workshops.cafe_tables.id", index=True)
    round_id: uuid.UUID = Field(foreign_key="workshops.cafe_rounds.id", index=True)
    text: str = Field(sa_type=sa.Text)
    key_ideas: list[str] = Field(default_factory=list, sa_type=JSONType)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class CafeHarvest(SQLModel, table=True):
    """The final plenary harvest of a World Café (one per workshop, replaced when recorded again)."""

    __tablename__ = "cafe_harvests"
    __table_args__ = {"schema": SCHEMA}

    workshop_id: uuid.UUID = Field(primary_key=True)
    text: str = Field(sa_type=sa.Text)
    key_ideas: list[str] = Field(default_factory=list, sa_type=JSONType)
    themes: list[str] = Field(default_factory=list, sa_type=JSONType)
    recorded_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class PollinationLink(SQLModel, table=True):
    """An idea carried from one table, topic or workshop to another (possibly of another workshop)."""

    __tablename__ = "pollination_links"
    __table_args__ = {"schema": SCHEMA}

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    # The workshop whose stream recorded the link (the "from" side's workshop).
    workshop_id: uuid.UUID = Field(index=True)
    from_kind: str = Field(max_length=20)
    from_id: uuid.UUID
    to_kind: str = Field(max_length=20)
    to_id: uuid.UUID
    to_workshop_id: uuid.UUID = Field(index=True)
    note: str = Field(default="", sa_type=sa.Text)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class WorkshopMinutes(SQLModel, table=True):
    """The minutes / closing report of a workshop (one per workshop, replaced when recorded again)."""

    __tablename__ = "workshop_minutes"
    __table_args__ = {"schema": SCHEMA}

    workshop_id: uuid.UUID = Field(primary_key=True)
    text: str = Field(sa_type=sa.Text)
    # As reported by the facilitator; attendance recorded by the processes domain takes precedence on read.
    attendees_count: int | None = None
    contributions_count: int | None = None
    decisions: list[str] = Field(default_factory=list, sa_type=JSONType)
    follow_ups: list[dict[str, Any]] = Field(default_factory=list, sa_type=JSONType)
    recorded_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
