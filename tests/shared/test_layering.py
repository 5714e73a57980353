"""Service rules and shared errors import no web framework, not even through a shared helper."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# Imports every module in a fresh interpreter where importing fastapi or starlette raises, and prints the
# modules that tried (with the import chain) so a failure names the culprit.
PROBE = """
import importlib, sys, traceback

class Block:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in ("fastapi", "starlette"):
            raise ImportError(f"{name} imported")
        return None

sys.meta_path.insert(0, Block())
bad = []
for module in sys.argv[1:]:
    try:
        importlib.import_module(module)
    except ImportError:
        bad.append(module + "\\n" + traceback.format_exc(limit=-8))
print("\\n".join(bad))
sys.exit(1 if bad else 0)
"""


def _framework_free_modules() -> list[str]:
    modules = ["shared.errors", "shared.pagination", "shared.eventlog"]
    for path in sorted((ROOT / "services").rglob("*.py")):
        if path.name in ("service.py", "models.py", "events.py", "statemachine.py"):
            modules.append(".".join(path.relative_to(ROOT).with_suffix("").parts))
    return modules


def test_service_modules_import_no_fastapi() -> None:
    modules = _framework_free_modules()
    assert any(m.endswith(".service") for m in modules)
    done = subprocess.run(
        [sys.executable, "-c", PROBE, *modules], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stdout + done.stderr
