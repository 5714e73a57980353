"""bench/eventlog.py runs end to end (tiny durations) and rewrites only its own section of the results file."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_bench_runs_and_replaces_only_its_marked_section(tmp_path: Path) -> None:
    results = tmp_path / "benchmarks.md"
    results.write_text(
        "# Benchmarks\n\n<!-- bench:other -->\nkept\n<!-- /bench:other -->\n\n"
        "<!-- bench:eventlog -->\nstale\n<!-- /bench:eventlog -->\n"
    )
    run = subprocess.run(
        [
            sys.executable,
            str(ROOT / "bench" / "eventlog.py"),
            "--seconds",
            "0.2",
            "--rounds",
            "1",
            "--databases",
            "sqlite",
            "--markdown",
            str(results),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        cwd=tmp_path,
    )
    assert run.returncode == 0, run.stderr
    assert re.search(
        r"^sqlite\s+8\s+100\s+[\d,]+\s+[\d,]+\s+[\d,]+\s+\d+\.\d\d\s+[\d,]+\s+[\d,]+$", run.stdout, re.M
    ), run.stdout
    text = results.read_text()
    assert "<!-- bench:other -->\nkept\n<!-- /bench:other -->" in text
    assert "stale" not in text and text.count("<!-- bench:eventlog -->") == 1
    rows = re.findall(
        r"^\| sqlite \| (\d) \| (\d+) \| ([\d,]+) \| ([\d,]+) \| ([\d,]+) \| (\d+\.\d\d) \| [\d,]+ \| [\d,]+ \|$",
        text,
        re.M,
    )
    assert {(w, b) for w, b, *_ in rows} == {("1", "1"), ("1", "100"), ("8", "1"), ("8", "100")}
    for *_, library, ordered, _unordered, ratio in rows:
        lib, raw = float(library.replace(",", "")), float(ordered.replace(",", ""))
        assert lib > 0 and raw > 0 and abs(lib / raw - float(ratio)) < 0.02
