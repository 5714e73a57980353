"""Helpers to read the deployment files."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import yaml

from tests.ops.conftest import ops_env, serve  # noqa: F401  (real-process fixtures, shared)

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"

_VARIABLE = re.compile(r"\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?::?-([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)")


def interpolate(value: Any, env: dict[str, str]) -> Any:
    """Compose-style variable interpolation (``${VAR}``, ``${VAR:-default}``, ``$$``) over a loaded document."""
    if isinstance(value, dict):
        return {key: interpolate(item, env) for key, item in value.items()}
    if isinstance(value, list):
        return [interpolate(item, env) for item in value]
    if isinstance(value, str):

        def replace(match: re.Match[str]) -> str:
            if match.group(0) == "$$":
                return "$"
            name = match.group(1) or match.group(3)
            return env.get(name) or (match.group(2) or "")

        return _VARIABLE.sub(replace, value)
    return value


def load_compose(env: dict[str, str] | None = None) -> dict[str, Any]:
    """deploy/compose.yaml with YAML merge keys resolved and variables interpolated."""
    raw = yaml.safe_load((DEPLOY / "compose.yaml").read_text(encoding="utf-8"))
    return interpolate(raw, env if env is not None else {k: v for k, v in os.environ.items() if k == "HOME"})


def dockerfile_instructions(path: Path) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs with line continuations joined and comments dropped."""
    joined: list[str] = []
    buffer = ""
    for line in path.read_text(encoding="utf-8").splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        if stripped.endswith("\\"):
            buffer += stripped[:-1] + " "
            continue
        joined.append(buffer + stripped)
        buffer = ""
    result = []
    for statement in joined:
        keyword, _, rest = statement.partition(" ")
        result.append((keyword.upper(), rest.strip()))
    return result
