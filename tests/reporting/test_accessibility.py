"""The Diario, the dashboard and the open-data page for everyone: axe-core finds no violation in Chromium.

axe-core and playwright-core come from npm (tests/reporting/axe, locked; .ci/setup installs them) and drive
Debian's chromium with the network blocked; every rule axe runs by default counts (WCAG 2 A/AA and best
practices such as one main landmark and all content in landmarks).
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlmodel import Session

from services.reporting.consumer import catch_up
from tests.reporting.conftest import EventScript
from tests.reporting.opendata_world import published_case
from tests.reporting.scripted import build

pytestmark = pytest.mark.anyio

CHROMIUM = "/usr/bin/chromium"
AXE = Path(__file__).parent / "axe"
NODE = shutil.which("node")
needs_browser = pytest.mark.skipif(
    shutil.which(CHROMIUM) is None or NODE is None or not (AXE / "node_modules" / "axe-core").is_dir(),
    reason="needs Debian's chromium, node and tests/reporting/axe/node_modules (.ci/setup installs them)",
)


def audit(*pages: Path) -> dict[str, list[dict[str, Any]]]:
    """axe-core's violations for each page, by file name."""
    assert NODE is not None
    result = subprocess.run(
        [NODE, str(AXE / "audit.mjs"), *(str(p) for p in pages)],
        capture_output=True,
        text=True,
        timeout=180,
        env={"CHROMIUM": CHROMIUM, "PATH": "/usr/bin:/bin"},
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return {Path(name).name: violations for name, violations in json.loads(result.stdout).items()}


@needs_browser
async def test_diary_and_dashboard_have_no_axe_violations(
    session: Session, script: EventScript, reporting_client: httpx.AsyncClient, tmp_path: Path
) -> None:
    edition = build(script)
    published_case(script, edition["A"], edition["PA"])  # the Diario's "Studi di caso" with a case in it
    catch_up(session)
    html = {"Accept": "text/html"}
    pages = {
        "diary.html": await reporting_client.get(
            f"/districts/{edition['A']}/diary", params={"edition": edition["E1"]}, headers=html
        ),
        "dashboard.html": await reporting_client.get(
            "/dashboard", params={"edition": edition["E1"]}, headers=html
        ),
        "dashboard-region.html": await reporting_client.get("/dashboard", headers=html),
        "opendata.html": await reporting_client.get("/opendata", headers=html),
    }
    assert "La casa della salute come luogo di comunità" in pages["diary.html"].text
    files = []
    for name, response in pages.items():
        assert response.status_code == 200, response.text
        (tmp_path / name).write_text(response.text, encoding="utf-8")
        files.append(tmp_path / name)
    violations = audit(*files)
    assert set(violations) == set(pages)
    assert violations == {name: [] for name in pages}, json.dumps(violations, indent=1)


@needs_browser
def test_the_audit_finds_what_it_looks_for(tmp_path: Path) -> None:
    """The detector itself: a page without a main landmark, with unlabelled content and grey on grey, fails."""
    page = tmp_path / "bad.html"
    page.write_text(
        '<!doctype html><html lang="it"><head><title>x</title></head><body>'
        '<div style="color:#e8e8e8;background:#f1eef6">Testo poco leggibile</div><img src="x.png"></body></html>',
        encoding="utf-8",
    )
    found = {v["id"] for v in audit(page)["bad.html"]}
    assert {"landmark-one-main", "region", "color-contrast", "image-alt"} <= found
