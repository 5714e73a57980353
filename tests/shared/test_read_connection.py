"""Database.read_connection on a real engine: autocommit reads open no transaction and leave none behind."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import Connection, Engine, text

from shared.db import Database


def _table(database: Database) -> str:
    return "read_connection_probe" if database.dialect == "sqlite" else "platform.read_connection_probe"


def _in_transaction(connection: Connection) -> bool:
    raw: Any = connection.connection.dbapi_connection
    if connection.dialect.name == "sqlite":
        return bool(raw.in_transaction)
    return bool(raw.info.transaction_status != 0)  # psycopg: 0 is IDLE (no transaction open)


@pytest.fixture
def database(committing_engine: Engine) -> Iterator[Database]:
    # One pooled connection, so every use below takes the same one the previous use gave back.
    probe = Database.from_url(
        committing_engine.url.render_as_string(hide_password=False), pool_size=1, max_overflow=0
    )
    with probe.transaction() as session:
        session.connection().exec_driver_sql(f"CREATE TABLE IF NOT EXISTS {_table(probe)} (id VARCHAR(64))")
    yield probe
    probe.dispose()


def test_autocommit_read_opens_no_transaction(database: Database) -> None:
    table = _table(database)
    marker = uuid.uuid4().hex
    with database.transaction() as session:
        session.connection().execute(text(f"INSERT INTO {table} (id) VALUES (:id)"), {"id": marker})
    with database.read_connection(autocommit=True) as connection:
        found = connection.execute(text(f"SELECT id FROM {table} WHERE id = :id"), {"id": marker}).all()
        assert [r[0] for r in found] == [marker]
        assert not _in_transaction(connection)
    with database.read_connection() as connection:
        connection.execute(text("SELECT 1")).all()
        assert _in_transaction(connection)  # the default keeps its statements in one snapshot


def test_a_write_after_an_autocommit_read_still_rolls_back(database: Database) -> None:
    table = _table(database)
    with database.read_connection(autocommit=True) as connection:
        connection.execute(text("SELECT 1")).all()
    marker = uuid.uuid4().hex
    with pytest.raises(RuntimeError), database.transaction() as session:
        session.connection().execute(text(f"INSERT INTO {table} (id) VALUES (:id)"), {"id": marker})
        raise RuntimeError("abandon the write")
    with database.read_connection(autocommit=True) as connection:
        rows = connection.execute(text(f"SELECT id FROM {table} WHERE id = :id"), {"id": marker}).all()
    assert rows == []  # the connection went back to the pool with its transactions working again
