"""The backup and restore procedure of docs/operations.md, run for real: pg_dump, pg_restore into a new database,
`communitylab verify-log` and `communitylab migrate` on the copy (skipped without PostgreSQL or its client tools)."""

from __future__ import annotations

import os
import shutil
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from shared.db import Database
from shared.eventlog import NewEvent, append, last_position
from shared.migrations import pending
from tests.ops.conftest import COMMUNITYLAB

ADMIN_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")


def _admin(statement: str) -> None:
    import psycopg

    with psycopg.connect(ADMIN_URL, autocommit=True, connect_timeout=3) as conn:
        conn.execute(statement)


@pytest.fixture
def databases() -> Iterator[tuple[str, str]]:
    """Two throw-away databases (source, restore target) as libpq URLs; dropped afterwards."""
    if not (shutil.which("pg_dump") and shutil.which("pg_restore")):
        pytest.skip("pg_dump/pg_restore not installed")
    try:
        _admin("SELECT 1")
    except Exception as exc:
        pytest.skip(f"PostgreSQL not reachable: {exc}")
    suffix = uuid.uuid4().hex[:10]
    names = (f"cl_backup_src_{suffix}", f"cl_backup_dst_{suffix}")
    for name in names:
        _admin(f'CREATE DATABASE "{name}"')
    try:
        yield tuple(  # type: ignore[misc]
            make_url(ADMIN_URL).set(database=name).render_as_string(hide_password=False) for name in names
        )
    finally:
        for name in names:
            _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _cli(url: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("COMMUNITYLAB_")}
    env["COMMUNITYLAB_DATABASE_URL"] = url
    return subprocess.run(
        [COMMUNITYLAB, *args], env=env, capture_output=True, text=True, timeout=180, check=False
    )


def test_dump_restore_then_verify_log_and_migrate(databases: tuple[str, str], tmp_path: Path) -> None:
    source, target = databases
    assert _cli(source, "migrate").returncode == 0
    database = Database.from_url(source)
    try:
        with database.transaction() as session:
            for n in range(3):
                append(
                    session,
                    stream_type="district",
                    stream_id=str(uuid.uuid4()),
                    expected_version=0,
                    events_to_append=[
                        NewEvent("district.created", {"n": n, "name_it": "Distretto di prova"})
                    ],
                )
        with database.session(write=False) as session:
            events_in_source = last_position(session)
    finally:
        database.dispose()
    assert events_in_source >= 3

    dump = tmp_path / "communitylab.dump"
    dumped = subprocess.run(
        ["pg_dump", "--format=custom", "--no-owner", f"--file={dump}", source],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert dumped.returncode == 0, dumped.stderr
    restored = subprocess.run(
        ["pg_restore", "--no-owner", "--exit-on-error", f"--dbname={target}", str(dump)],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert restored.returncode == 0, restored.stderr

    verified = _cli(target, "verify-log")
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert f"event log verified: {events_in_source} events" in verified.stdout
    migrated = _cli(target, "migrate")
    assert migrated.returncode == 0 and "migrations at head" in migrated.stderr
    copy = Database.from_url(target)
    try:
        assert pending(copy.engine) == []
        # The append-only triggers came back with the restore.
        with pytest.raises(DBAPIError, match=r"append-only"), copy.engine.begin() as conn:
            conn.exec_driver_sql("DELETE FROM eventlog.events")
    finally:
        copy.engine.dispose()
