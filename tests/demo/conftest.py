"""The three real services (`communitylab up`) on loopback ports, on a fresh migrated database.

SQLite by default (a temporary file). When ``COMMUNITYLAB_TEST_DATABASE_URL`` is PostgreSQL, a throw-away
database is created on that server for the test and dropped afterwards (the suite's own database is left alone:
these services commit for real).
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from sqlalchemy.engine import make_url

from shared.db import make_engine
from shared.migrations import upgrade_all

REPO = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
SECRET = "demo-test-secret"


def free_port() -> int:
    """A TCP port nobody listens on right now on 127.0.0.1."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _psycopg_url(url: str, database: str) -> str:
    return make_url(url).set(drivername="postgresql", database=database).render_as_string(hide_password=False)


@pytest.fixture
def fresh_database_url(tmp_path: Path) -> Iterator[str]:
    """A fresh database migrated to head: a SQLite file, or a throw-away PostgreSQL database."""
    with fresh_database(tmp_path) as url:
        yield url


@contextmanager
def fresh_database(tmp_path: Path) -> Iterator[str]:
    """A fresh database migrated to head: a SQLite file, or a throw-away PostgreSQL database (dropped after)."""
    base = os.environ.get("COMMUNITYLAB_TEST_DATABASE_URL", "")
    if not base.startswith("postgresql"):
        url = f"sqlite:///{tmp_path / 'demo.db'}"
        engine = make_engine(url)
        upgrade_all(engine)
        engine.dispose()
        yield url
        return
    import psycopg

    name = f"communitylab_demo_{uuid.uuid4().hex[:12]}"
    admin = _psycopg_url(base, make_url(base).database or "postgres")
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    url = make_url(base).set(database=name).render_as_string(hide_password=False)
    try:
        engine = make_engine(url)
        upgrade_all(engine)
        engine.dispose()
        yield url
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@dataclass
class LiveServices:
    """Where the real services listen, and the environment a CLI process needs to join them."""

    env: dict[str, str]
    registry: str
    workshops: str
    reporting: str
    log_path: Path

    def log(self) -> str:
        """What the services wrote so far."""
        return self.log_path.read_text(encoding="utf-8", errors="replace")


@pytest.fixture
def live_services(fresh_database_url: str, tmp_path: Path) -> Iterator[LiveServices]:
    """`communitylab up --no-migrate` on free loopback ports; stopped (SIGTERM, then SIGKILL) at the end."""
    with running_services(fresh_database_url, tmp_path) as services:
        yield services


@contextmanager
def running_services(
    database_url: str, tmp_path: Path, extra_env: dict[str, str] | None = None
) -> Iterator[LiveServices]:
    """`communitylab up --no-migrate` on ``database_url`` (with ``extra_env`` settings, e.g. SMTP), on free
    loopback ports, until the block ends (SIGTERM, then SIGKILL)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("COMMUNITYLAB_")}
    env["PATH"] = f"{BIN}{os.pathsep}{env.get('PATH', '')}"
    urls: dict[str, str] = {}
    for service in ("registry", "workshops", "reporting"):
        port = free_port()
        urls[service] = f"http://127.0.0.1:{port}"
        env[f"COMMUNITYLAB_{service.upper()}_PORT"] = str(port)
        env[f"COMMUNITYLAB_{service.upper()}_URL"] = urls[service]
    env.update(
        COMMUNITYLAB_DATABASE_URL=database_url,
        COMMUNITYLAB_SECRET_KEY=SECRET,
        COMMUNITYLAB_ENVIRONMENT="test",
        COMMUNITYLAB_LOG_LEVEL="WARNING",
        COMMUNITYLAB_PROJECTION_POLL_SECONDS="0.2",
        COMMUNITYLAB_WEBHOOKS_METRICS_PORT=str(free_port()),
        COMMUNITYLAB_NOTIFICATIONS_METRICS_PORT=str(free_port()),
    )
    env.update(extra_env or {})
    log_path = tmp_path / "services.log"
    with log_path.open("w") as log_file:
        process = subprocess.Popen(
            [str(BIN / "communitylab"), "up", "--no-migrate"],
            cwd=REPO,
            env=env,
            stdout=log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    services = LiveServices(env, urls["registry"], urls["workshops"], urls["reporting"], log_path)
    try:
        deadline = time.monotonic() + 180  # a loaded two-core machine can take over a minute
        waiting = set(urls.values())
        while waiting:
            assert process.poll() is None, f"services exited early:\n{services.log()}"
            assert time.monotonic() < deadline, f"services did not come up:\n{services.log()}"
            for url in sorted(waiting):
                try:
                    if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                        waiting.discard(url)
                except httpx.TransportError:
                    pass
            time.sleep(0.3)
        # `up` itself says when all three answer and where their docs are (its own poll may lag ours a little).
        while "all three services answer" not in services.log():
            assert time.monotonic() < deadline, f"`up` did not report the services ready:\n{services.log()}"
            time.sleep(0.2)
        assert f"registry: {urls['registry']}/docs" in services.log()
        yield services
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)
