"""``communitylab search-reindex``: ``--check`` finds an index left behind, a rebuild puts it back in step."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

from sqlalchemy import event
from sqlalchemy.orm import Session

from services.workshops.processes.models import Process
from services.workshops.search import index
from shared.db import Database
from tests.shared.test_cli import fresh_database, migrated, run_cli

__all__ = ["fresh_database", "migrated"]  # fixtures used through pytest


def test_check_reports_drift_and_reindex_repairs_it(migrated: str, tmp_path: Path) -> None:
    database = Database.from_url(migrated)
    # A writer that bypasses the listener (as a program not importing services.workshops.search.index would).
    event.remove(Session, "after_flush", index._after_flush)
    try:
        with database.transaction() as session:
            process = Process(district_id=uuid.uuid4(), title="Bilancio partecipativo")
            session.add(process)
    finally:
        index.listen()
    database.dispose()

    check = run_cli(migrated, tmp_path, "search-reindex", "--check")
    assert check.returncode == 1, check.stderr
    assert json.loads(check.stdout) == {"in_step": False, "missing": [f"process:{process.id}"]}

    rebuilt = run_cli(migrated, tmp_path, "search-reindex")
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert json.loads(rebuilt.stdout) == {"documents_written": 1}
    again = run_cli(migrated, tmp_path, "search-reindex", "--check")
    assert again.returncode == 0, again.stderr
    assert json.loads(again.stdout) == {"in_step": True}
