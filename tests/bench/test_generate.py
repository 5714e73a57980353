"""`communitylab generate` writes a small region through the services' own code, and the log verifies."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from services.cli import main
from shared.db import make_engine
from shared.eventlog import verify_chain
from shared.eventlog.tables import events


def test_generate_writes_every_kind_of_event(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    url = f"sqlite:///{tmp_path / 'generated.db'}"
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
