"""`communitylab seed` in a real process, and the registry client against a real uvicorn registry on loopback.

Both use their own temporary SQLite database (migrated and seeded by the real command line), so they run the
same whichever database the rest of the suite uses.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select

from services.registry.districts.service import seeded_district_id
from shared.clients.registry import RegistryClient
from shared.db import make_engine
from shared.errors import UpstreamUnavailableError
from shared.eventlog.tables import events


def _env(database_url: str) -> dict[str, str]:
    env = {
        **os.environ,
        "COMMUNITYLAB_DATABASE_URL": database_url,
        "COMMUNITYLAB_SECRET_KEY": "registry-cli-test",
        "COMMUNITYLAB_LOG_LEVEL": "WARNING",
    }
    env.pop("COMMUNITYLAB_TEST_DATABASE_URL", None)
    return env


def _cli(database_url: str, cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "services.cli", *args],
        env=_env(database_url),
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )


def _event_count(database_url: str) -> int:
    engine = make_engine(database_url)
    try:
        with engine.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(events)).scalar_one())
    finally:
        engine.dispose()


@pytest.fixture(scope="module")
def seeded_database(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    folder = tmp_path_factory.mktemp("registry-cli")
    url = f"sqlite:///{folder / 'cli.db'}"
    migrated = _cli(url, Path.cwd(), "migrate")
    assert migrated.returncode == 0, migrated.stderr
    yield url, folder


def test_seed_command_is_idempotent(seeded_database: tuple[str, Path]) -> None:
    url, _ = seeded_database
    before = _event_count(url)  # migrations may ship events of their own
    first = _cli(url, Path.cwd(), "seed")
    assert first.returncode == 0, first.stderr
    assert "38 created, 0 updated, 0 unchanged" in first.stdout
    after_first = _event_count(url)
    assert after_first - before == 76
    second = _cli(url, Path.cwd(), "seed")
    assert second.returncode == 0, second.stderr
    assert "0 created, 0 updated, 38 unchanged" in second.stdout
    assert _event_count(url) == after_first
    verified = _cli(url, Path.cwd(), "verify-log")
    assert verified.returncode == 0 and f"{after_first} events" in verified.stdout


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_client_against_a_live_registry_then_down(seeded_database: tuple[str, Path]) -> None:
    url, folder = seeded_database
    assert _cli(url, Path.cwd(), "seed").returncode == 0  # idempotent: fine if the test above seeded already
    port = _free_port()
    log = (folder / "registry.log").open("w")
    process = subprocess.Popen(
        [sys.executable, "-m", "services.cli", "serve", "registry", "--port", str(port)],
        env=_env(url),
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 180
        while True:
            try:
                if httpx.get(f"{base}/readyz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert process.poll() is None and time.monotonic() < deadline, (
                folder / "registry.log"
            ).read_text()
            time.sleep(0.2)
        client = RegistryClient(base, timeout=3, cache_seconds=30)
        forli = client.get_district(str(seeded_district_id("Forlì")))
        assert forli is not None and (forli.name, forli.regional_code, forli.province) == (
            "Forlì",
            "038",
            "FC",
        )
        rubicone = client.get_district(str(seeded_district_id("Rubicone")))
        assert rubicone is not None and rubicone.regional_code is None
        assert client.get_person("00000000-0000-0000-0000-000000000000") is None
        assert (
            client.person_roles(
                str(seeded_district_id("Forlì")), str(seeded_district_id("x")), date(2018, 1, 1)
            )
            == set()
        )
        feature = httpx.get(
            f"{base}/districts/{seeded_district_id('Forlì')}",
            headers={"Accept": "application/geo+json"},
            timeout=5,
        )
        assert feature.headers["content-type"].startswith("application/geo+json")
        assert feature.json()["geometry"]["type"] in ("Polygon", "MultiPolygon")
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()
    # cached answers still serve; an id never asked before needs the registry, which is gone
    assert client.get_district(str(seeded_district_id("Forlì"))) is not None
    with pytest.raises(UpstreamUnavailableError):
        client.get_district(str(seeded_district_id("Faenza")))
    client.close()
