"""The append's statements, run on the session's own DB-API connection with fixed SQL per database.

Why not SQLAlchemy Core here: an append is three or four short statements, and Core's per-execution work
(cache-key lookup, parameter and result processing for JSON, UUID and timestamp types, events, the
``schema_translate_map`` rewrite) cost several times the database's own work on SQLite. The connection is
the session's, so the append stays inside the caller's transaction and commits or rolls back with it;
DB-API errors are raised as SQLAlchemy's (``OperationalError`` still answers 503), and a lost connection is
invalidated as Core would.

Values are converted here as the column types would (``shared.eventlog.tables``): on SQLite a UUID is its
32-digit hex, a timestamp the naive UTC text SQLAlchemy writes (``YYYY-MM-DD HH:MM:SS.ffffff``, so that
range filters compare alike), JSON documents come as their canonical text (the hashed form); PostgreSQL's driver takes UUIDs and aware
datetimes as they are and the JSON text for ``jsonb``.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection

from shared.dbapi import sqlite_timestamp, translated

# Column order of every INSERT below (and of ``Row``).
_COLUMNS = (
    "position",
    "event_id",
    "stream_type",
    "stream_id",
    "version",
    "type",
    "schema_version",
    "occurred_at",
    "recorded_at",
    "actor_id",
    "correlation_id",
    "causation_id",
    "district_id",
    "payload",
    "metadata",
    "prev_hash",
    "hash",
)

# SQLite: one statement takes the write lock (a no-op UPDATE of the head, in case the transaction began
# deferred) and, under it, returns the head and the stream's current version.
_LOCK_SQLITE = (
    "UPDATE head SET position = position WHERE id = 1 RETURNING position, hash, "
    "(SELECT coalesce(max(version), 0) FROM events WHERE stream_type = ? AND stream_id = ?)"
)
_INSERT_SQLITE = f"INSERT INTO events ({', '.join(_COLUMNS)}) VALUES ({', '.join('?' * len(_COLUMNS))})"
_MOVE_HEAD_SQLITE = "UPDATE head SET position = ?, hash = ? WHERE id = 1"

# PostgreSQL: lock the head row, then read the stream version in a second statement. In one statement the
# version subquery would use the snapshot taken *before* waiting for the lock and could miss an event of the
# same stream committed meanwhile (READ COMMITTED re-checks only the locked row). Both go in one pipeline
# (one round trip): the server runs the second after the first has its lock, with a fresh snapshot.
_LOCK_POSTGRESQL = "SELECT position, hash FROM eventlog.head WHERE id = 1 FOR UPDATE"
_VERSION_POSTGRESQL = (
    "SELECT coalesce(max(version), 0) FROM eventlog.events WHERE stream_type = %s AND stream_id = %s"
)
_INSERT_POSTGRESQL = (
    f"INSERT INTO eventlog.events ({', '.join(_COLUMNS)}) VALUES ({', '.join(['%s'] * len(_COLUMNS))})"
)
_MOVE_HEAD_POSTGRESQL = "UPDATE eventlog.head SET position = %s, hash = %s WHERE id = 1"


def lock_head(conn: Connection, stream_type: str, stream_id: str) -> tuple[int, str, int]:
    """Take the append lock; return the head position, the head hash and the stream's current version."""
    dbapi: Any = conn.connection.dbapi_connection
    params = (stream_type, stream_id)
    if conn.dialect.name == "sqlite":
        try:
            position, head_hash, version = dbapi.execute(_LOCK_SQLITE, params).fetchone()
        except conn.dialect.loaded_dbapi.Error as exc:
            raise translated(conn, _LOCK_SQLITE, params, exc) from exc
        return int(position), str(head_hash), int(version)
    try:
        head = dbapi.cursor()
        current = dbapi.cursor()
        with dbapi.pipeline():
            head.execute(_LOCK_POSTGRESQL)
            current.execute(_VERSION_POSTGRESQL, params)
        position, head_hash = head.fetchone()
        (version,) = current.fetchone()
    except conn.dialect.loaded_dbapi.Error as exc:
        raise translated(conn, _LOCK_POSTGRESQL, params, exc) from exc
    return int(position), str(head_hash), int(version)


Row = tuple[
    int, uuid.UUID, str, str, int, str, int, datetime, datetime, Any, Any, Any, Any, str, str, str, str
]
"""One event in ``_COLUMNS`` order: Python values, except payload and metadata as their JSON text."""


def insert(conn: Connection, rows: Sequence[Row]) -> None:
    """Insert the events and move the head to the last of them (its position and hash)."""
    dbapi: Any = conn.connection.dbapi_connection
    move = (rows[-1][0], rows[-1][16])
    if conn.dialect.name != "sqlite":
        try:
            cursor = dbapi.cursor()
            with dbapi.pipeline():
                cursor.executemany(_INSERT_POSTGRESQL, rows)
                cursor.execute(_MOVE_HEAD_POSTGRESQL, move)
        except conn.dialect.loaded_dbapi.Error as exc:
            raise translated(conn, _INSERT_POSTGRESQL, rows, exc) from exc
        return
    # An append's events share their two timestamps: each is converted once.
    stamps: dict[datetime, str] = {}
    values = []
    for row in rows:
        occurred = stamps.get(row[7]) or stamps.setdefault(row[7], sqlite_timestamp(row[7]))
        recorded = stamps.get(row[8]) or stamps.setdefault(row[8], sqlite_timestamp(row[8]))
        values.append((*row[:1], row[1].hex, *row[2:7], occurred, recorded, *row[9:]))
    try:
        if len(values) == 1:
            dbapi.execute(_INSERT_SQLITE, values[0])
        else:
            dbapi.executemany(_INSERT_SQLITE, values)
        dbapi.execute(_MOVE_HEAD_SQLITE, move)
    except conn.dialect.loaded_dbapi.Error as exc:
        raise translated(conn, _INSERT_SQLITE, values, exc) from exc
