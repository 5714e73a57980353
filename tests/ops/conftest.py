"""Real ``communitylab`` processes on loopback against a throw-away SQLite database."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

COMMUNITYLAB = shutil.which("communitylab", path=str(Path(sys.executable).parent)) or "communitylab"


def free_port() -> int:
    """A TCP port nobody listens on right now on 127.0.0.1."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class ServedProcess:
    """A running `communitylab serve` process and where it listens."""

    process: subprocess.Popen[str]
    base_url: str
    log_path: Path
    extra: dict[str, str] = field(default_factory=dict)

    def log(self) -> str:
        """Everything the process wrote to stdout and stderr so far."""
        return self.log_path.read_text(encoding="utf-8", errors="replace")


def migrated_env(directory: Path) -> dict[str, str]:
    """Environment of a fresh SQLite database in `directory`, migrated by `communitylab migrate`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("COMMUNITYLAB_")}
    env.update(
        COMMUNITYLAB_DATABASE_URL=f"sqlite:///{directory / 'ops.db'}",
        COMMUNITYLAB_SECRET_KEY="ops-test-secret",
        COMMUNITYLAB_ENVIRONMENT="test",
        COMMUNITYLAB_LOG_JSON="true",
    )
    migrated = subprocess.run(
        [COMMUNITYLAB, "migrate"], env=env, capture_output=True, text=True, timeout=120, check=False
    )
    assert migrated.returncode == 0, migrated.stderr
    return env


def start_service(service: str, *args: str, env: dict[str, str], log_dir: Path) -> ServedProcess:
    """Start `communitylab serve <service>` on a free loopback port and wait until /healthz answers."""
    port = free_port()
    log_path = log_dir / f"{service}-{port}.log"
    with log_path.open("w") as log_file:
        process = subprocess.Popen(
            [COMMUNITYLAB, "serve", service, "--host", "127.0.0.1", "--port", str(port), *args],
            env=env,
            stdout=log_file,
            stderr=subprocess.STDOUT,
            text=True,
        )
    served = ServedProcess(process, f"http://127.0.0.1:{port}", log_path)
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"server exited early:\n{served.log()}")
        try:
            if httpx.get(f"{served.base_url}/healthz", timeout=1).status_code == 200:
                return served
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    stop(served)
    raise AssertionError(f"server did not come up:\n{served.log()}")


def stop(served: ServedProcess) -> None:
    """Kill a process the tests started, if it still runs."""
    if served.process.poll() is None:
        served.process.send_signal(signal.SIGKILL)
        served.process.wait(timeout=10)


@pytest.fixture
def ops_env(tmp_path: Path) -> dict[str, str]:
    """Environment of a fresh, migrated SQLite database for CLI processes."""
    return migrated_env(tmp_path)


@pytest.fixture
def serve(ops_env: dict[str, str], tmp_path: Path) -> Iterator[object]:
    """Start `communitylab serve <service> ...` and wait until /healthz answers; kill leftovers at the end."""
    started: list[ServedProcess] = []

    def start(service: str, *args: str, env: dict[str, str] | None = None) -> ServedProcess:
        served = start_service(service, *args, env={**ops_env, **(env or {})}, log_dir=tmp_path)
        started.append(served)
        return served

    yield start
    for served in started:
        stop(served)
