"""Reporting catching up from position 0: events/s of the projection consumer over a generated log.

For each database (throw-away SQLite file, throw-away PostgreSQL database on ``BENCH_POSTGRES_URL``), the
script generates a small region with bench/generate.py (the services' own code), then grows the log to
``--events`` (default 100,000; 200,000 took about 7 minutes on the shared 2-core box; ``--events 1000000`` for 1M) by appending copies of the generated events with
the library's ``append``: each copy renames every id (uuid5 of copy number and original id) except the 38
districts', keeps every event's type, payload shape, order and stream grouping, so the copies are as realistic
as the original for the projections. Then the reporting consumer runs exactly as its background loop does
(``services.reporting.consumer.run_once``: one committed transaction per batch of ``DEFAULT_BATCH_SIZE``) until every projection
is at the head, and the script reports events/s.

    .venv/bin/python bench/projections.py                       # about 4 minutes
    .venv/bin/python bench/projections.py --events 1000000 --databases postgresql
    .venv/bin/python bench/projections.py --markdown docs/benchmarks.md --profile
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import io
import os
import pstats
import re
import sys
import time
import uuid
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import benchlib

TARGET_EVENTS_PER_S = 10_000.0
UUID_RE = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
COMMIT_EVERY = 5000
NAMESPACE = uuid.UUID("5b1f3c36-1f7e-4c59-9e3f-6c1b2a7d9e10")


def _remap(value: Any, rename: Any) -> Any:
    if isinstance(value, str):
        return UUID_RE.sub(rename, value)
    if isinstance(value, list):
        return [_remap(v, rename) for v in value]
    if isinstance(value, dict):
        return {_remap(k, rename): _remap(v, rename) for k, v in value.items()}
    return value


def grow_log(database_url: str, target: int) -> tuple[int, float]:
    """Append renamed copies of the log's non-district events until it holds ``target`` events."""
    from shared.db import Database
    from shared.eventlog import NewEvent, append, last_position, read_all

    database = Database.from_url(database_url)
    started = time.perf_counter()
    try:
        with database.session() as session:
            original = []
            after = 0
            while page := read_all(session, after=after, limit=1000):
                original.extend(page)
                after = page[-1].position
            head = last_position(session)
        keep = {e.district_id for e in original if e.stream_type == "district"}
        keep |= {e.stream_id for e in original if e.stream_type == "district"}
        template = [e for e in original if e.stream_type != "district"]
        # Consecutive events of one stream are appended together, as the services do within one request.
        runs: list[list[Any]] = []
        for event in template:
            if runs and (runs[-1][0].stream_type, runs[-1][0].stream_id) == (
                event.stream_type,
                event.stream_id,
            ):
                runs[-1].append(event)
            else:
                runs.append([event])
        copy = 0
        while head < target:
            copy += 1
            cache: dict[str, str] = {}

            def rename(match: re.Match[str], copy: int = copy, cache: dict[str, str] = cache) -> str:
                old = match.group(0)
                if old in keep:
                    return old
                new = cache.get(old)
                if new is None:
                    new = cache[old] = str(uuid.uuid5(NAMESPACE, f"{copy}:{old}"))
                return new

            pending = 0
            session = database.session()
            try:
                session.begin()
                for run in runs:
                    if head >= target:
                        break
                    run = run[: target - head]
                    first = run[0]
                    append(
                        session,
                        stream_type=first.stream_type,
                        stream_id=_remap(first.stream_id, rename),
                        expected_version=None,
                        events_to_append=[
                            NewEvent(e.type, _remap(dict(e.payload), rename), e.schema_version) for e in run
                        ],
                        district_id=first.district_id,
                        actor_id=first.actor_id,
                        correlation_id=f"bench-copy-{copy}",
                        occurred_at=first.occurred_at,
                    )
                    head += len(run)
                    pending += len(run)
                    if pending >= COMMIT_EVERY:
                        session.commit()
                        session.begin()
                        pending = 0
                session.commit()
            finally:
                session.close()
    finally:
        database.dispose()
    return head, time.perf_counter() - started


def catch_up_from_zero(database_url: str, profile: bool) -> dict[str, Any]:
    """Run the consumer's loop until every projection is at the head; events/s and batches."""
    from services.reporting.consumer import DEFAULT_BATCH_SIZE, pending, run_once
    from shared.db import Database

    database = Database.from_url(database_url)
    profiler = cProfile.Profile() if profile else None
    applied = batches = 0
    try:
        cpu = time.process_time()
        started = time.perf_counter()
        if profiler:
            profiler.enable()
        while count := run_once(database, batch_size=DEFAULT_BATCH_SIZE):
            applied += count
            batches += 1
        if profiler:
            profiler.disable()
        elapsed = time.perf_counter() - started
        cpu = time.process_time() - cpu
        with database.session() as session:
            assert not pending(session)
    finally:
        database.dispose()
    report = ""
    if profiler:
        out = io.StringIO()
        stats = pstats.Stats(profiler, stream=out)
        stats.sort_stats("tottime").print_stats(16)
        stats.sort_stats("cumulative").print_stats(r"services/reporting", 14)
        report = out.getvalue()
    return {
        "applied": applied,
        "batches": batches,
        "seconds": elapsed,
        "ev_s": applied / elapsed if elapsed else 0.0,
        "cpu_us": cpu / applied * 1e6 if applied else 0.0,
        "profile": report,
    }


def batch_size() -> int:
    """The consumer's batch size (what its background loop uses)."""
    from services.reporting.consumer import DEFAULT_BATCH_SIZE

    return DEFAULT_BATCH_SIZE


def main(argv: list[str] | None = None) -> int:
    """Run, print the table, optionally rewrite this benchmark's section."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--databases", default="sqlite,postgresql", help="comma-separated: sqlite,postgresql")
    parser.add_argument("--events", type=int, default=100_000, help="events in the log (1000000 for 1M)")
    parser.add_argument("--profile", action="store_true", help="cProfile the catch-up")
    parser.add_argument("--markdown", type=Path, help="rewrite this benchmark's section of this file")
    parser.add_argument("--notes", default="", help="a paragraph added under the table")
    args = parser.parse_args(argv)
    load_before = benchlib.load_average()
    print(benchlib.machine(), "| load", load_before, flush=True)
    generator = benchlib.load_generator_module()
    rows: list[list[Any]] = []
    versions: list[str] = []
    profiles: list[str] = []
    results: list[dict[str, Any]] = []
    started = time.monotonic()
    for kind in args.databases.split(","):
        if kind == "postgresql" and not benchlib.postgres_reachable(benchlib.postgres_admin_url()):
            continue
        with benchlib.throwaway_database(kind) as url:
            summary = asyncio.run(
                generator.generate(database_url=url, districts=6, years=2, scale=0.5, log=lambda _l: None)
            )
            print(
                f"[{kind}] generated {summary['events']:,} events in {summary['seconds']:.0f} s", flush=True
            )
            versions.append(benchlib.database_version(url))
            total, fill = grow_log(url, args.events)
            print(f"[{kind}] log grown to {total:,} events in {fill:.0f} s", flush=True)
            result = catch_up_from_zero(url, args.profile)
            load = f"{os.getloadavg()[0]:.1f}"
            results.append({**result, "database": kind})
            rows.append(
                [
                    kind,
                    f"{total:,}",
                    f"{result['applied']:,}",
                    result["batches"],
                    f"{result['seconds']:.1f}",
                    f"{result['ev_s']:,.0f}",
                    f"{result['cpu_us']:,.0f}",
                    "yes" if result["ev_s"] >= TARGET_EVENTS_PER_S else "no",
                    load,
                ]
            )
            print(
                f"[{kind}] caught up {result['applied']:,} events in {result['seconds']:.1f} s: "
                f"{result['ev_s']:,.0f} ev/s ({result['cpu_us']:,.0f} us CPU/event), load {load}",
                flush=True,
            )
            if result["profile"]:
                profiles.append(f"--- {kind}: catch-up of {total:,} events ---\n{result['profile']}")
    load_after = benchlib.load_average()
    print(f"total {time.monotonic() - started:.0f} s; load average {load_after}")
    header = [
        "database",
        "log events",
        "applied",
        "batches",
        "seconds",
        "events/s",
        "CPU us/event",
        ">= 10k/s",
        "load 1m",
    ]
    benchlib.print_table(header, rows)
    for text in profiles:
        print(text)
    if args.markdown:
        body = [
            "## Reporting catch-up from 0 (`bench/projections.py`)",
            "",
            f"- Command: `{benchlib.command_line('bench/projections.py', argv)}`",
            f"- Date: {benchlib.now_utc()}",
            f"- Machine: {benchlib.machine()}; {', '.join(versions)}",
            f"- Load average: {load_before} before, {load_after} after (1-minute value at the end of each run in "
            "the table).",
            "- Log: a region generated through the services (6 districts x 2 years), grown with renamed copies of "
            "its own events (every id but the districts' renamed per copy; same types, payloads, order and stream "
            f"grouping). Consumer: `run_once` in a loop (batches of {batch_size()}, one committed transaction each, every "
            "projection), in this process. CPU us/event is this process's CPU time per event (the database "
            "server's is not counted).",
            "",
            *benchlib.markdown_table(header, rows),
        ]
        if profiles:
            body += ["", "cProfile of the catch-up:", "", "```", *"\n".join(profiles).splitlines(), "```"]
        if args.notes:
            body += ["", args.notes]
        benchlib.write_section(args.markdown, "projections", "\n".join(body))
        print(f"wrote the projections section of {args.markdown}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
