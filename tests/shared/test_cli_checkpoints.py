"""``log-keygen``, ``checkpoint-log``, ``checkpoint-worker --once`` and ``verify-log --checkpoints`` as run by ops.

The real executable runs against a throw-away database (SQLite, and PostgreSQL when the suite runs there).
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

from sqlalchemy import text

from shared.db import Database
from tests.shared.test_cli import (  # noqa: F401 - fixtures used by name
    CLI_SECRET,
    _append_events,
    _cli_command,
    _event_count,
    fresh_database,
    migrated,
)


def _cli(url: str, cwd: Path, *args: str, key: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "COMMUNITYLAB_DATABASE_URL": url,
        "COMMUNITYLAB_SECRET_KEY": CLI_SECRET,
        "COMMUNITYLAB_LOG_LEVEL": "WARNING",
    }
    env.pop("COMMUNITYLAB_TEST_DATABASE_URL", None)
    env.pop("COMMUNITYLAB_LOG_SIGNING_KEY_FILE", None)
    if key is not None:
        env["COMMUNITYLAB_LOG_SIGNING_KEY_FILE"] = str(key)
    return subprocess.run(
        [*_cli_command(), *args], env=env, cwd=cwd, capture_output=True, text=True, timeout=120, check=False
    )


def _truncate_tail(url: str, keep: int) -> None:
    """Delete the newest events and rewind the head to the last kept one, behind the store's back."""
    database = Database.from_url(url)
    with database.engine.begin() as conn:
        if database.dialect == "sqlite":
            conn.execute(text("DROP TRIGGER events_no_delete"))
            events, head = "events", "head"
        else:
            conn.execute(text("DROP TRIGGER events_append_only ON eventlog.events"))
            events, head = "eventlog.events", "eventlog.head"
        conn.execute(text(f"DELETE FROM {events} WHERE position > :keep"), {"keep": keep})
        last = conn.execute(
            text(f"SELECT hash FROM {events} WHERE position = :keep"), {"keep": keep}
        ).scalar_one()
        conn.execute(text(f"UPDATE {head} SET position = :keep, hash = :h"), {"keep": keep, "h": last})
    database.dispose()


def test_ops_sign_a_checkpoint_and_verify_log_catches_a_truncated_tail(
    migrated: str,  # noqa: F811
    tmp_path: Path,
) -> None:
    key = tmp_path / "signing.pem"
    generated = _cli(migrated, tmp_path, "log-keygen", "--out", str(key))
    assert generated.returncode == 0, generated.stderr
    assert generated.stdout.startswith("-----BEGIN PUBLIC KEY-----") and "key id" in generated.stderr
    assert (key.stat().st_mode & 0o777) == 0o600
    public = tmp_path / "public.pem"
    public.write_text(generated.stdout)
    assert (
        _cli(migrated, tmp_path, "log-keygen", "--out", str(key)).returncode == 2
    )  # never overwritten silently

    _append_events(migrated, 5)
    total = _event_count(migrated)
    signed = _cli(migrated, tmp_path, "checkpoint-log", key=key)
    assert signed.returncode == 0, signed.stderr
    checkpoint = json.loads(signed.stdout)
    assert checkpoint["position"] == total and checkpoint.pop("created") is True
    saved = tmp_path / "checkpoints.json"
    saved.write_text(json.dumps([checkpoint]))

    idle = _cli(migrated, tmp_path, "checkpoint-worker", "--once", key=key)
    assert idle.returncode == 0, idle.stderr

    # The auditor has only the public key and the saved checkpoint.
    verified = _cli(migrated, tmp_path, "verify-log", "--checkpoints", str(saved), "--keys", str(public))
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert f"event log verified: {total} events, 1 signed checkpoints match" in verified.stdout
    stored = _cli(migrated, tmp_path, "verify-log", "--stored", "--keys", str(public))
    assert stored.returncode == 0 and "1 signed checkpoints match" in stored.stdout

    _truncate_tail(migrated, total - 2)
    assert _cli(migrated, tmp_path, "verify-log").returncode == 0, "the chain alone cannot see it"
    caught = _cli(migrated, tmp_path, "verify-log", "--checkpoints", str(saved), "--keys", str(public))
    assert caught.returncode == 1, caught.stdout + caught.stderr
    assert f"broken at position {total - 1}" in caught.stdout and "truncated" in caught.stdout
    refused = _cli(migrated, tmp_path, "checkpoint-log", key=key)
    assert refused.returncode == 1 and "not signed" in refused.stderr


def test_verify_log_refuses_a_checkpoint_signed_with_another_key(
    migrated: str,  # noqa: F811
    tmp_path: Path,
) -> None:
    ours, theirs = tmp_path / "ours.pem", tmp_path / "theirs.pem"
    public = tmp_path / "ours.pub"
    public.write_text(_cli(migrated, tmp_path, "log-keygen", "--out", str(ours)).stdout)
    _cli(migrated, tmp_path, "log-keygen", "--out", str(theirs))
    _append_events(migrated, 2)
    forged = json.loads(_cli(migrated, tmp_path, "checkpoint-log", key=theirs).stdout)
    saved = tmp_path / "forged.json"
    saved.write_text(json.dumps(forged))
    result = _cli(migrated, tmp_path, "verify-log", "--checkpoints", str(saved), "--keys", str(public))
    assert result.returncode == 2
    assert "checkpoint refused" in result.stderr and "not among the trusted" in result.stderr
    no_keys = _cli(migrated, tmp_path, "verify-log", "--checkpoints", str(saved))
    assert no_keys.returncode == 2 and "--keys" in no_keys.stderr
