"""docs/operations.md documents every setting exactly as shared.config.Settings defines it."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path
from types import ModuleType

from shared.config import Settings

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "operations.md"


def _renderer() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "render_settings_reference", ROOT / "deploy" / "render_settings_reference.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_configuration_reference_matches_the_settings_class() -> None:
    renderer = _renderer()
    text = DOC.read_text(encoding="utf-8")
    assert renderer.render_section() in text, (
        "docs/operations.md is out of date with shared/config.py: run "
        "`python deploy/render_settings_reference.py --write`"
    )


def test_every_setting_has_a_row_with_its_default_and_description() -> None:
    text = DOC.read_text(encoding="utf-8")
    rows = {m.group(1): m.group(0) for m in re.finditer(r"^\| `(COMMUNITYLAB_[A-Z0-9_]+)` \|.*$", text, re.M)}
    assert set(rows) == {f"COMMUNITYLAB_{name.upper()}" for name in Settings.model_fields}
    for name, field in Settings.model_fields.items():
        row = rows[f"COMMUNITYLAB_{name.upper()}"]
        assert field.description and field.description.replace("|", "\\|") in row
        default = str(field.default).lower() if isinstance(field.default, bool) else str(field.default)
        assert f"`{default}`" in row


def test_the_check_notices_a_new_setting() -> None:
    renderer = _renderer()
    before = renderer.render_table()

    class Extended(Settings):
        brand_new_knob: int = 3

    renderer.Settings = Extended
    after = renderer.render_table()
    assert "`COMMUNITYLAB_BRAND_NEW_KNOB` | int | `3`" in after
    assert after != before and renderer.render_section() not in DOC.read_text(encoding="utf-8")


def test_operations_guide_covers_backup_upgrade_and_scaling() -> None:
    text = DOC.read_text(encoding="utf-8")
    for needle in ("pg_dump", "pg_restore", "communitylab verify-log", "communitylab migrate", "leases"):
        assert needle in text
    for heading in (
        "## Backup and restore",
        "## Upgrade procedure",
        "## Scaling out",
        "## Graceful shutdown",
    ):
        assert heading in text
