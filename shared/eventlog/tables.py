"""The ``events`` table, its one-row ``head`` (last position and hash) and the signed ``checkpoints``."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Column,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    UniqueConstraint,
    Uuid,
)

from shared.db import JSONType, UTCDateTime

metadata = MetaData()

PositionType = BigInteger().with_variant(Integer(), "sqlite")

events = Table(
    "events",
    metadata,
    Column("position", PositionType, primary_key=True, autoincrement=False),
    Column("event_id", Uuid, nullable=False, unique=True),
    Column("stream_type", String(64), nullable=False),
    Column("stream_id", String(64), nullable=False),
    Column("version", Integer, nullable=False),
    Column("type", String(128), nullable=False),
    Column("schema_version", Integer, nullable=False),
    Column("occurred_at", UTCDateTime, nullable=False),
    Column("recorded_at", UTCDateTime, nullable=False),
    Column("actor_id", String(64)),
    Column("correlation_id", String(128)),
    Column("causation_id", String(64)),
    Column("district_id", String(64)),
    Column("payload", JSONType, nullable=False),
    Column("metadata", JSONType, nullable=False),
    Column("prev_hash", String(64), nullable=False),
    Column("hash", String(64), nullable=False),
    UniqueConstraint("stream_type", "stream_id", "version", name="uq_events_stream_version"),
    Index("ix_events_type_position", "type", "position"),
    Index("ix_events_district_position", "district_id", "position"),
    Index("ix_events_stream_position", "stream_type", "stream_id", "position"),
    schema="eventlog",
)

head = Table(
    "head",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("position", PositionType, nullable=False),
    Column("hash", String(64), nullable=False),
    schema="eventlog",
)

# A convenience copy of the signed checkpoints (the signature, checked with keys kept outside the database,
# is what counts): one row per (position, key), so re-signing after a key rotation adds a row.
log_checkpoints = Table(
    "log_checkpoints",
    metadata,
    Column("id", PositionType, primary_key=True, autoincrement=True),
    Column("position", PositionType, nullable=False),
    Column("head_hash", String(64), nullable=False),
    Column("root_hash", String(64), nullable=False),
    Column("signed_at", UTCDateTime, nullable=False),
    Column("key_id", String(64), nullable=False),
    Column("signature", String(128), nullable=False),
    UniqueConstraint("position", "key_id", name="uq_log_checkpoints_position_key"),
    schema="eventlog",
)

GENESIS_HASH = "0" * 64
