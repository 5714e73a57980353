"""Real ``communitylab serve`` processes on loopback over a throw-away database (fault and fuzz suites).

The database is a fresh SQLite file, or a fresh PostgreSQL database created on the server of
``COMMUNITYLAB_TEST_DATABASE_URL`` (dropped at the end); either is migrated before any service starts.
Every process a test starts is SIGKILLed at teardown, pass or fail.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy.engine import make_url

PYTHON = sys.executable
SECRET = "faults-test-secret"
READY_TIMEOUT_SECONDS = 60.0


def free_port() -> int:
    """A TCP port nobody listens on right now on 127.0.0.1."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def is_postgres(url: str) -> bool:
    """True for a PostgreSQL URL."""
    return url.startswith("postgresql")


def psycopg_url(url: str) -> str:
    """The URL psycopg accepts (no SQLAlchemy driver suffix)."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


@dataclass
class FaultDatabase:
    """The throw-away database of one test and the environment of every process that uses it."""

    url: str
    env: dict[str, str]

    @property
    def dialect(self) -> str:
        """``postgresql`` or ``sqlite``."""
        return "postgresql" if is_postgres(self.url) else "sqlite"

    @property
    def name(self) -> str:
        """The PostgreSQL database name (or the SQLite file path)."""
        return str(make_url(self.url).database)

    def cli(self, *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
        """Run ``communitylab <args>`` against this database."""
        return subprocess.run(
            [PYTHON, "-m", "services.cli", *args],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )

    def admin_key(self) -> dict[str, str]:
        """Bearer headers of a new regional_admin key (made with ``communitylab create-key --json``)."""
        done = self.cli("create-key", "--role", "regional_admin", "--label", "faults", "--json")
        assert done.returncode == 0, done.stderr
        return {"Authorization": f"Bearer {json.loads(done.stdout)['key']}"}


@contextmanager
def throwaway_database(tmp_path: Path) -> Iterator[FaultDatabase]:
    """A fresh, migrated database (PostgreSQL when the suite runs on PostgreSQL, else SQLite)."""
    base = os.environ.get("COMMUNITYLAB_TEST_DATABASE_URL", "")
    created: str | None = None
    if is_postgres(base):
        import psycopg

        created = f"communitylab_faults_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(psycopg_url(base), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{created}"')
        url = make_url(base).set(database=created).render_as_string(hide_password=False)
    else:
        url = f"sqlite:///{tmp_path / 'faults.db'}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("COMMUNITYLAB_")}
    env.update(
        COMMUNITYLAB_DATABASE_URL=url,
        COMMUNITYLAB_SECRET_KEY=SECRET,
        COMMUNITYLAB_ENVIRONMENT="test",
        COMMUNITYLAB_LOG_JSON="true",
        COMMUNITYLAB_LOG_LEVEL="WARNING",
        # Every registry lookup goes to the registry, so a stopped registry shows at once.
        COMMUNITYLAB_REGISTRY_CACHE_SECONDS="0",
        COMMUNITYLAB_HTTP_TIMEOUT_SECONDS="2",
    )
    database = FaultDatabase(url, env)
    try:
        migrated = database.cli("migrate")
        assert migrated.returncode == 0, migrated.stderr
        yield database
    finally:
        if created is not None:
            import psycopg

            with psycopg.connect(psycopg_url(base), autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{created}" WITH (FORCE)')


@dataclass
class Served:
    """One running service process."""

    service: str
    port: int
    log_path: Path
    process: subprocess.Popen[bytes]
    extra_env: dict[str, str] = field(default_factory=dict)

    @property
    def url(self) -> str:
        """Its base URL on loopback."""
        return f"http://127.0.0.1:{self.port}"

    def log(self) -> str:
        """What the process wrote so far (tail)."""
        return self.log_path.read_text(encoding="utf-8", errors="replace")[-4000:]


class Services:
    """Start, kill and restart `communitylab serve` processes; everything is killed at teardown."""

    def __init__(self, database: FaultDatabase, tmp_path: Path) -> None:
        self.database = database
        self.tmp_path = tmp_path
        self.running: dict[str, Served] = {}
        self._all: list[Served] = []

    def start(
        self, service: str, *, port: int | None = None, env: dict[str, str] | None = None, wait: bool = True
    ) -> Served:
        """Start ``service`` (on ``port`` or a free one) and, unless told not to, wait until /readyz answers 200."""
        port = port or free_port()
        log_path = self.tmp_path / f"{service}-{port}-{len(self._all)}.log"
        extra = dict(env or {})
        if service == "workshops" and "registry" in self.running:
            extra.setdefault("COMMUNITYLAB_REGISTRY_URL", self.running["registry"].url)
        with log_path.open("wb") as log_file:
            process = subprocess.Popen(
                [PYTHON, "-m", "services.cli", "serve", service, "--host", "127.0.0.1", "--port", str(port)],
                env={**self.database.env, **extra},
                stdout=log_file,
                stderr=subprocess.STDOUT,
            )
        served = Served(service, port, log_path, process, extra)
        self._all.append(served)
        self.running[service] = served
        if wait:
            self.wait_ready(served)
        return served

    def wait_ready(self, served: Served, timeout: float = READY_TIMEOUT_SECONDS) -> None:
        """Poll /readyz until 200; fail with the process log when it exits or the time runs out."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert served.process.poll() is None, f"{served.service} exited early:\n{served.log()}"
            try:
                if httpx.get(f"{served.url}/readyz", timeout=2).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        raise AssertionError(f"{served.service} not ready in {timeout}s:\n{served.log()}")

    def kill(self, service: str) -> Served:
        """SIGKILL the service (no draining, no shutdown hooks) and reap it."""
        served = self.running.pop(service)
        served.process.send_signal(signal.SIGKILL)
        served.process.wait(timeout=10)
        return served

    def stop(self, service: str) -> Served:
        """SIGTERM the service and wait for it to exit."""
        served = self.running.pop(service)
        served.process.send_signal(signal.SIGTERM)
        try:
            served.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            served.process.kill()
            served.process.wait(timeout=10)
        return served

    def restart(self, served: Served) -> Served:
        """Start the same service again on the same port with the same environment."""
        return self.start(served.service, port=served.port, env=served.extra_env)

    def close(self) -> None:
        """Kill every process still alive."""
        for served in self._all:
            if served.process.poll() is None:
                served.process.kill()
                with contextlib.suppress(subprocess.TimeoutExpired):
                    served.process.wait(timeout=10)


def create_district(registry_url: str, headers: dict[str, str], name: str = "Bassa Romagna") -> str:
    """A district created through the registry's API; its id."""
    response = httpx.post(f"{registry_url}/districts", json={"name": name}, headers=headers, timeout=10)
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def create_process(
    workshops_url: str, headers: dict[str, str], district_id: str, **fields: Any
) -> dict[str, Any]:
    """A process created through the workshops API."""
    body: dict[str, Any] = {
        "district_id": district_id,
        "title": "Aggiungi un posto al tavolo",
        "started_on": "2025-01-01",
        "status": "active",
        **fields,
    }
    response = httpx.post(f"{workshops_url}/processes", json=body, headers=headers, timeout=10)
    assert response.status_code == 201, response.text
    return dict(response.json())
