"""The README's walkthrough works as written: its shell block, run with bash against the real services."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

from tests.demo.conftest import BIN, REPO, LiveServices

WALKTHROUGH_HEADING = "## Walkthrough"


def walkthrough_script() -> str:
    """The sh/bash code blocks of the README's walkthrough section, in order."""
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    start = readme.index(WALKTHROUGH_HEADING)
    end = readme.find("\n## ", start + len(WALKTHROUGH_HEADING))
    section = readme[start : end if end != -1 else len(readme)]
    blocks = re.findall(r"^```(?:sh|bash)\n(.*?)^```", section, flags=re.S | re.M)
    assert blocks, "the walkthrough has no shell block"
    return "\n".join(blocks)


def test_the_walkthrough_has_the_steps_the_readme_promises() -> None:
    script = walkthrough_script()
    for step in (
        "communitylab create-key --role regional_admin",
        "communitylab seed",
        "/workshops/$WORKSHOP/attendance",
        "/priorities/$PRIORITY/validate",
        "/timeline",
        "/diary?edition=$EDITION&format=html",
    ):
        assert step in script, step


def test_readme_walkthrough_runs_as_written(live_services: LiveServices, tmp_path: Path) -> None:
    # A scratch directory as the "repository root": .venv is the real one, files the script writes stay here.
    (tmp_path / ".venv").symlink_to(BIN.parent, target_is_directory=True)
    script = tmp_path / "walkthrough.sh"
    script.write_text(walkthrough_script(), encoding="utf-8")
    # -e: every command must succeed (curl --fail-with-body fails on any 4xx/5xx); -x: show which one did not.
    run = subprocess.run(
        ["bash", "-euxo", "pipefail", str(script)],
        cwd=tmp_path,
        env=live_services.env,
        capture_output=True,
        text=True,
        timeout=110,
        check=False,
    )
    assert run.returncode == 0, f"{run.stderr[-4000:]}\n{run.stdout[-2000:]}\n{live_services.log()[-2000:]}"

    # The timeline printed by the walkthrough tells the whole story, in order.
    # (the responses of the earlier POSTs come first, compact; json.tool indents the timeline)
    start = run.stdout.index('{\n    "process_id"')
    timeline = json.loads(run.stdout[start : run.stdout.rindex("}") + 1])
    assert timeline["title"] == "Correggio: priorità partecipate"
    types = [item["event_type"] for item in timeline["items"]]
    expected = [
        "process.created",
        "workshop.scheduled",
        "workshop.registration_added",
        "workshop.attendance_recorded",
        "priority.proposed",
        "priority.submitted",
        "priority.validated",
    ]
    assert list(dict.fromkeys(t for t in types if t in expected)) == expected
    assert types.count("workshop.registration_added") == 2
    validated = next(i for i in timeline["items"] if i["event_type"] == "priority.validated")
    assert (
        "Comitato di Distretto" in validated["sentence"]["it"] and "10/02/2026" in validated["sentence"]["it"]
    )

    # The Diario it saved is the printable HTML page with the district's workshop, attendance and priority.
    diary = (tmp_path / "diario.html").read_text(encoding="utf-8")
    assert diary.lstrip().lower().startswith("<!doctype html")
    for text in (
        "Correggio",
        "Tavolo tematico: fragilità",
        "Contrastare la solitudine delle persone anziane",
    ):
        assert text in diary, text
    assert "/diary?edition=" in run.stdout.splitlines()[-1]
