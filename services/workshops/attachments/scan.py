"""The virus-scan hook: every upload is handed to the configured scanner before it is stored.

``attachment_scanner`` names either a Python callable, ``package.module:function``, called with the file's
``Path`` and returning None when the file is clean or a short reason when it must be refused, or a command,
``command:clamdscan --no-summary --fdpass``, run with the file's path appended: exit status 0 is clean, 1 is
infected (its first output line is the reason), anything else is an error of the scanner. Empty: no scan.
"""

from __future__ import annotations

import importlib
import shlex
import subprocess
from collections.abc import Callable
from pathlib import Path

from shared.errors import FieldError, UpstreamUnavailableError, ValidationFailed

Scanner = Callable[[Path], str | None]
COMMAND_PREFIX = "command:"
COMMAND_TIMEOUT_SECONDS = 120


def _command_scanner(argv: list[str]) -> Scanner:
    def scan(path: Path) -> str | None:
        try:
            done = subprocess.run(
                [*argv, str(path)],
                capture_output=True,
                text=True,
                timeout=COMMAND_TIMEOUT_SECONDS,
                check=False,
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise UpstreamUnavailableError(f"the virus scanner could not be run: {exc}") from exc
        if done.returncode == 0:
            return None
        if done.returncode == 1:
            lines = (done.stdout or done.stderr).strip().splitlines()
            return lines[0][:200] if lines else "refused by the virus scanner"
        raise UpstreamUnavailableError(f"the virus scanner failed (exit status {done.returncode})")

    return scan


def load_scanner(spec: str) -> Scanner | None:
    """The scanner a setting names (None for an empty setting); a wrong setting fails here, at start."""
    spec = spec.strip()
    if not spec:
        return None
    if spec.startswith(COMMAND_PREFIX):
        argv = shlex.split(spec.removeprefix(COMMAND_PREFIX))
        if not argv:
            raise ValueError("attachment_scanner: `command:` needs a program")
        return _command_scanner(argv)
    module_name, _, attribute = spec.partition(":")
    if not module_name or not attribute:
        raise ValueError(f"attachment_scanner must be `module:function` or `command:...`, not {spec!r}")
    found = getattr(importlib.import_module(module_name), attribute)
    if not callable(found):
        raise ValueError(f"attachment_scanner {spec!r} is not callable")
    scanner: Scanner = found
    return scanner


def require_clean(scanner: Scanner | None, path: Path, *, field: str) -> None:
    """422 at ``field`` when the scanner refuses the file (nothing is stored)."""
    if scanner is None:
        return
    reason = scanner(path)
    if reason:
        raise ValidationFailed(
            f"the file was refused by the virus scan: {reason}",
            errors=[
                FieldError(path=field, message=f"refused by the virus scan: {reason}", type="virus_found")
            ],
        )
