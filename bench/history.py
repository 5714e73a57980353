"""A process with a long event stream: its history pages and its ``as_of`` rebuild, over real HTTP.

For each database (throw-away SQLite file, throw-away PostgreSQL database on ``BENCH_POSTGRES_URL``), the script
generates a small region with bench/generate.py, then gives one process ``--events`` (default 100,000)
``process.updated`` events: payloads built with the catalogue model (``events.ProcessUpdated``) and appended with
``shared.eventlog.append`` in batches of 1000, the process row's ``version`` kept equal to the stream version
through its ORM model and the snapshots written as the service's write path writes them
(``snapshots.snapshot_process`` in the same transaction). Then ``communitylab serve`` runs registry and workshops and one connection times:

- ``GET /processes/{id}/history?limit=100``: the first page, a page from the middle (cursor), the last page;
  and the first page of a small process of the same log (for contrast);
- ``GET /processes/{id}?as_of=...``: at the end of the stream (fold of every event) and at its middle;
- the same two ``as_of`` rebuilds in process (``history_service.process_as_of``), to separate the fold from HTTP, and
  the end-of-stream one once more with snapshots ignored (the full fold they replace, for contrast).

Targets: < 10 ms a history page, < 100 ms an as-of rebuild.

    .venv/bin/python bench/history.py                   # about 2 minutes
    .venv/bin/python bench/history.py --events 20000 --databases sqlite
    .venv/bin/python bench/history.py --markdown docs/benchmarks.md --profile
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import io
import pstats
import statistics
import sys
import time
import uuid
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import httpx

from bench import benchlib

PAGE_TARGET_MS = 10.0
AS_OF_TARGET_MS = 100.0
BATCH = 1000
TITLES = ["Priorità partecipate", "Ascolto del territorio", "Tavoli di comunità", "Piano di Zona"]


def grow_stream(database_url: str, process_id: str, count: int) -> float:
    """Append ``count`` process.updated events to the process's stream; the row's version follows. Seconds taken."""
    from services.workshops.processes import events
    from services.workshops.processes.history import snapshots as history_snapshots
    from services.workshops.processes.models import Process
    from shared.db import Database
    from shared.eventlog import NewEvent, append

    database = Database.from_url(database_url)
    started = time.perf_counter()
    try:
        done = 0
        while done < count:
            batch = min(BATCH, count - done)
            with database.transaction() as session:
                process = session.get(Process, uuid.UUID(process_id))
                assert process is not None
                new_events = []
                for i in range(batch):
                    n = done + i
                    changes: dict[str, Any] = (
                        {"title": f"{TITLES[n % len(TITLES)]} ({n})"}
                        if n % 3
                        else {"purpose": f"Revisione {n} della scheda identificativa del processo."}
                    )
                    payload = events.ProcessUpdated(
                        process_id=process_id, district_id=str(process.district_id), changes=changes
                    )
                    new_events.append(NewEvent(events.PROCESS_UPDATED, payload.dump()))
                recorded = append(
                    session,
                    stream_type=events.PROCESS,
                    stream_id=process_id,
                    expected_version=process.version,
                    events_to_append=new_events,
                    district_id=str(process.district_id),
                    actor_id="bench",
                )
                process.version = recorded[-1].version
                session.add(process)
                history_snapshots.snapshot_process(
                    session=session, process_id=process.id, through_version=process.version
                )
            done += batch
    finally:
        database.dispose()
    return time.perf_counter() - started


def timed_get(client: httpx.Client, path: str, repeats: int) -> tuple[float, float, Any]:
    """Median and best wall time (ms) of ``repeats`` GETs; the last response's JSON."""
    times = []
    body: Any = None
    for _ in range(repeats):
        started = time.perf_counter()
        response = client.get(path)
        times.append((time.perf_counter() - started) * 1000)
        response.raise_for_status()
        body = response.json()
    return statistics.median(times), min(times), body


def in_process_as_of(
    database_url: str, process_id: str, as_of: str, repeats: int, profile: bool, snapshots: bool = True
) -> tuple[float, str]:
    """Median ms of ``history_service.process_as_of`` in this process (and a cProfile of one call when asked).

    ``snapshots=False`` makes the fold ignore them (a fold format no snapshot has): the full fold.
    """
    from datetime import datetime

    from services.workshops.processes.history import service as history_service
    from services.workshops.processes.history import snapshots as history_snapshots
    from shared.db import Database
    from shared.eventlog.timepoint import TimePoint

    database = Database.from_url(database_url)
    when = datetime.fromisoformat(as_of)
    times = []
    report = ""
    fold_format = history_snapshots.PROCESS_FOLD_FORMAT
    if not snapshots:
        history_snapshots.PROCESS_FOLD_FORMAT = -1
    try:
        for _ in range(repeats):
            with database.session() as session:
                started = time.perf_counter()
                history_service.process_as_of(
                    session=session, process_id=uuid.UUID(process_id), point=TimePoint(known_at=when)
                )
                times.append((time.perf_counter() - started) * 1000)
        if profile:
            profiler = cProfile.Profile()
            with database.session() as session:
                profiler.enable()
                history_service.process_as_of(
                    session=session, process_id=uuid.UUID(process_id), point=TimePoint(known_at=when)
                )
                profiler.disable()
            out = io.StringIO()
            pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(14)
            report = out.getvalue()
    finally:
        history_snapshots.PROCESS_FOLD_FORMAT = fold_format
        database.dispose()
    return statistics.median(times), report


def run_database(kind: str, args: argparse.Namespace) -> tuple[str, list[dict[str, Any]], str]:
    """Everything for one database: version, rows, profile text."""
    generator = benchlib.load_generator_module()
    rows: list[dict[str, Any]] = []
    with benchlib.throwaway_database(kind) as url:
        asyncio.run(
            generator.generate(database_url=url, districts=2, years=1, scale=0.5, log=lambda _l: None)
        )
        version = benchlib.database_version(url)
        key = benchlib.admin_key(url)
        env = benchlib.service_env(url, COMMUNITYLAB_LOG_LEVEL="WARNING")
        registry = benchlib.start_service("registry", env)
        workshops = benchlib.start_service(
            "workshops",
            benchlib.service_env(
                url, COMMUNITYLAB_LOG_LEVEL="WARNING", COMMUNITYLAB_REGISTRY_URL=registry.base_url
            ),
        )
        try:
            for server in (registry, workshops):
                server.wait_ready()
            headers = {"Authorization": f"Bearer {key}"}
            with httpx.Client(base_url=workshops.base_url, headers=headers, timeout=120) as client:
                processes = client.get("/processes", params={"limit": 10}).raise_for_status().json()["items"]
                big, small = processes[0]["id"], processes[1]["id"]
                print(f"[{kind}] appending {args.events:,} events to process {big}", flush=True)
                fill = grow_stream(url, big, args.events)
                print(f"[{kind}] appended in {fill:.0f} s ({args.events / fill:,.0f} ev/s)", flush=True)
                first_ms, first_best, page = timed_get(
                    client, f"/processes/{big}/history?limit=100", args.repeats
                )
                assert len(page["items"]) == 100 and page["next_cursor"]
                # The middle and the last pages: walk the cursors with pages of 500 (the API maximum).
                cursor = page["next_cursor"]
                walked = 100
                cursors = {}
                while cursor:
                    if walked >= args.events // 2 and "middle" not in cursors:
                        cursors["middle"] = cursor
                    nxt = client.get(
                        f"/processes/{big}/history", params={"limit": 500, "cursor": cursor}
                    ).json()
                    walked += len(nxt["items"])
                    if nxt["next_cursor"] is None:
                        cursors["last"] = cursor
                    cursor = nxt["next_cursor"]
                results = [("history first page (100)", first_ms, first_best)]
                for name in ("middle", "last"):
                    median, best, _ = timed_get(
                        client, f"/processes/{big}/history?limit=100&cursor={cursors[name]}", args.repeats
                    )
                    results.append((f"history {name} page (100)", median, best))
                median, best, _ = timed_get(client, f"/processes/{small}/history?limit=100", args.repeats)
                results.append(("history first page, small process", median, best))
                latest = client.get(f"/processes/{big}").json()
                assert latest["version"] == args.events + processes[0]["version"], latest["version"]
                stream = client.get(
                    f"/processes/{big}/history", params={"limit": 1, "cursor": cursors["middle"]}
                )
                middle_time = stream.json()["items"][0]["recorded_at"]
                end_time = "2100-01-01T00:00:00+00:00"
                as_of_repeats = max(1, args.repeats // 4)
                for name, when in (("end", end_time), ("middle", middle_time)):
                    median, best, body = timed_get(
                        client,
                        f"/processes/{big}?" + httpx.QueryParams({"as_of": when}).__str__(),
                        as_of_repeats,
                    )
                    results.append((f"as_of {name} of stream (HTTP)", median, best))
                    if name == "end":
                        assert body["version"] == latest["version"]
        finally:
            registry.stop()
            workshops.stop()
        profile_text = ""
        for name, when in (("end", end_time), ("middle", middle_time)):
            median, report = in_process_as_of(url, big, when, as_of_repeats, args.profile and name == "end")
            results.append((f"as_of {name} of stream (in process)", median, median))
            profile_text = profile_text or report
        median, _ = in_process_as_of(url, big, end_time, 1, False, snapshots=False)
        results.append(("as_of end of stream, snapshots ignored (in process)", median, median))
        for name, median, best in results:
            target = PAGE_TARGET_MS if name.startswith("history") else AS_OF_TARGET_MS
            rows.append(
                {
                    "database": kind,
                    "what": name,
                    "median": median,
                    "best": best,
                    "target": target,
                    "met": median < target,
                    "load": f"{__import__('os').getloadavg()[0]:.1f}",
                }
            )
            print(
                f"[{kind}] {name:<40} median {median:9.1f} ms  best {best:9.1f} ms  target < {target:g} ms",
                flush=True,
            )
    return version, rows, profile_text


def main(argv: list[str] | None = None) -> int:
    """Run, print the table, optionally rewrite this benchmark's section."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--databases", default="sqlite,postgresql", help="comma-separated: sqlite,postgresql")
    parser.add_argument("--events", type=int, default=100_000, help="events on the process's stream")
    parser.add_argument(
        "--repeats", type=int, default=20, help="timed requests per history page (as_of: a quarter)"
    )
    parser.add_argument("--profile", action="store_true", help="cProfile one in-process as_of rebuild")
    parser.add_argument("--markdown", type=Path, help="rewrite this benchmark's section of this file")
    parser.add_argument("--notes", default="", help="a paragraph added under the table")
    args = parser.parse_args(argv)
    load_before = benchlib.load_average()
    print(benchlib.machine(), "| load", load_before, flush=True)
    rows: list[dict[str, Any]] = []
    versions: list[str] = []
    profiles: list[str] = []
    started = time.monotonic()
    for kind in args.databases.split(","):
        if kind == "postgresql" and not benchlib.postgres_reachable(benchlib.postgres_admin_url()):
            continue
        version, found, profile_text = run_database(kind, args)
        versions.append(version)
        rows.extend(found)
        if profile_text:
            profiles.append(
                f"--- {kind}: one in-process as_of rebuild of {args.events:,} events ---\n{profile_text}"
            )
    load_after = benchlib.load_average()
    print(f"total {time.monotonic() - started:.0f} s; load average {load_after}")
    header = ["database", "measurement", "median ms", "best ms", "target ms", "met", "load 1m"]
    table = [
        [
            r["database"],
            r["what"],
            f"{r['median']:,.1f}",
            f"{r['best']:,.1f}",
            f"< {r['target']:g}",
            "yes" if r["met"] else "no",
            r["load"],
        ]
        for r in rows
    ]
    benchlib.print_table(header, table)
    for text in profiles:
        print(text)
    if args.markdown:
        body = [
            "## Process history and as-of rebuild (`bench/history.py`)",
            "",
            f"- Command: `{benchlib.command_line('bench/history.py', argv)}`",
            f"- Date: {benchlib.now_utc()}",
            f"- Machine: {benchlib.machine()}; {', '.join(versions)}",
            f"- Load average: {load_before} before, {load_after} after (1-minute value per row in the table).",
            f"- One process with {args.events:,} `process.updated` events (plus its generated ones) in a log of a "
            "small generated region; one connection (httpx), one uvicorn worker; medians of "
            f"{args.repeats} requests per history page and {max(1, args.repeats // 4)} per as-of rebuild.",
            "",
            *benchlib.markdown_table(header, table, right_from=2),
        ]
        if profiles:
            body += [
                "",
                "cProfile of one in-process rebuild (top functions by own time):",
                "",
                "```",
                *"\n".join(profiles).splitlines(),
                "```",
            ]
        if args.notes:
            body += ["", args.notes]
        benchlib.write_section(args.markdown, "history", "\n".join(body))
        print(f"wrote the history section of {args.markdown}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
