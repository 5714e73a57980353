"""Each bench script runs with tiny arguments on SQLite and writes its own section, leaving the others alone."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.bench.conftest import run_bench

pytestmark = pytest.mark.slow

OTHER = "<!-- bench:other -->\nkept\n<!-- /bench:other -->\n"


@pytest.fixture
def doc(tmp_path: Path) -> Path:
    path = tmp_path / "benchmarks.md"
    path.write_text("# Benchmarks\n\n" + OTHER, encoding="utf-8")
    return path


def _section(doc: Path, name: str) -> str:
    text = doc.read_text(encoding="utf-8")
    assert OTHER in text
    start, end = f"<!-- bench:{name} -->", f"<!-- /bench:{name} -->"
    assert text.count(start) == 1 and text.count(end) == 1
    return text.split(start, 1)[1].split(end, 1)[0]


def test_http_load_measures_every_target_and_memory(doc: Path) -> None:
    args = [
        "--client",
        "raw",  # bounded by --requests, and needs no wrk on the machine
        "--databases",
        "sqlite",
        "--seconds",
        "0.3",
        "--requests",
        "40",
        "--districts",
        "1",
        "--years",
        "1",
    ]
    done = run_bench("http_load.py", *args, "--markdown", str(doc))
    section = _section(doc, "http")
    for target in ("hello", "get_process", "list", "register", "registry", "reporting"):
        assert f"| sqlite | {target} |" in section, target
    for service in ("registry", "workshops", "reporting"):
        assert f"| sqlite | {service} |" in section.split("Peak memory")[1]
    assert "Load average" in section and "Command: `python bench/http_load.py" in section
    assert "client check" in done.stdout


def test_http_load_compares_two_workers_with_one(doc: Path) -> None:
    args = ["--client", "raw", "--databases", "sqlite", "--seconds", "0.3", "--requests", "40"]
    args += ["--districts", "1", "--years", "1", "--workers", "2", "--only-workers"]
    done = run_bench("http_load.py", *args, "--markdown", str(doc))
    section = _section(doc, "workers")
    for target in ("get_process", "list"):
        for connections in (10, 50):
            assert f"| sqlite | {target} | {connections} |" in section, (target, connections)
    assert "`communitylab serve workshops --workers 2`" in section
    assert "reads with 2 workers vs 1" in done.stdout and "target >= 1.6x" in section
    assert "<!-- bench:http -->" not in doc.read_text(encoding="utf-8"), (
        "--only-workers leaves the http section"
    )


def test_history_times_pages_and_as_of(doc: Path) -> None:
    run_bench(
        "history.py", "--databases", "sqlite", "--events", "1500", "--repeats", "4", "--markdown", str(doc)
    )
    section = _section(doc, "history")
    assert "| sqlite | history first page (100) |" in section
    assert "| sqlite | as_of end of stream (HTTP) |" in section
    assert "1,500 `process.updated` events" in section


def test_projections_catch_up_from_zero(doc: Path) -> None:
    done = run_bench("projections.py", "--databases", "sqlite", "--events", "3000", "--markdown", str(doc))
    section = _section(doc, "projections")
    assert "| sqlite | 3,000 | 3,000 |" in section
    assert "caught up 3,000 events" in done.stdout


def test_asof_reports_times_a_build_at_a_point(doc: Path) -> None:
    run_bench(
        "asof_reports.py",
        *(
            "--databases",
            "sqlite",
            "--logs",
            "generated",
            "--districts",
            "2",
            "--years",
            "1",
            "--scale",
            "0.3",
        ),
        *("--rounds", "1", "--markdown", str(doc)),
    )
    section = _section(doc, "asof-reports")
    assert "| sqlite | generated |" in section and "as-of total s" in section
    assert "2 districts x 1 years at scale 0.3" in section
