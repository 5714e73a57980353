"""Event-log append throughput: the library against raw INSERTs of the same rows, same database, same run.

Modes (each writer appends to its own stream; every row carries the same columns and a ~300-byte payload):

- ``library``      ``shared.eventlog.append`` inside ``Database.transaction()`` (what a service does).
- ``raw_ordered``  the DB-API driver inserts the same rows into ``eventlog.events`` under the library's ordering
                   discipline: lock the ``eventlog.head`` row, take positions from it, insert, move the head.
                   No hashing, no stream-version check, no ORM session.
- ``raw_unordered`` the same rows into a copy of the table whose position is an identity column: no head lock,
                   no ordering guarantee: the hardware ceiling.

Each cell runs for a fixed time (``--seconds``) with 1 or 8 writer threads, one event per transaction or batches
of 100, on SQLite (a temporary file) and PostgreSQL (a temporary database created and dropped on
``BENCH_POSTGRES_URL``, default ``postgresql://postgres@127.0.0.1:5432/test``; skipped when unreachable).

    .venv/bin/python bench/eventlog.py                 # whole run, about 2 minutes
    .venv/bin/python bench/eventlog.py --profile       # plus cProfile of the library's single-event path
    .venv/bin/python bench/eventlog.py --markdown docs/benchmarks.md   # also rewrite this bench's section

Reads (``--parts reads``): one stream of ``--stream-events`` events (default 100k) read whole with
``shared.eventlog.read_stream``, and the whole log of ``--page-events`` events (default 100k; 1M with
``--page-events 1000000``, about 3-5 more minutes per database) paged "all after position" with ``read_all`` in
pages of 1000, as a consumer does. The events are written with the library's own ``append`` in batches of 1000.

    .venv/bin/python bench/eventlog.py --parts reads --page-events 1000000 --markdown docs/benchmarks.md
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import io
import json
import os
import platform
import pstats
import re
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine
from sqlalchemy.engine import make_url

from shared.db import Database, make_engine
from shared.eventlog import NewEvent, append, last_position, read_all, read_stream
from shared.migrations import COMPONENTS

MODES = ("library", "raw_ordered", "raw_unordered")
WRITERS = (1, 8)
BATCHES = (1, 100)
SECTION_START = "<!-- bench:eventlog -->"
SECTION_END = "<!-- /bench:eventlog -->"
READS_START = "<!-- bench:eventlog-reads -->"
READS_END = "<!-- /bench:eventlog-reads -->"
READ_BATCH = 1000
TARGET_RATIO = 0.5

COLUMNS = (
    "event_id, stream_type, stream_id, version, type, schema_version, occurred_at, recorded_at, actor_id, "
    "correlation_id, causation_id, district_id, payload, metadata, prev_hash, hash"
)


def payload_for(n: int) -> dict[str, Any]:
    """A payload shaped like a real `workshop.scheduled` event."""
    return {
        "workshop_id": str(uuid.uuid4()),
        "process_id": "9b0f6f0e-3c55-4c8e-8f51-1f7c2a1d0b7e",
        "district_id": "3f1d2c4b-5a69-4e87-9c0b-1a2b3c4d5e6f",
        "method": "world_cafe",
        "title": f"Tavolo di lavoro {n}: servizi di prossimità",
        "starts_at": "2026-03-12T16:00:00Z",
        "ends_at": "2026-03-12T19:00:00Z",
        "capacity": 40,
        "facilitator_ids": ["0d9a3e1e-8b57-4cb2-a2f5-5b7b0f6d0c11"],
        "status": "scheduled",
    }


@dataclass
class Backend:
    """One database under test."""

    name: str
    url: str
    engine: Engine
    database: Database
    cleanup: Callable[[], None]


def migrate_event_log(engine: Engine) -> None:
    """Create only the event log's tables (the benchmark needs nothing else)."""
    component = COMPONENTS[0]
    assert component.name == "eventlog"
    config = Config()
    config.set_main_option("script_location", component.script_location)
    config.attributes["component"] = component
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


def create_unordered_table(backend: Backend) -> None:
    """A copy of ``events`` (same columns and indexes) whose position is an identity column."""
    common = """
        event_id {uuid} NOT NULL UNIQUE, stream_type VARCHAR(64) NOT NULL, stream_id VARCHAR(64) NOT NULL,
        version INTEGER NOT NULL, type VARCHAR(128) NOT NULL, schema_version INTEGER NOT NULL,
        occurred_at {ts} NOT NULL, recorded_at {ts} NOT NULL, actor_id VARCHAR(64), correlation_id VARCHAR(128),
        causation_id VARCHAR(64), district_id VARCHAR(64), payload {json} NOT NULL, metadata {json} NOT NULL,
        prev_hash VARCHAR(64) NOT NULL, hash VARCHAR(64) NOT NULL,
        UNIQUE (stream_type, stream_id, version)"""
    if backend.name == "sqlite":
        ddl = [
            "CREATE TABLE bench_unordered (position INTEGER PRIMARY KEY AUTOINCREMENT, "
            + common.format(uuid="CHAR(32)", ts="DATETIME", json="JSON")
            + ")"
        ]
    else:
        ddl = [
            "CREATE TABLE eventlog.bench_unordered (position BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, "
            + common.format(uuid="UUID", ts="TIMESTAMPTZ", json="JSONB")
            + ")"
        ]
    table = "bench_unordered" if backend.name == "sqlite" else "eventlog.bench_unordered"
    ddl += [
        f"CREATE INDEX ix_bench_type_position ON {table} (type, position)",
        f"CREATE INDEX ix_bench_district_position ON {table} (district_id, position)",
    ]
    with backend.engine.begin() as conn:
        for statement in ddl:
            conn.exec_driver_sql(statement)


@contextmanager
def sqlite_backend() -> Iterator[Backend]:
    """A fresh SQLite file in a temporary directory."""
    with tempfile.TemporaryDirectory(prefix="communitylab-bench-") as tmp:
        url = f"sqlite:///{tmp}/bench.db"
        engine = make_engine(url)
        migrate_event_log(engine)
        backend = Backend("sqlite", url, engine, Database(engine), engine.dispose)
        create_unordered_table(backend)
        try:
            yield backend
        finally:
            engine.dispose()


@contextmanager
def postgres_backend(admin_url: str) -> Iterator[Backend | None]:
    """A temporary PostgreSQL database (None when no server answers)."""
    import psycopg

    try:
        psycopg.connect(admin_url, connect_timeout=3).close()
    except Exception as exc:
        print(f"PostgreSQL not reachable at {admin_url} ({exc}); skipping it", file=sys.stderr)
        yield None
        return
    name = f"communitylab_bench_{os.getpid()}_{int(time.time())}"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    url = make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    engine = make_engine(url, pool_size=12, max_overflow=4)
    try:
        migrate_event_log(engine)
        backend = Backend("postgresql", url, engine, Database(engine), engine.dispose)
        create_unordered_table(backend)
        yield backend
    finally:
        engine.dispose()
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


class Writer:
    """One thread's appender for one mode: `write(batch)` commits one transaction of `batch` events."""

    def __init__(self, backend: Backend, mode: str) -> None:
        self.backend = backend
        self.mode = mode
        self.stream_id = str(uuid.uuid4())
        self.version = 0
        self.counter = 0
        self.raw = backend.engine.raw_connection() if mode != "library" else None
        self.sqlite = backend.name == "sqlite"
        events_table = "events" if self.sqlite else "eventlog.events"
        self.head_table = "head" if self.sqlite else "eventlog.head"
        mark = "?" if self.sqlite else "%s"
        if mode == "raw_ordered":
            self.insert = (
                f"INSERT INTO {events_table} (position, {COLUMNS}) VALUES ({', '.join([mark] * 17)})"
            )
        else:
            table = "bench_unordered" if self.sqlite else "eventlog.bench_unordered"
            self.insert = f"INSERT INTO {table} ({COLUMNS}) VALUES ({', '.join([mark] * 16)})"
        self.mark = mark

    def close(self) -> None:
        """Give the raw connection back to the pool."""
        if self.raw is not None:
            self.raw.close()

    def write(self, batch: int) -> None:
        """Append `batch` events to this writer's stream in one transaction."""
        if self.mode == "library":
            self._write_library(batch)
        else:
            self._write_raw(batch)
        self.version += batch

    def _write_library(self, batch: int) -> None:
        new_events = []
        for _ in range(batch):
            self.counter += 1
            new_events.append(NewEvent("workshop.scheduled", payload_for(self.counter)))
        with self.backend.database.transaction() as session:
            append(
                session,
                stream_type="workshop",
                stream_id=self.stream_id,
                expected_version=self.version,
                events_to_append=new_events,
                district_id="3f1d2c4b-5a69-4e87-9c0b-1a2b3c4d5e6f",
                actor_id="bench",
                correlation_id="bench",
            )

    def _rows(self, batch: int) -> list[tuple[Any, ...]]:
        now = dt.datetime.now(dt.UTC)
        stamp: Any = now.replace(tzinfo=None).isoformat(sep=" ") if self.sqlite else now
        rows = []
        for offset in range(1, batch + 1):
            self.counter += 1
            event_id = uuid.uuid4()
            rows.append(
                (
                    event_id.hex if self.sqlite else event_id,
                    "workshop",
                    self.stream_id,
                    self.version + offset,
                    "workshop.scheduled",
                    1,
                    stamp,
                    stamp,
                    "bench",
                    "bench",
                    None,
                    "3f1d2c4b-5a69-4e87-9c0b-1a2b3c4d5e6f",
                    json.dumps(payload_for(self.counter)),
                    "{}",
                    "0" * 64,
                    "0" * 64,
                )
            )
        return rows

    def _write_raw(self, batch: int) -> None:
        assert self.raw is not None
        rows = self._rows(batch)
        cursor = self.raw.cursor()
        try:
            if self.sqlite:
                cursor.execute("BEGIN IMMEDIATE")
            if self.mode == "raw_ordered":
                if self.sqlite:
                    # BEGIN IMMEDIATE already holds SQLite's single write lock, as in the library.
                    cursor.execute(f"SELECT position FROM {self.head_table} WHERE id = 1")
                else:
                    cursor.execute(f"SELECT position FROM {self.head_table} WHERE id = 1 FOR UPDATE")
                position = int(cursor.fetchone()[0])
                rows = [(position + i, *row) for i, row in enumerate(rows, start=1)]
                cursor.executemany(self.insert, rows)
                cursor.execute(
                    f"UPDATE {self.head_table} SET position = {self.mark} WHERE id = 1", (position + batch,)
                )
            else:
                cursor.executemany(self.insert, rows)
            if self.sqlite:
                cursor.execute("COMMIT")
            else:
                self.raw.commit()
        except BaseException:
            if self.sqlite:
                cursor.execute("ROLLBACK")
            else:
                self.raw.rollback()
            raise
        finally:
            cursor.close()


def run_cell(
    backend: Backend, mode: str, writers: int, batch: int, seconds: float
) -> tuple[int, float, float]:
    """Events committed by `writers` threads in about `seconds`, the elapsed time and the writers' CPU time."""
    pool = [Writer(backend, mode) for _ in range(writers)]
    counts = [0] * writers
    cpu = [0.0] * writers
    errors: list[BaseException] = []
    start = threading.Barrier(writers + 1)
    stop_at = [0.0]

    def work(index: int) -> None:
        writer = pool[index]
        start.wait()
        cpu_start = time.thread_time()
        try:
            while time.perf_counter() < stop_at[0]:
                writer.write(batch)
                counts[index] += batch
        except BaseException as exc:
            errors.append(exc)
        cpu[index] = time.thread_time() - cpu_start

    threads = [threading.Thread(target=work, args=(i,)) for i in range(writers)]
    for thread in threads:
        thread.start()
    began = time.perf_counter()
    stop_at[0] = began + seconds
    start.wait()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - began
    for writer in pool:
        writer.close()
    if errors:
        raise errors[0]
    return sum(counts), elapsed, sum(cpu)


def measure(backend: Backend, writers: int, batch: int, seconds: float, rounds: int) -> dict[str, float]:
    """Events/s of every mode, interleaved in `rounds` slices so load changes on a shared machine hit all alike."""
    totals = {mode: [0, 0.0, 0.0] for mode in MODES}
    for round_index in range(rounds):
        shift = round_index % len(MODES)
        for mode in MODES[shift:] + MODES[:shift]:
            count, elapsed, cpu = run_cell(backend, mode, writers, batch, seconds / rounds)
            totals[mode][0] += count
            totals[mode][1] += elapsed
            totals[mode][2] += cpu
    result = {mode: count / elapsed for mode, (count, elapsed, _cpu) in totals.items()}
    # Client CPU per event (the writer threads' own time, microseconds): what the library adds in Python.
    for mode in ("library", "raw_ordered"):
        count, _elapsed, cpu = totals[mode]
        result[f"{mode}_cpu_us"] = cpu / count * 1e6 if count else 0.0
    return result


def profile_library(backend: Backend, seconds: float) -> str:
    """cProfile of one writer appending single events through the library."""
    writer = Writer(backend, "library")
    profiler = cProfile.Profile()
    deadline = time.perf_counter() + seconds
    profiler.enable()
    while time.perf_counter() < deadline:
        writer.write(1)
    profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out).sort_stats("tottime")
    stats.print_stats(18)
    return out.getvalue()


def bulk_append(backend: Backend, stream_id: str, count: int, *, start_version: int = 0) -> float:
    """Append ``count`` events to one stream with the library, ``READ_BATCH`` per transaction; seconds taken."""
    started = time.perf_counter()
    version = start_version
    while version - start_version < count:
        batch = min(READ_BATCH, count - (version - start_version))
        new_events = [NewEvent("workshop.scheduled", payload_for(version + i)) for i in range(batch)]
        with backend.database.transaction() as session:
            append(
                session,
                stream_type="workshop",
                stream_id=stream_id,
                expected_version=version,
                events_to_append=new_events,
                district_id="3f1d2c4b-5a69-4e87-9c0b-1a2b3c4d5e6f",
                actor_id="bench",
                correlation_id="bench",
            )
        version += batch
    return time.perf_counter() - started


def measure_reads(backend: Backend, stream_events: int, page_events: int, repeats: int = 3) -> dict[str, Any]:
    """Fill the log (one big stream, then other streams up to ``page_events``), time read_stream and read_all."""
    with backend.database.session() as session:
        existing = last_position(session)  # events the appends part left in the log are paged too
    big = str(uuid.uuid4())
    fill_seconds = bulk_append(backend, big, stream_events)
    filled = existing + stream_events
    others = 0
    while filled < page_events:
        # Other streams of 10 batches each, so the paged log is not one stream.
        chunk = min(10 * READ_BATCH, page_events - filled)
        fill_seconds += bulk_append(backend, str(uuid.uuid4()), chunk)
        filled += chunk
        others += 1
    result: dict[str, Any] = {
        "database": backend.name,
        "stream_events": stream_events,
        "log_events": filled,
        "fill_ev_s": (filled - existing) / fill_seconds,
    }
    timings = []
    for _ in range(repeats):
        with backend.database.session() as session:
            started = time.perf_counter()
            got = read_stream(session, "workshop", big)
            timings.append(time.perf_counter() - started)
        assert len(got) == stream_events and got[-1].version == stream_events
        del got
    best = min(timings)
    result["stream_s"] = best
    result["stream_ev_s"] = stream_events / best
    page_ms: list[float] = []
    with backend.database.session() as session:
        after = 0
        seen = 0
        started = time.perf_counter()
        while True:
            page_started = time.perf_counter()
            page = read_all(session, after=after, limit=READ_BATCH)
            page_ms.append((time.perf_counter() - page_started) * 1000)
            if not page:
                break
            seen += len(page)
            after = page[-1].position
        total = time.perf_counter() - started
    assert seen == filled, (seen, filled)
    page_ms.sort()
    result["pages"] = len(page_ms) - 1
    result["page_s"] = total
    result["page_ev_s"] = seen / total
    result["page_p50_ms"] = page_ms[len(page_ms) // 2]
    result["page_p99_ms"] = page_ms[min(len(page_ms) - 1, int(len(page_ms) * 0.99))]
    result["page_max_ms"] = page_ms[-1]
    return result


def render_reads(rows: list[dict[str, Any]], meta: dict[str, str]) -> str:
    """The reads subsection (inside this benchmark's section)."""
    lines = [
        READS_START,
        "### Event log reads",
        "",
        f"- Command: `{meta['command']}`",
        f"- Date: {meta['date']}; machine: {meta['machine']}; {meta['databases']}",
        f"- Load average during the run: {meta['load']}.",
        "- The log is filled with the library's `append`, 1000 events per transaction (one stream of the "
        "stream size, then streams of 10,000 up to the log size); `read_stream` reads the big stream whole "
        "(best of 3); `read_all` pages through the whole log 1000 at a time, each page after the previous "
        "page's last position, in one session.",
        "",
        "| database | stream events | read_stream s | read_stream ev/s | log events | pages | paging s "
        "| paging ev/s | page p50 ms | page p99 ms | page max ms | fill ev/s |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in rows:
        lines.append(
            f"| {r['database']} | {r['stream_events']:,} | {r['stream_s']:.2f} | {r['stream_ev_s']:,.0f} | "
            f"{r['log_events']:,} | {r['pages']:,} | {r['page_s']:.1f} | {r['page_ev_s']:,.0f} | "
            f"{r['page_p50_ms']:.1f} | {r['page_p99_ms']:.1f} | {r['page_max_ms']:.1f} | {r['fill_ev_s']:,.0f} |"
        )
    if meta.get("notes"):
        lines += ["", meta["notes"]]
    lines.append(READS_END)
    return "\n".join(lines) + "\n"


def _reads_pattern() -> re.Pattern[str]:
    return re.compile(re.escape(READS_START) + r".*?" + re.escape(READS_END) + r"\n?", re.S)


def with_reads(section: str, reads: str) -> str:
    """``section`` with its reads subsection replaced by (or, when absent, ``reads`` added before its end)."""
    if not reads:
        return section
    pattern = _reads_pattern()
    if pattern.search(section):
        return pattern.sub(lambda _m: reads, section)
    return section.replace(SECTION_END, reads + SECTION_END)


def existing_reads(path: Path) -> str:
    """The reads subsection already in the file ("" when none)."""
    if not path.exists():
        return ""
    found = _reads_pattern().search(path.read_text(encoding="utf-8"))
    return found.group(0) if found else ""


def existing_section(path: Path) -> str:
    """This benchmark's whole section already in the file ("" when none)."""
    if not path.exists():
        return ""
    pattern = re.compile(re.escape(SECTION_START) + r".*?" + re.escape(SECTION_END) + r"\n?", re.S)
    found = pattern.search(path.read_text(encoding="utf-8"))
    return found.group(0) if found else ""


def machine() -> str:
    """nproc, CPU model, Python and database versions."""
    cpu = platform.processor() or "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{os.cpu_count()} cores ({cpu}), Python {platform.python_version()}, {platform.system()}"


def render_markdown(results: list[dict[str, Any]], meta: dict[str, str]) -> str:
    """This benchmark's section of docs/benchmarks.md."""
    lines = [
        SECTION_START,
        "## Event log appends (`bench/eventlog.py`)",
        "",
        f"- Command: `{meta['command']}`",
        f"- Date: {meta['date']}",
        f"- Machine: {meta['machine']}; {meta['databases']}",
        f"- Each mode runs {meta['seconds']} s per cell, interleaved with the other modes in {meta['rounds']} "
        "slices (so load changes on the shared machine hit every mode alike); writers are threads, each on its "
        "own stream. Load average during the run: " + meta["load"] + ".",
        "- `raw_ordered`: the driver inserts the same rows under the library's discipline (head-row lock, "
        "positions from the head). `raw_unordered`: the same rows into a copy of the table with an identity "
        "position and no lock (ceiling). Ratio = library / raw_ordered; target >= 0.5.",
        "",
        "| database | writers | events/txn | library ev/s | raw_ordered ev/s | raw_unordered ev/s | ratio "
        "| library CPU us/ev | raw_ordered CPU us/ev |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for row in results:
        lines.append(
            f"| {row['database']} | {row['writers']} | {row['batch']} | {row['library']:,.0f} | "
            f"{row['raw_ordered']:,.0f} | {row['raw_unordered']:,.0f} | {row['ratio']:.2f} | "
            f"{row['library_cpu_us']:,.0f} | {row['raw_ordered_cpu_us']:,.0f} |"
        )
    if meta.get("notes"):
        lines += ["", meta["notes"]]
    lines.append(SECTION_END)
    return "\n".join(lines) + "\n"


def write_section(path: Path, section: str) -> None:
    """Replace (or add) this benchmark's marked section, leaving other sections alone."""
    text = path.read_text(encoding="utf-8") if path.exists() else "# Benchmarks\n\n"
    pattern = re.compile(re.escape(SECTION_START) + r".*?" + re.escape(SECTION_END) + r"\n?", re.S)
    text = pattern.sub(lambda _m: section, text) if pattern.search(text) else text.rstrip() + "\n\n" + section
    path.write_text(text, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    """Run every cell, print the table, optionally write the markdown section."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seconds", type=float, default=2.0, help="time per mode in one cell")
    parser.add_argument("--rounds", type=int, default=4, help="interleaved slices per cell")
    parser.add_argument("--databases", default="sqlite,postgresql", help="comma-separated: sqlite,postgresql")
    parser.add_argument("--profile", action="store_true", help="cProfile the library's single-event path")
    parser.add_argument("--markdown", type=Path, help="rewrite this benchmark's section of this file")
    parser.add_argument("--notes", default="", help="a paragraph added under the table")
    parser.add_argument("--parts", default="appends,reads", help="comma-separated: appends,reads")
    parser.add_argument("--stream-events", type=int, default=100_000, help="events in the stream read whole")
    parser.add_argument(
        "--page-events", type=int, default=100_000, help="events in the log paged through (1000000 for 1M)"
    )
    parser.add_argument("--reads-notes", default="", help="a paragraph added under the reads table")
    args = parser.parse_args(argv)
    parts = set(args.parts.split(","))
    reads: list[dict[str, Any]] = []
    admin_url = os.environ.get(
        "BENCH_POSTGRES_URL", os.environ.get("TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
    )
    results: list[dict[str, Any]] = []
    versions: list[str] = []
    profiles: list[str] = []
    started = time.monotonic()
    print(machine())
    header = (
        f"{'database':<11}{'writers':>8}{'ev/txn':>8}{'library':>11}{'raw_ord':>11}{'raw_unord':>11}{'ratio':>7}"
        f"{'lib_cpu_us':>11}{'raw_cpu_us':>11}"
    )
    print(header)
    for name in args.databases.split(","):
        factory = sqlite_backend() if name == "sqlite" else postgres_backend(admin_url)
        with factory as backend:
            if backend is None:
                continue
            with backend.engine.connect() as conn:
                if name == "sqlite":
                    versions.append("SQLite " + conn.exec_driver_sql("select sqlite_version()").scalar_one())
                else:
                    versions.append(
                        "PostgreSQL " + conn.exec_driver_sql("show server_version").scalar_one().split()[0]
                    )
            for writers in WRITERS if "appends" in parts else ():
                for batch in BATCHES:
                    row: dict[str, Any] = {"database": name, "writers": writers, "batch": batch}
                    row.update(measure(backend, writers, batch, args.seconds, args.rounds))
                    row["ratio"] = row["library"] / row["raw_ordered"]
                    results.append(row)
                    print(
                        f"{name:<11}{writers:>8}{batch:>8}{row['library']:>11,.0f}{row['raw_ordered']:>11,.0f}"
                        f"{row['raw_unordered']:>11,.0f}{row['ratio']:>7.2f}"
                        f"{row['library_cpu_us']:>11,.0f}{row['raw_ordered_cpu_us']:>11,.0f}",
                        flush=True,
                    )
            if "reads" in parts:
                row = measure_reads(backend, args.stream_events, max(args.page_events, args.stream_events))
                reads.append(row)
                print(
                    f"reads {name}: read_stream {row['stream_events']:,} events {row['stream_s']:.2f} s "
                    f"({row['stream_ev_s']:,.0f} ev/s); read_all {row['log_events']:,} events in {row['pages']} "
                    f"pages {row['page_s']:.1f} s ({row['page_ev_s']:,.0f} ev/s, page p50 {row['page_p50_ms']:.1f} "
                    f"ms, p99 {row['page_p99_ms']:.1f} ms); fill {row['fill_ev_s']:,.0f} ev/s",
                    flush=True,
                )
            if args.profile:
                profiles.append(
                    f"--- {name}: library, 1 writer, 1 event/txn ---\n" + profile_library(backend, 3)
                )
    print(f"total {time.monotonic() - started:.0f} s")
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg()) + f" (1/5/15 min, {os.cpu_count()} cores)"
    print(f"load average {load}")
    below = [r for r in results if r["ratio"] < TARGET_RATIO]
    if results:
        print(
            f"target library >= {TARGET_RATIO}x raw_ordered: "
            + ("met in every cell" if not below else f"missed in {len(below)} of {len(results)} cells")
        )
    for text in profiles:
        print(text)
    if args.markdown:
        command_line = "python bench/eventlog.py " + " ".join(argv if argv is not None else sys.argv[1:])
        meta = {
            "command": command_line.strip(),
            "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
            "machine": machine(),
            "databases": ", ".join(versions),
            "seconds": f"{args.seconds:g}",
            "rounds": str(args.rounds),
            "load": load,
            "notes": args.notes,
        }
        reads_text = render_reads(reads, {**meta, "notes": args.reads_notes}) if reads else ""
        if results:
            section = with_reads(render_markdown(results, meta), reads_text or existing_reads(args.markdown))
        else:
            old = existing_section(args.markdown) or f"{SECTION_START}\n{SECTION_END}\n"
            section = with_reads(old, reads_text)
        write_section(args.markdown, section)
        print(f"wrote the eventlog section of {args.markdown}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
