"""Engines, sessions and column types that behave the same on SQLite and PostgreSQL.

Each service keeps its tables in its own PostgreSQL schema (``registry``, ``workshops``, ``reporting``) and
the event log lives in ``eventlog``. SQLite has no schemas, so on SQLite the engine maps every schema to the
main database with SQLAlchemy's ``schema_translate_map``: models and migrations are written once.

SQLite runs in WAL mode with foreign keys on and a busy timeout. Write transactions start with
``BEGIN IMMEDIATE`` so two writers queue on the busy timeout instead of failing when a read transaction tries
to upgrade to a write (SQLITE_BUSY_SNAPSHOT); read transactions stay deferred so they never block writers.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, Connection, DateTime, Engine, create_engine, event, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.engine import Dialect, make_url
from sqlalchemy.types import TypeDecorator
from sqlmodel import Session

SCHEMAS: tuple[str, ...] = ("eventlog", "platform", "registry", "workshops", "reporting")
SQLITE_WRITE_OPTION = "communitylab_write"
SQLITE_AUTOCOMMIT_OPTION = "communitylab_autocommit"

JSONType = JSON().with_variant(JSONB(), "postgresql")


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC timestamp on both databases; naive datetimes are refused."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """Store as UTC; SQLite keeps the naive UTC wall time."""
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("timestamps must be timezone-aware")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """Read back as an aware UTC datetime."""
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def utcnow() -> datetime:
    """The current time, timezone-aware UTC, at microsecond precision."""
    return datetime.now(UTC)


def is_sqlite(url: str) -> bool:
    """True when the URL points at SQLite."""
    return make_url(url).get_backend_name() == "sqlite"


def normalise_url(url: str) -> str:
    """Use psycopg 3 for plain ``postgresql://`` URLs."""
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


def _prepare_sqlite_engine(engine: Engine, busy_timeout_ms: int) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy's "begin" event own BEGIN so SAVEPOINTs and BEGIN IMMEDIATE work.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        options = conn.get_execution_options()
        if options.get(SQLITE_AUTOCOMMIT_OPTION, False):
            return  # each statement is its own read transaction (pysqlite's handling is off)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if options.get(SQLITE_WRITE_OPTION, False) else "BEGIN")


def make_engine(
    url: str, *, pool_size: int = 10, max_overflow: int = 10, busy_timeout_ms: int = 15000
) -> Engine:
    """Create an engine for SQLite (WAL, foreign keys, busy timeout) or PostgreSQL (psycopg 3, pooled)."""
    url = normalise_url(url)
    if is_sqlite(url):
        database = make_url(url).database
        if database and database != ":memory:":
            os.makedirs(os.path.dirname(os.path.abspath(database)), exist_ok=True)
        # One fixed pool: SQLite has one writer whatever the pool holds, and overflow connections would be
        # opened and closed per burst, each paying its four PRAGMAs; the same total stays open instead.
        engine = create_engine(
            url,
            pool_size=pool_size + max_overflow,
            max_overflow=0,
            connect_args={"check_same_thread": False, "timeout": busy_timeout_ms / 1000},
            execution_options={"schema_translate_map": {name: None for name in SCHEMAS}},
        )
        _prepare_sqlite_engine(engine, busy_timeout_ms)
        return engine
    return create_engine(
        url,
        pool_size=pool_size,
        max_overflow=max_overflow,
        pool_pre_ping=True,
        pool_recycle=1800,
    )


@dataclass
class Database:
    """One process's engine plus a write-flavoured view of it."""

    engine: Engine
    write_engine: Engine = field(init=False)
    autocommit_engine: Engine = field(init=False)

    def __post_init__(self) -> None:
        self.write_engine = self.engine.execution_options(**{SQLITE_WRITE_OPTION: True})
        # No BEGIN and no ROLLBACK around a read of one statement: on SQLite two fewer driver calls (each
        # gives up the GIL and waits to take it back under load), on PostgreSQL two fewer round trips.
        self.autocommit_engine = (
            self.engine.execution_options(**{SQLITE_AUTOCOMMIT_OPTION: True})
            if self.engine.dialect.name == "sqlite"
            else self.engine.execution_options(isolation_level="AUTOCOMMIT")
        )

    @classmethod
    def from_url(cls, url: str, **kwargs: Any) -> Database:
        """Build a Database from a URL."""
        return cls(make_engine(url, **kwargs))

    @property
    def dialect(self) -> str:
        """``sqlite`` or ``postgresql``."""
        return self.engine.dialect.name

    def session(self, *, write: bool = True) -> Session:
        """A new session; write sessions take SQLite's write lock at BEGIN."""
        return Session(self.write_engine if write else self.engine, expire_on_commit=False)

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """A write session that commits on success and rolls back on error."""
        with self.session(write=True) as session:
            try:
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                raise

    @contextmanager
    def read_connection(self, *, autocommit: bool = False) -> Iterator[Connection]:
        """A connection for Core reads; nothing is committed.

        By default its statements share one read transaction (one snapshot), rolled back at the end. With
        ``autocommit`` each statement is its own transaction: for reads of a single statement, where it saves
        the BEGIN and the ROLLBACK.
        """
        with (self.autocommit_engine if autocommit else self.engine).connect() as connection:
            yield connection

    @contextmanager
    def pinned(self) -> Iterator[Session]:
        """A write session on one connection held for a run of short transactions (each ``commit`` ends one).

        For loops that commit often (the webhook dispatcher): no pool checkout, and on PostgreSQL no
        pre-ping round trip, between the transactions. The caller commits or rolls back; an open transaction
        is rolled back when the connection goes back to the pool.
        """
        with (
            self.write_engine.connect() as connection,
            Session(bind=connection, expire_on_commit=False) as session,
        ):
            yield session

    def ping(self) -> None:
        """Raise if the database cannot be reached."""
        with self.engine.connect() as conn:
            conn.execute(text("SELECT 1"))

    def dispose(self) -> None:
        """Close pooled connections."""
        self.engine.dispose()


def qualified(table: str, schema: str, dialect: str) -> str:
    """A table name qualified with its schema where the dialect has schemas (for raw SQL)."""
    return table if dialect == "sqlite" else f"{schema}.{table}"
