"""Helpers for the few hot paths that run fixed SQL on a session's own DB-API connection instead of Core.

Those paths (the event log's append and lean reads, the read models' bulk writes) still run inside the
session's transaction; these helpers keep them behaving like Core where it matters: errors raised as
SQLAlchemy raises them, and values written as the column types would write them.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection
from sqlalchemy.exc import DBAPIError, StatementError


def translated(conn: Connection, statement: str, params: Any, exc: Any) -> StatementError:
    """A DB-API error as SQLAlchemy raises it (its exception classes; a dropped connection invalidated).

    So callers keep catching ``IntegrityError`` or answering ``OperationalError`` with 503.
    """
    dialect = conn.dialect
    disconnect = dialect.is_disconnect(exc, conn.connection.dbapi_connection, None)
    if disconnect:
        conn.invalidate(exc)
    error: StatementError = DBAPIError.instance(
        statement, params, exc, dialect.loaded_dbapi.Error, connection_invalidated=disconnect, dialect=dialect
    )
    return error


def sqlite_timestamp(value: datetime) -> str:
    """A timestamp as ``UTCDateTime`` stores it on SQLite: naive UTC text, ``YYYY-MM-DD HH:MM:SS.ffffff``."""
    return value.astimezone(UTC).replace(tzinfo=None).isoformat(sep=" ", timespec="microseconds")
