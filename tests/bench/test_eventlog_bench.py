"""bench/eventlog.py runs with tiny arguments and rewrites only its own sections (appends table, reads subsection)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.bench.conftest import run_bench

pytestmark = pytest.mark.slow

# One appends row: workers, batch, library ev/s, raw ordered, raw unordered, ratio, CPU us (library, raw).
APPENDS_ROW = (
    r"^\| sqlite \| (\d) \| (\d+) \| ([\d,]+) \| ([\d,]+) \| ([\d,]+) \| (\d+\.\d\d) \| [\d,]+ \| [\d,]+ \|$"
)


def test_eventlog_bench_writes_appends_and_reads(tmp_path: Path) -> None:
    doc = tmp_path / "benchmarks.md"
    doc.write_text(
        "# Benchmarks\n\n<!-- bench:other -->\nkept\n<!-- /bench:other -->\n\n"
        "<!-- bench:eventlog -->\nstale\n<!-- /bench:eventlog -->\n",
        encoding="utf-8",
    )
    args = ["--databases", "sqlite", "--seconds", "0.3", "--rounds", "1", "--stream-events", "1500"]
    done = run_bench("eventlog.py", *args, "--page-events", "2500", "--markdown", str(doc))
    assert "read_stream 1,500 events" in done.stdout
    assert re.search(
        r"^sqlite\s+8\s+100\s+[\d,]+\s+[\d,]+\s+[\d,]+\s+\d+\.\d\d\s+[\d,]+\s+[\d,]+$", done.stdout, re.M
    ), done.stdout
    text = doc.read_text(encoding="utf-8")
    assert "<!-- bench:other -->\nkept\n<!-- /bench:other -->" in text
    assert "stale" not in text and text.count("<!-- bench:eventlog -->") == 1
    # Every cell of workers x batch size, and each ratio is library / raw of its own row.
    rows = re.findall(APPENDS_ROW, text, re.M)
    assert {(w, b) for w, b, *_ in rows} == {("1", "1"), ("1", "100"), ("8", "1"), ("8", "100")}
    for *_, library, ordered, _unordered, ratio in rows:
        lib, raw = float(library.replace(",", "")), float(ordered.replace(",", ""))
        assert lib > 0 and raw > 0 and abs(lib / raw - float(ratio)) < 0.02
    # The reads row: a 1,500-event stream; the log paged holds the appends' events too, so at least 2,500.
    assert "| sqlite | 1,500 |" in text and "### Event log reads" in text

    # A reads-only run replaces the reads subsection and keeps the appends table.
    run_bench(
        "eventlog.py",
        "--databases",
        "sqlite",
        "--parts",
        "reads",
        "--stream-events",
        "1000",
        "--page-events",
        "1000",
        "--markdown",
        str(doc),
    )
    text = doc.read_text(encoding="utf-8")
    assert "| sqlite | 1 | 1 |" in text
    assert "| sqlite | 1,000 |" in text and "| sqlite | 1,500 |" not in text
    assert text.count("<!-- bench:eventlog-reads -->") == 1
