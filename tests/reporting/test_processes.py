"""Real processes on a throw-away SQLite file: `communitylab rebuild-projections`, and the reporting service's
background consumer (catches up per committed batch, stops cleanly on SIGTERM keeping its checkpoint).

These commit, so they use their own database file instead of the suite's rolled-back transaction.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlmodel import select

from services.reporting.models import Checkpoint, ProcessView
from shared.db import Database
from shared.eventlog import last_position
from shared.migrations import upgrade_all
from tests.reporting.conftest import EventScript
from tests.reporting.scripted import DIARY_A, build

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def committed(tmp_path: Path) -> Iterator[tuple[str, Database, dict[str, str]]]:
    url = f"sqlite:///{tmp_path / 'reporting.db'}"
    database = Database.from_url(url)
    upgrade_all(database.engine)
    with database.transaction() as session:
        ids = build(EventScript(session)).ids
    yield url, database, ids
    database.dispose()


def _env(url: str) -> dict[str, str]:
    return {
        **os.environ,
        "COMMUNITYLAB_DATABASE_URL": url,
        "COMMUNITYLAB_PROJECTION_POLL_SECONDS": "0.1",
        "COMMUNITYLAB_LOG_LEVEL": "WARNING",
    }


def test_rebuild_projections_command(committed: tuple[str, Database, dict[str, str]]) -> None:
    url, database, ids = committed
    with database.session(write=False) as session:
        head = last_position(session)
    result = subprocess.run(
        [sys.executable, "-m", "services.cli", "rebuild-projections", "--batch-size", "50"],
        env=_env(url),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout.strip().splitlines()[-1])
    assert summary["events"] == head and summary["position"] == head
    with database.session(write=False) as session:
        assert {c.position for c in session.exec(select(Checkpoint))} == {head}
        assert session.get(ProcessView, uuid.UUID(ids["PA"])) is not None
    again = subprocess.run(
        [sys.executable, "-m", "services.cli", "rebuild-projections"],
        env=_env(url),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert again.returncode == 0 and json.loads(again.stdout.strip().splitlines()[-1])["events"] == head


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_service_consumes_in_background_and_stops_cleanly(
    committed: tuple[str, Database, dict[str, str]],
) -> None:
    url, database, ids = committed
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "services.cli", "serve", "reporting", "--port", str(port)],
        env=_env(url),
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        lag = None
        while time.monotonic() < deadline:
            try:
                ready = httpx.get(f"{base}/readyz", timeout=2)
                lag = ready.json()["checks"]["projections"]
                if all(v == 0 for k, v in lag.items() if k != "last_position"):
                    break
            except (httpx.HTTPError, KeyError):
                pass
            time.sleep(0.2)
        assert lag is not None and lag["catalogue"] == 0 and lag["timeline"] == 0, lag
        diary = httpx.get(
            f"{base}/districts/{ids['A']}/diary", params={"edition": ids["E1"]}, timeout=10
        ).json()
        assert diary["summary"] == DIARY_A["summary"]

        # A new event committed by a producer shows up without any call to reporting.
        with database.transaction() as session:
            EventScript(session).district("Distretto Tardivo", code="D77", population=5000)
        deadline = time.monotonic() + 30
        codes: list[str] = []
        while time.monotonic() < deadline and "D77" not in codes:
            rows = httpx.get(f"{base}/opendata/districts.json", timeout=5).json()
            codes = [r["code"] for r in rows]
            time.sleep(0.2)
        assert "D77" in codes
    finally:
        process.send_signal(signal.SIGTERM)
        output, _ = process.communicate(timeout=30)
    assert process.returncode == 0, output[-3000:]
    with database.session(write=False) as session:
        head = last_position(session)
        assert {c.position for c in session.exec(select(Checkpoint))} == {head}
