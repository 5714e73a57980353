"""What a newcomer meets first: ``communitylab --help`` (for users, no heavy imports) and ``up`` on a taken port."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
HEAVY = (
    "sqlalchemy",
    "sqlmodel",
    "fastapi",
    "pydantic",
    "pydantic_settings",
    "httpx",
    "uvicorn",
    "cryptography",
)


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("COMMUNITYLAB_")}
    env.update(
        COMMUNITYLAB_DATABASE_URL=f"sqlite:///{tmp_path / 'first.db'}", COMMUNITYLAB_SECRET_KEY="first"
    )
    env.update(extra)
    return env


def test_help_loads_no_framework_and_speaks_to_users(tmp_path: Path) -> None:
    probe = (
        "import sys\n"
        "from services.cli import build_parser\n"
        "text = build_parser().format_help()\n"
        f"heavy = sorted({{m.split('.')[0] for m in sys.modules}} & set({HEAVY!r}))\n"
        "print(','.join(heavy))\n"
        "print(text)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=REPO,
        env=_env(tmp_path),
        capture_output=True,
        text=True,
        check=True,
    )
    loaded, _, text = done.stdout.partition("\n")
    # --help answers at once because building the parser imports only the standard library.
    assert loaded == "", f"building the parser imported {loaded}"
    assert "communitylab up" in text and "communitylab demo" in text and "COMMUNITYLAB_" in text
    for command in ("migrate", "up", "demo", "create-key", "seed", "webhooks-worker", "checkpoint-log"):
        assert f"    {command}" in text
    assert "``" not in text and "composition root" not in text


def test_the_real_executable_prints_help(tmp_path: Path) -> None:
    done = subprocess.run(
        [str(BIN / "communitylab"), "--help"], env=_env(tmp_path), capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0 and done.stdout.startswith("usage: communitylab")


def test_up_on_a_taken_port_says_so_in_one_line_and_starts_nothing(tmp_path: Path) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as squatter:
        squatter.bind(("127.0.0.1", 0))
        squatter.listen()
        port = squatter.getsockname()[1]
        with socket.socket() as free:
            free.bind(("127.0.0.1", 0))
            other = free.getsockname()[1]
        env = _env(
            tmp_path,
            COMMUNITYLAB_WORKSHOPS_PORT=str(port),
            COMMUNITYLAB_REGISTRY_PORT=str(other),
            COMMUNITYLAB_REPORTING_PORT=str(other + 1 if other < 65535 else other - 1),
        )
        done = subprocess.run(
            [str(BIN / "communitylab"), "up"],
            env=env,
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert done.returncode == 2
    (line,) = [json.loads(line) for line in done.stderr.strip().splitlines()]
    assert (line["service"], line["level"]) == ("up", "ERROR")
    assert line["message"] == (
        f"communitylab up: port {port} on 127.0.0.1 (workshops) is already in use; stop what is using it "
        "or choose another port with COMMUNITYLAB_WORKSHOPS_PORT=<port>"
    )
    assert done.stdout == ""  # no service URLs, no "Empty database?" hint
    assert not (tmp_path / "first.db").exists()  # checked before migrating or starting anything
