"""The diary page in a real browser: headless Chromium renders every section and SVG chart, no console errors.

The HTML comes from the app on the test transaction and is loaded from a file; a small script appended by the
test (not by the app) measures the rendered sections and charts and writes the figures into the DOM, which
Chromium dumps. Console messages (Chromium logs them all, SVG parse errors included) fail the test.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlmodel import Session

from services.reporting.consumer import catch_up
from tests.reporting.conftest import EventScript
from tests.reporting.scripted import build

pytestmark = pytest.mark.anyio

CHROMIUM = "/usr/bin/chromium"
MEASURE = """<script>
(function () {
  var svgs = Array.prototype.map.call(document.querySelectorAll("svg"), function (s) {
    var box = s.getBoundingClientRect();
    return {w: Math.round(box.width), h: Math.round(box.height), shapes: s.querySelectorAll("rect,path").length,
            inner: Math.round(s.getBBox().width)};
  });
  var sections = Array.prototype.map.call(document.querySelectorAll("section"), function (s) {
    return {id: s.id, h: Math.round(s.getBoundingClientRect().height), heading: s.querySelector("h2").textContent};
  });
  var out = document.createElement("pre");
  out.id = "render-check";
  out.textContent = JSON.stringify({svgs: svgs, sections: sections});
  document.body.appendChild(out);
})();
</script>"""


def render(path: Path) -> tuple[dict[str, Any] | None, list[str]]:
    """Load ``path`` in headless Chromium; return the measurements and the console lines."""
    result = subprocess.run(
        [
            CHROMIUM,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--enable-logging=stderr",
            "--v=0",
            "--dump-dom",
            path.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    console = [line for line in result.stderr.splitlines() if ":CONSOLE" in line]
    found = re.search(r'<pre id="render-check">(.*?)</pre>', result.stdout, re.S)
    measured = json.loads(found.group(1).replace("&quot;", '"').replace("&amp;", "&")) if found else None
    return measured, console


@pytest.mark.skipif(
    shutil.which(CHROMIUM) is None, reason="Chromium is not installed (.ci/setup installs Debian's chromium)"
)
async def test_diary_renders_in_headless_chromium(
    session: Session, script: EventScript, reporting_client: httpx.AsyncClient, tmp_path: Path
) -> None:
    edition = build(script)
    catch_up(session)
    response = await reporting_client.get(
        f"/districts/{edition['A']}/diary", params={"edition": edition["E1"], "format": "html"}
    )
    assert response.status_code == 200
    page = tmp_path / "diary.html"
    page.write_text(response.text.replace("</body>", MEASURE + "</body>"), encoding="utf-8")

    measured, console = render(page)
    assert console == []
    assert measured is not None
    sections = {s["id"]: s for s in measured["sections"]}
    assert list(sections) == [
        "sintesi",
        "carta-identita",
        "laboratori",
        "partecipazione",
        "invenzioni",
        "priorita",
        "proposte",
        "allegati",
        "studi-di-caso",
        "valutazione",
        "architettura",
    ]
    assert all(s["h"] > 40 for s in sections.values()), sections
    assert sections["valutazione"]["heading"] == "Valutazione partecipata"
    assert len(measured["svgs"]) == 5
    for chart in measured["svgs"]:
        assert chart["w"] > 200 and chart["h"] > 20 and chart["shapes"] >= 1 and chart["inner"] > 100, chart

    # The detector itself: a broken chart and a script error are caught.
    broken = tmp_path / "broken.html"
    broken.write_text(
        '<html><body><svg><path d="M 1,1 L x"/></svg><script>nosuchfunction()</script></body></html>'
    )
    _, console = render(broken)
    assert any("attribute d" in line for line in console) and any(
        "nosuchfunction" in line for line in console
    )


@pytest.mark.skipif(
    shutil.which(CHROMIUM) is None, reason="Chromium is not installed (.ci/setup installs Debian's chromium)"
)
async def test_dashboard_map_renders_in_headless_chromium(
    session: Session, script: EventScript, reporting_client: httpx.AsyncClient, tmp_path: Path
) -> None:
    edition = build(script)
    catch_up(session)
    response = await reporting_client.get(
        "/dashboard", params={"edition": edition["E1"]}, headers={"Accept": "text/html"}
    )
    assert response.status_code == 200
    page = tmp_path / "dashboard.html"
    page.write_text(response.text.replace("</body>", MEASURE + "</body>"), encoding="utf-8")
    measured, console = render(page)
    assert console == []
    assert measured is not None
    sections = [s["id"] for s in measured["sections"]]
    assert sections[:3] == ["sintesi", "mappa", "distretti"] and sections[-1] == "confronto"
    map_svg = measured["svgs"][0]
    # Three districts drawn as paths, plus the legend's boxes; the drawing fills most of the frame.
    assert map_svg["shapes"] == 3 + 7 and map_svg["inner"] > 300, map_svg
    assert all(chart["w"] > 200 and chart["shapes"] >= 1 for chart in measured["svgs"]), measured["svgs"]
