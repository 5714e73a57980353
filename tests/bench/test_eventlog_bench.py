"""bench/eventlog.py runs with tiny arguments and writes its section (appends table and reads subsection)."""

from __future__ import annotations

from pathlib import Path

from tests.bench.conftest import run_bench


def test_eventlog_bench_writes_appends_and_reads(tmp_path: Path) -> None:
    doc = tmp_path / "benchmarks.md"
    doc.write_text("# Benchmarks\n\n<!-- bench:other -->\nkept\n<!-- /bench:other -->\n", encoding="utf-8")
    args = ["--databases", "sqlite", "--seconds", "0.3", "--rounds", "1", "--stream-events", "1500"]
    done = run_bench("eventlog.py", *args, "--page-events", "2500", "--markdown", str(doc))
    assert "read_stream 1,500 events" in done.stdout
    text = doc.read_text(encoding="utf-8")
    assert "kept" in text
    assert "| sqlite | 1 | 1 |" in text  # an appends row
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
