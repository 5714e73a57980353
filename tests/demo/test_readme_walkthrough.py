"""The README's walkthrough works as written: its shell block, run with bash against the real services."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path
from typing import Any

import httpx

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
        "--role regional_admin",
        "communitylab create-key",
        "Idempotency-Key",
        "communitylab seed",
        "/workshops/$WORKSHOP/attendance",
        "/priorities/$PRIORITY/validate",
        "/timeline",
        "/diary?edition=$EDITION&format=html",
    ):
        assert step in script, step


def _run(script: Path, cwd: Path, live_services: LiveServices) -> subprocess.CompletedProcess[str]:
    # -x shows which command failed; the script sets -euo pipefail itself, as pasted into a shell.
    run = subprocess.run(
        ["bash", "-x", str(script)],
        cwd=cwd,
        env=live_services.env,
        capture_output=True,
        text=True,
        timeout=110,
        check=False,
    )
    assert run.returncode == 0, f"{run.stderr[-4000:]}\n{run.stdout[-2000:]}\n{live_services.log()[-2000:]}"
    return run


def _timeline(run: subprocess.CompletedProcess[str]) -> dict[str, Any]:
    # (the responses of the earlier POSTs come first, compact; json.tool indents the timeline)
    start = run.stdout.index('{\n    "process_id"')
    return dict(json.loads(run.stdout[start : run.stdout.rindex("}") + 1]))


def test_readme_walkthrough_runs_as_written_and_again(live_services: LiveServices, tmp_path: Path) -> None:
    # A scratch directory as the "repository root": .venv is the real one, files the script writes stay here.
    root = tmp_path / "repo"
    root.mkdir()
    (root / ".venv").symlink_to(BIN.parent, target_is_directory=True)
    script = tmp_path / "walkthrough.sh"
    script.write_text(walkthrough_script(), encoding="utf-8")
    first = _run(script, root, live_services)
    # Pasted a second time: the same objects are found or replayed, nothing fails, nothing is duplicated.
    second = _run(script, root, live_services)
    assert sorted(p.name for p in root.iterdir()) == [".venv", "data"]  # its output stays in data/

    timeline = _timeline(second)
    assert _timeline(first)["process_id"] == timeline["process_id"]
    assert timeline["title"] == "Correggio: priorità partecipate"
    # The timeline reads by when things happened (the attendance of a workshop held on 10/02 comes before the
    # workshop was scheduled today); the walkthrough's steps are checked in the order it wrote them.
    occurred = [item["occurred_at"] for item in timeline["items"]]
    assert occurred == sorted(occurred)
    types = [item["event_type"] for item in sorted(timeline["items"], key=lambda item: item["position"])]
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
    assert types.count("priority.validated") == 1 and types.count("process.created") == 1
    validated = next(i for i in timeline["items"] if i["event_type"] == "priority.validated")
    assert (
        "Comitato di Distretto" in validated["sentence"]["it"] and "10/02/2026" in validated["sentence"]["it"]
    )
    bodies = httpx.get(
        f"{live_services.registry}/bodies", params={"kind": "ufficio_di_piano", "limit": 500}
    ).json()["items"]
    correggio = {b["district_id"] for b in bodies if b["name"] == "Ufficio di Piano di Correggio"}
    assert len([b for b in bodies if b["name"] == "Ufficio di Piano di Correggio"]) == len(correggio) == 1

    # The Diario it saved is the printable HTML page with the district's workshop, attendance and priority.
    diary = (root / "data" / "walkthrough" / "diario.html").read_text(encoding="utf-8")
    assert diary.lstrip().lower().startswith("<!doctype html")
    for text in (
        "Correggio",
        "Tavolo tematico: fragilità",
        "Contrastare la solitudine delle persone anziane",
    ):
        assert text in diary, text
    assert "/diary?edition=" in second.stdout.splitlines()[-1]


def test_the_walkthrough_stops_with_a_clear_message_on_a_refused_request(
    live_services: LiveServices, tmp_path: Path
) -> None:
    (tmp_path / ".venv").symlink_to(BIN.parent, target_is_directory=True)
    script = tmp_path / "walkthrough.sh"
    # A typo in the process's status: the first refused request stops the script with what the server said.
    script.write_text(
        walkthrough_script().replace('"status": "active"', '"status": "activ"'), encoding="utf-8"
    )
    run = subprocess.run(
        ["bash", str(script)],
        cwd=tmp_path,
        env=live_services.env,
        capture_output=True,
        text=True,
        timeout=110,
    )
    assert run.returncode != 0
    last = run.stderr.strip().splitlines()[-1]
    assert last.startswith(f"walkthrough: POST {live_services.workshops}/processes answered 422: "), last
    assert "body.status" in last and "Traceback" not in run.stderr
    assert "/timeline" not in run.stdout
