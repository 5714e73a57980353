"""``communitylab snapshot-processes`` backfills the as-of snapshots of streams written before they existed."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa
from sqlmodel import select

from services.workshops.processes import events
from services.workshops.processes.history import service as history_service
from services.workshops.processes.history import snapshots as history_snapshots
from services.workshops.processes.models import Process, ProcessSnapshot
from shared.db import Database
from shared.eventlog import NewEvent, TimePoint, append
from tests.shared.test_cli import fresh_database, migrated, run_cli

__all__ = ["fresh_database", "migrated"]  # fixtures used through pytest


def _long_process(url: str, updates: int) -> uuid.UUID:
    """A process whose stream holds ``updates`` title changes and no snapshots (as written before they existed).

    The store's snapshot policy writes them with the append; deleting them is what a database from before
    snapshots looks like (they are a cache: no answer changes).
    """
    database = Database.from_url(url)
    district_id = uuid.uuid4()
    process = Process(district_id=district_id, title="Tavolo 0")
    with database.transaction() as session:
        session.add(process)
        session.flush()
        created = events.ProcessCreated(
            process_id=str(process.id),
            district_id=str(district_id),
            edition_id=None,
            title="Tavolo 0",
            purpose="",
            weight="",
            transformations="",
            methods_and_tools="",
            distinctive_marks="",
            started_on=None,
            location="",
            stature={},
            contacts=[],
            status="draft",
        )
        new_events = [NewEvent(events.PROCESS_CREATED, created.dump())] + [
            NewEvent(
                events.PROCESS_UPDATED,
                events.ProcessUpdated(
                    process_id=str(process.id), district_id=str(district_id), changes={"title": f"Tavolo {n}"}
                ).dump(),
            )
            for n in range(1, updates + 1)
        ]
        recorded = append(
            session,
            stream_type=events.PROCESS,
            stream_id=str(process.id),
            expected_version=0,
            events_to_append=new_events,
            district_id=str(district_id),
        )
        process.version = recorded[-1].version
        assert session.exec(select(ProcessSnapshot).where(ProcessSnapshot.process_id == process.id)).all()
        session.execute(sa.delete(ProcessSnapshot).where(ProcessSnapshot.process_id == process.id))  # type: ignore[arg-type]
    database.dispose()
    return process.id


def test_snapshot_processes_backfills_once_and_as_of_answers_stay_the_same(
    migrated: str, tmp_path: Path
) -> None:
    process_id = _long_process(migrated, 1200)  # 1,201 events: snapshots at 500 and 1,000
    database = Database.from_url(migrated)
    now = datetime.now(UTC)
    with database.session(write=False) as session:
        folded = history_service.process_as_of(
            session=session, process_id=process_id, point=TimePoint(known_at=now)
        )
    assert folded.title == "Tavolo 1200" and folded.version == 1201

    first = run_cli(migrated, tmp_path, "snapshot-processes")
    assert first.returncode == 0, first.stderr
    assert json.loads(first.stdout) == {
        "snapshots_written": 2,
        "every": history_snapshots.PROCESS_SNAPSHOT_EVERY,
    }
    again = run_cli(migrated, tmp_path, "snapshot-processes")
    assert json.loads(again.stdout)["snapshots_written"] == 0

    with database.session(write=False) as session:
        versions = session.exec(
            select(ProcessSnapshot.version).where(ProcessSnapshot.process_id == process_id)
        ).all()
        assert sorted(versions) == [500, 1000]
        assert (
            history_service.process_as_of(
                session=session, process_id=process_id, point=TimePoint(known_at=now)
            )
            == folded
        )
    database.dispose()
