"""`communitylab generate` writes a small region through the services' own code, and the log verifies."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from services.cli import main
from shared.db import make_engine
from shared.eventlog import verify_chain
from shared.eventlog.tables import events
from tests.bench.conftest import ROOT

pytestmark = pytest.mark.slow


@pytest.fixture
def target_url(tmp_path: Path) -> Iterator[str]:
    """A fresh database: PostgreSQL when the suite runs on PostgreSQL (created and dropped), else SQLite."""
    base = os.environ.get("COMMUNITYLAB_TEST_DATABASE_URL", "")
    if not base.startswith("postgresql"):
        yield f"sqlite:///{tmp_path / 'generated.db'}"
        return
    import importlib.util

    spec = importlib.util.spec_from_file_location("bench_benchlib_for_tests", ROOT / "bench" / "benchlib.py")
    assert spec is not None and spec.loader is not None
    benchlib = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(benchlib)
    with benchlib.throwaway_database("postgresql", admin_url=base) as url:
        yield url


def test_generate_writes_every_kind_of_event(target_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    url = target_url
    code = main(["generate", "--districts", "2", "--years", "1", "--scale", "0.3", "--database-url", url])
    out = capsys.readouterr().out
    assert code == 0, out
    assert "events_per_s" in out
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            types = dict(conn.execute(select(events.c.type, func.count()).group_by(events.c.type)).all())
            assert verify_chain(conn).ok
    finally:
        engine.dispose()
    # Two districts x one year: a process each, three workshops each, the priority cycle, evaluations.
    assert types["process.created"] == 2
    assert types["workshop.scheduled"] == 6
    assert types["workshop.attendance_recorded"] == 6
    assert types["invention.created"] == 2
    assert types["priority.proposed"] == 2
    assert types["priority.submitted"] == 2
    assert types["evaluation.response_recorded"] == 2
    assert types["process.status_changed"] == 2
    assert types["district.created"] == 38
