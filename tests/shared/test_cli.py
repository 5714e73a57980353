"""The ``communitylab`` command line on a fresh install: migrate, create-key, revoke-key, verify-log.

Each test runs the real executable in a subprocess against a throw-away database: a temporary SQLite file,
and, when the suite runs on PostgreSQL (``COMMUNITYLAB_TEST_DATABASE_URL``), a throw-away PostgreSQL
database created and dropped here.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import APIRouter
from sqlalchemy import text
from sqlalchemy.engine import make_url

from shared.app import create_service_app
from shared.config import Settings
from shared.db import Database, normalise_url
from shared.deps import PrincipalDep
from shared.eventlog import NewEvent, append

CLI_SECRET = "cli-test-secret"


def _cli_command() -> list[str]:
    installed = Path(sys.executable).parent / "communitylab"
    if installed.exists():
        return [str(installed)]
    found = shutil.which("communitylab")  # pragma: no cover - a venv without the entry point
    return [found] if found else [sys.executable, "-m", "services.cli"]


def run_cli(database_url: str, cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Run ``communitylab <args>`` with the database and secret in the environment."""
    env = {
        **os.environ,
        "COMMUNITYLAB_DATABASE_URL": database_url,
        "COMMUNITYLAB_SECRET_KEY": CLI_SECRET,
        "COMMUNITYLAB_LOG_LEVEL": "WARNING",
    }
    env.pop("COMMUNITYLAB_TEST_DATABASE_URL", None)
    return subprocess.run(
        [*_cli_command(), *args], env=env, cwd=cwd, capture_output=True, text=True, timeout=120, check=False
    )


def _postgres_admin_url() -> str | None:
    url = os.environ.get("COMMUNITYLAB_TEST_DATABASE_URL", "")
    return url if url.startswith("postgres") else None


@pytest.fixture(params=["sqlite", "postgresql"])
def fresh_database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The URL of an empty database (no tables), dropped afterwards."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'fresh.db'}"
        return
    admin = _postgres_admin_url()
    if admin is None:
        pytest.skip("PostgreSQL variant runs when COMMUNITYLAB_TEST_DATABASE_URL is a PostgreSQL URL")
    import psycopg

    name = f"communitylab_cli_{uuid.uuid4().hex[:12]}"
    plain_admin = make_url(normalise_url(admin)).set(drivername="postgresql")
    admin_dsn = plain_admin.render_as_string(hide_password=False)
    with psycopg.connect(admin_dsn, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield plain_admin.set(database=name).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(admin_dsn, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def migrated(fresh_database: str, tmp_path: Path) -> str:
    result = run_cli(fresh_database, tmp_path, "migrate")
    assert result.returncode == 0, result.stderr
    # At level WARNING a clean migration says nothing; whatever it says is JSON lines naming `migrate`.
    assert result.stdout == ""
    assert all(json.loads(line)["service"] == "migrate" for line in result.stderr.splitlines())
    return fresh_database


# --- create-key / revoke-key -------------------------------------------------------------------------------

router = APIRouter()


@router.get("/whoami", summary="Who the key resolves to", tags=["probe"])
def whoami_cli(principal: PrincipalDep) -> dict[str, Any]:
    """Probe: the caller's actor id, role and districts."""
    principal.require_authenticated()
    return {
        "actor_id": principal.actor_id,
        "role": principal.role,
        "districts": sorted(principal.district_ids),
    }


@pytest.fixture
async def probe(migrated: str) -> AsyncIterator[httpx.AsyncClient]:
    database = Database.from_url(migrated)
    # No key cache: the revoke-key command is another process, whose revocations a service with the cache
    # honours only within api_key_cache_seconds (tests/shared/test_key_cache.py covers that case).
    settings = Settings(
        database_url=migrated, secret_key=CLI_SECRET, environment="test", api_key_cache_seconds=0
    )
    app = create_service_app(
        "probe", title="probe", description="probe", routers=[router], settings=settings, database=database
    )
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://probe.test"
    ) as client:
        yield client
    database.dispose()


@pytest.mark.anyio
async def test_create_key_on_a_fresh_install_authenticates_and_revoke_key_stops_it(
    migrated: str, probe: httpx.AsyncClient, tmp_path: Path
) -> None:
    plain = run_cli(migrated, tmp_path, "create-key", "--role", "regional_admin", "--label", "first admin")
    assert plain.returncode == 0, plain.stderr
    key = plain.stdout.strip()
    assert key.startswith("clk_") and "\n" not in key
    assert "not shown again" in plain.stderr
    admin = await probe.get("/whoami", headers={"Authorization": f"Bearer {key}"})
    assert admin.status_code == 200, admin.text
    assert admin.json()["role"] == "regional_admin"

    district = str(uuid.uuid4())
    as_json = run_cli(
        migrated, tmp_path, "create-key", "--role", "district_editor", "--district", district, "--json"
    )
    assert as_json.returncode == 0, as_json.stderr
    issued = json.loads(as_json.stdout)
    headers = {"Authorization": f"Bearer {issued['key']}"}
    editor = await probe.get("/whoami", headers=headers)
    assert editor.json() == {
        "actor_id": issued["actor_id"],
        "role": "district_editor",
        "districts": [district],
    }

    revoked = run_cli(migrated, tmp_path, "revoke-key", issued["key_id"])
    assert revoked.returncode == 0, revoked.stderr
    denied = await probe.get("/whoami", headers=headers)
    assert denied.status_code == 401
    assert "revoked" in denied.json()["detail"]
    assert (await probe.get("/whoami", headers={"Authorization": f"Bearer {key}"})).status_code == 200


def test_only_the_hash_of_a_key_is_stored(migrated: str, tmp_path: Path) -> None:
    issued = json.loads(run_cli(migrated, tmp_path, "create-key", "--role", "integration", "--json").stdout)
    database = Database.from_url(migrated)
    table = "api_keys" if database.dialect == "sqlite" else "platform.api_keys"
    with database.engine.connect() as conn:
        row = conn.execute(text(f"SELECT * FROM {table} WHERE key_id = :k"), {"k": issued["key_id"]}).one()
    database.dispose()
    assert issued["key"] not in [str(value) for value in row]
    assert issued["key"].split("_", 2)[2] not in "".join(str(value) for value in row)


def test_district_editor_key_without_a_district_is_refused(migrated: str, tmp_path: Path) -> None:
    result = run_cli(migrated, tmp_path, "create-key", "--role", "district_editor")
    assert result.returncode != 0
    assert "district" in (result.stderr + result.stdout)
    assert "clk_" not in result.stdout


def test_revoking_an_unknown_key_fails(migrated: str, tmp_path: Path) -> None:
    result = run_cli(migrated, tmp_path, "revoke-key", "0000000000000000")
    assert result.returncode != 0


# --- verify-log -------------------------------------------------------------------------------------------


def _append_events(url: str, count: int) -> None:
    database = Database.from_url(url)
    with database.transaction() as session:
        for index in range(count):
            append(
                session,
                stream_type="process",
                stream_id=str(uuid.uuid4()),
                expected_version=0,
                events_to_append=[NewEvent("process.created", {"n": index})],
                district_id="d1",
            )
    database.dispose()


def _tamper_with_payload(url: str, position: int) -> None:
    """Edit one stored payload behind the store's back (dropping the append-only guard first)."""
    database = Database.from_url(url)
    with database.engine.begin() as conn:
        if database.dialect == "sqlite":
            conn.execute(text("DROP TRIGGER events_no_update"))
            conn.execute(
                text("UPDATE events SET payload = :p WHERE position = :pos"),
                {"p": json.dumps({"n": 999}), "pos": position},
            )
        else:
            conn.execute(text("DROP TRIGGER events_append_only ON eventlog.events"))
            conn.execute(
                text("UPDATE eventlog.events SET payload = CAST(:p AS jsonb) WHERE position = :pos"),
                {"p": json.dumps({"n": 999}), "pos": position},
            )
    database.dispose()


def _event_count(url: str) -> int:
    database = Database.from_url(url)
    table = "events" if database.dialect == "sqlite" else "eventlog.events"
    with database.engine.connect() as conn:
        count = int(conn.execute(text(f"SELECT count(*) FROM {table}")).scalar_one())
    database.dispose()
    return count


def test_verify_log_on_a_fresh_install(migrated: str, tmp_path: Path) -> None:
    result = run_cli(migrated, tmp_path, "verify-log")
    assert result.returncode == 0, result.stderr
    assert f"event log verified: {_event_count(migrated)} events" in result.stdout


def test_verify_log_passes_then_reports_the_first_tampered_position(migrated: str, tmp_path: Path) -> None:
    seeded = _event_count(migrated)  # migrations may seed reference data through the log
    _append_events(migrated, 5)
    clean = run_cli(migrated, tmp_path, "verify-log")
    assert clean.returncode == 0, clean.stdout + clean.stderr
    assert f"event log verified: {seeded + 5} events" in clean.stdout

    _tamper_with_payload(migrated, seeded + 3)
    broken = run_cli(migrated, tmp_path, "verify-log")
    assert broken.returncode == 1, broken.stdout + broken.stderr
    assert f"broken at position {seeded + 3}" in broken.stdout
    assert f"{seeded + 2} verified before" in broken.stdout
