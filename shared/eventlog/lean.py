"""A lean page of the log for consumers that rebuild read models: fixed SQL on the session's DB-API cursor.

The same events as ``read_all`` (same upcasting, position order), minus what such consumers never read: the
hash chain and the metadata are left empty. Why not Core: a catch-up reads every event of the log, and
Core's result processing (UUID, two timestamps and JSON per row, through ``UTCDateTime`` and the dialect's
processors) was a fifth of a catch-up's CPU time; here each value is converted once by a C function.
"""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.orm import Session

from shared.dbapi import sqlite_timestamp, translated
from shared.eventlog.store import RecordedEvent
from shared.eventlog.upcasting import upcast

_COLUMNS = (
    "position, event_id, stream_type, stream_id, version, type, schema_version, occurred_at, recorded_at, "
    "actor_id, correlation_id, causation_id, district_id, payload"
)
_SQLITE = f"SELECT {_COLUMNS} FROM events WHERE position > ? ORDER BY position LIMIT ?"
_SQLITE_KNOWN = (
    f"SELECT {_COLUMNS} FROM events WHERE position > ? AND recorded_at <= ? ORDER BY position LIMIT ?"
)
_POSTGRESQL = f"SELECT {_COLUMNS} FROM eventlog.events WHERE position > %s ORDER BY position LIMIT %s"
_POSTGRESQL_KNOWN = f"SELECT {_COLUMNS} FROM eventlog.events WHERE position > %s AND recorded_at <= %s ORDER BY position LIMIT %s"


def _utc(value: datetime) -> datetime:
    return value if value.tzinfo is UTC else value.astimezone(UTC)


def read_page(
    session: Session, *, after: int, limit: int, known_at: datetime | None = None
) -> list[RecordedEvent]:
    """At most ``limit`` events after ``after`` (recorded by ``known_at`` when given), without hashes or metadata."""
    conn = session.connection()
    dbapi: Any = conn.connection.dbapi_connection
    sqlite = conn.dialect.name == "sqlite"
    params: tuple[Any, ...]
    if known_at is None:
        statement = _SQLITE if sqlite else _POSTGRESQL
        params = (after, limit)
    else:
        statement = _SQLITE_KNOWN if sqlite else _POSTGRESQL_KNOWN
        params = (after, sqlite_timestamp(known_at) if sqlite else known_at, limit)
    try:
        cursor = dbapi.cursor()
        cursor.execute(statement, params)
        rows = cursor.fetchall()
        cursor.close()
    except conn.dialect.loaded_dbapi.Error as exc:
        raise translated(conn, statement, params, exc) from exc
    found: list[RecordedEvent] = []
    append = found.append
    if sqlite:
        # SQLite returns the stored text: a UUID's hex, naive UTC timestamps, the JSON document.
        parse_time, loads, make_uuid = datetime.fromisoformat, json.loads, uuid.UUID
        for row in rows:
            event_type = row[5]
            schema_version, payload = upcast(event_type, row[6], loads(row[13]))
            append(
                RecordedEvent(
                    position=row[0],
                    event_id=make_uuid(row[1]),
                    stream_type=row[2],
                    stream_id=row[3],
                    version=row[4],
                    type=event_type,
                    schema_version=schema_version,
                    occurred_at=parse_time(row[7]).replace(tzinfo=UTC),
                    recorded_at=parse_time(row[8]).replace(tzinfo=UTC),
                    actor_id=row[9],
                    correlation_id=row[10],
                    causation_id=row[11],
                    district_id=row[12],
                    payload=payload,
                    metadata={},
                    prev_hash="",
                    hash="",
                )
            )
        return found
    # psycopg has already made UUIDs, aware datetimes and the decoded jsonb.
    for row in rows:
        event_type = row[5]
        schema_version, payload = upcast(event_type, row[6], row[13])
        append(
            RecordedEvent(
                position=row[0],
                event_id=row[1],
                stream_type=row[2],
                stream_id=row[3],
                version=row[4],
                type=event_type,
                schema_version=schema_version,
                occurred_at=_utc(row[7]),
                recorded_at=_utc(row[8]),
                actor_id=row[9],
                correlation_id=row[10],
                causation_id=row[11],
                district_id=row[12],
                payload=payload,
                metadata={},
                prev_hash="",
                hash="",
            )
        )
    return found
