"""Several consumers at once (several reporting processes or workers): each event is applied by exactly one
of them, because each batch locks the checkpoints before reading. Runs on a committed database of its own
(a throw-away PostgreSQL database when the suite runs on PostgreSQL, else a SQLite file)."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from sqlalchemy.engine import make_url
from sqlmodel import select

from services.reporting.consumer import run_once
from services.reporting.diary import diary
from services.reporting.models import Checkpoint
from shared.db import Database
from shared.eventlog import last_position
from shared.migrations import upgrade_all
from tests.reporting.conftest import EventScript
from tests.reporting.scripted import DIARY_A, build


@pytest.fixture
def own_database(database_url: str, tmp_path: Path) -> Iterator[Database]:
    if not database_url.startswith("postgresql"):
        database = Database.from_url(f"sqlite:///{tmp_path / 'consumers.db'}")
        yield database
        database.dispose()
        return
    url = make_url(database_url)
    admin = url.set(drivername="postgresql").render_as_string(hide_password=False)
    name = f"reporting_consumers_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    database = Database.from_url(url.set(database=name).render_as_string(hide_password=False))
    try:
        yield database
    finally:
        database.dispose()
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_concurrent_consumers_apply_each_event_once(own_database: Database) -> None:
    upgrade_all(own_database.engine)
    with own_database.transaction() as session:
        ids = build(EventScript(session)).ids
        head = last_position(session)
    applied: list[int] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def consumer() -> None:
        try:
            while (count := run_once(own_database, batch_size=9)) > 0:
                with lock:
                    applied.append(count)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=consumer) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    # Every event was read by exactly one batch: no two consumers applied the same events.
    assert sum(applied) == head
    with own_database.session(write=False) as session:
        assert {c.position for c in session.exec(select(Checkpoint))} == {head}
        report = diary(session=session, district_id=uuid.UUID(ids["A"]), edition_id=uuid.UUID(ids["E1"]))
    assert report["summary"] == DIARY_A["summary"]
    assert report["participation"]["by_category"] == DIARY_A["participation"]["by_category"]
