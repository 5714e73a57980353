"""Webhook deliveries per second to a loopback receiver: the dispatcher against bare signed POSTs.

For each database (a temporary SQLite file; a temporary PostgreSQL database on ``BENCH_POSTGRES_URL``, default
``postgresql://postgres@127.0.0.1:5432/test``, created and dropped, skipped when unreachable) and each number of
subscriptions (1 and 4), the script appends ``--events`` events, then runs one in-process ``Dispatcher``
(fan-out from the event log, leases, signing, HTTP POST, attempt log) until every delivery succeeded or
``--seconds`` passed. The baseline is the same number of signed POSTs sent by one httpx client in the same
process to the same receiver, with no database: ratio = dispatcher / baseline.

    .venv/bin/python bench/webhooks.py
    .venv/bin/python bench/webhooks.py --markdown docs/benchmarks.md   # also rewrite this bench's section
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import re
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import httpx
from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, func, select
from sqlalchemy.engine import make_url

from services.reporting.webhooks.dispatcher import Dispatcher, DispatcherConfig
from services.reporting.webhooks.models import WebhookDelivery, WebhookSubscription
from services.reporting.webhooks.schemas import SubscriptionCreate
from services.reporting.webhooks.signing import delivery_headers, new_secret
from shared.db import Database, make_engine
from shared.eventlog import NewEvent, append
from shared.migrations import COMPONENTS

SECTION_START = "<!-- bench:webhooks -->"
SECTION_END = "<!-- /bench:webhooks -->"
NEEDED = ("eventlog", "platform", "webhooks")


class Receiver:
    """A ThreadingHTTPServer on 127.0.0.1 that answers 204 and counts requests."""

    def __init__(self) -> None:
        self.count = 0
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:
                self.rfile.read(int(self.headers.get("content-length") or 0))
                self.send_response(204)
                self.send_header("content-length", "0")
                self.end_headers()
                with receiver.lock:
                    receiver.count += 1

            def log_message(self, *_args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def migrate(engine: Engine) -> None:
    """Create the event log, platform and webhook tables only."""
    for component in COMPONENTS:
        if component.name not in NEEDED:
            continue
        config = Config()
        config.set_main_option("script_location", component.script_location)
        config.attributes["component"] = component
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, "head")


@contextmanager
def temporary_database(kind: str) -> Iterator[Database | None]:
    """A migrated throw-away database of ``kind``; None when PostgreSQL is unreachable."""
    if kind == "sqlite":
        with tempfile.TemporaryDirectory(prefix="bench-webhooks-") as tmp:
            database = Database(make_engine(f"sqlite:///{tmp}/bench.db"))
            migrate(database.engine)
            yield database
            database.dispose()
        return
    import psycopg

    admin = os.environ.get("BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
    name = f"bench_webhooks_{os.getpid()}_{int(time.time())}"
    try:
        with psycopg.connect(admin, autocommit=True, connect_timeout=3) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
    except psycopg.Error as exc:
        print(f"PostgreSQL unreachable ({exc}); skipped", file=sys.stderr)
        yield None
        return
    url = make_url(admin).set(drivername="postgresql+psycopg", database=name)
    database = Database(make_engine(url.render_as_string(hide_password=False)))
    try:
        migrate(database.engine)
        yield database
    finally:
        database.dispose()
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def payload(n: int, district_id: str) -> dict[str, Any]:
    """A priority event payload of a realistic size."""
    return {
        "priority_id": str(uuid.uuid4()),
        "process_id": str(uuid.uuid4()),
        "district_id": district_id,
        "title": f"Priorità {n}: spazi di incontro per giovani e anziani nel distretto",
        "sitting_date": "2026-11-20",
        "motivation": "Validata dal comitato di distretto" + " ." * 40,
    }


def run_dispatcher(
    database: Database, receiver: Receiver, subscriptions: int, events: int, limit: float
) -> dict[str, Any]:
    """Subscribe, append ``events`` events (spread over the subscriptions' districts), deliver them all."""
    districts = [str(uuid.uuid4()) for _ in range(subscriptions)]
    subscription_ids = []
    with database.transaction() as session:
        for district in districts:
            created = subscriptions.create_subscription(
                session=session,
                owner_id="bench",
                data=SubscriptionCreate(
                    url=receiver.url, event_types=["priority.*"], district_id=uuid.UUID(district)
                ),
                allow_http_loopback=True,
            )
            subscription_ids.append(created.id)
    with database.transaction() as session:
        for n in range(events):
            district = districts[n % subscriptions]
            append(
                session,
                stream_type="priority",
                stream_id=uuid.uuid4(),
                expected_version=0,
                events_to_append=[NewEvent("priority.validated", payload(n, district))],
                district_id=district,
            )
    config = DispatcherConfig(
        worker_id="bench",
        poll_seconds=0.01,
        concurrency=subscriptions,
        per_lease=10_000,
        allow_http_loopback=True,
    )
    dispatcher = Dispatcher(database, config)
    before = receiver.count
    started = time.perf_counter()
    cpu = time.process_time()
    done = 0
    while time.perf_counter() - started < limit:
        dispatcher.run_once()
        with database.session(write=False) as session:
            done = int(
                session.connection()
                .execute(
                    select(func.count())
                    .select_from(WebhookDelivery)
                    .where(
                        WebhookDelivery.status == "succeeded",
                        WebhookDelivery.subscription_id.in_(subscription_ids),  # type: ignore[attr-defined]
                    )
                )
                .scalar_one()
            )
        if done >= events:
            break
    elapsed = time.perf_counter() - started
    cpu = time.process_time() - cpu
    dispatcher.client.close()
    with database.transaction() as session:  # leave nothing for the next cell
        session.connection().execute(
            WebhookSubscription.__table__.update().values(enabled=False)  # type: ignore[attr-defined]
        )
    return {
        "delivered": done,
        "sent": receiver.count - before,
        "seconds": elapsed,
        "rate": done / elapsed if elapsed else 0.0,
        "cpu_ms_per_delivery": 1000 * cpu / done if done else 0.0,
    }


def run_baseline(receiver: Receiver, count: int, limit: float) -> float:
    """Signed POSTs of the same bodies from one client, no database: deliveries per second."""
    secret = new_secret()
    body = json.dumps(
        {"type": "priority.validated", "timestamp": "2026-11-25T10:00:00Z", "data": payload(0, "d")}
    )
    sent = 0
    with httpx.Client(timeout=10, trust_env=False) as client:
        started = time.perf_counter()
        while sent < count and time.perf_counter() - started < limit:
            headers = delivery_headers(
                [secret], message_id=f"msg_{sent}", timestamp=int(time.time()), body=body
            )
            response = client.post(receiver.url, content=body.encode(), headers=headers)
            response.raise_for_status()
            sent += 1
        elapsed = time.perf_counter() - started
    return sent / elapsed


def machine() -> str:
    """Cores, CPU model, Python and OS."""
    model = platform.processor() or ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{os.cpu_count()} cores ({model}), Python {platform.python_version()}, {platform.system()}"


def render(rows: list[dict[str, Any]], meta: dict[str, str]) -> str:
    """This benchmark's section of docs/benchmarks.md."""
    lines = [
        SECTION_START,
        "## Webhook deliveries (`bench/webhooks.py`)",
        "",
        f"- Command: `{meta['command']}`",
        f"- Date: {meta['date']}",
        f"- Machine: {meta['machine']}; load average {meta['load']} (shared with other sessions)",
        f"- {meta['events']} events per cell, bounded at {meta['seconds']} s. One in-process dispatcher (fan-out from "
        "the event log, subscription leases, Standard Webhooks signing, HTTP POST to a loopback "
        "ThreadingHTTPServer answering 204, attempt log), concurrency = number of subscriptions. Baseline: the "
        "same count of signed POSTs from one httpx client with no database. Ratio = dispatcher / baseline.",
        "",
        "| database | subscriptions | delivered | seconds | dispatcher deliveries/s | baseline POSTs/s | ratio "
        "| dispatcher CPU ms/delivery |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for row in rows:
        lines.append(
            f"| {row['database']} | {row['subscriptions']} | {row['delivered']} | {row['seconds']:.1f} | "
            f"{row['rate']:,.0f} | {row['baseline']:,.0f} | {row['ratio']:.2f} | {row['cpu_ms_per_delivery']:.1f} |"
        )
    lines += [
        "",
        "Each delivery costs two short write transactions (renew the lease and read the head delivery; record "
        "the attempt) besides the POST, because order is per subscription and a crash must never lose or "
        "double-record an attempt; deliveries of different subscriptions go out in parallel.",
        SECTION_END,
        "",
    ]
    return "\n".join(lines)


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
    parser.add_argument("--events", type=int, default=400, help="events (deliveries) per cell")
    parser.add_argument("--seconds", type=float, default=30.0, help="time bound per cell")
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--markdown", type=Path, help="rewrite this benchmark's section of this file")
    args = parser.parse_args(argv)
    receiver = Receiver()
    rows: list[dict[str, Any]] = []
    try:
        baseline = run_baseline(receiver, args.events, args.seconds)
        for kind in args.databases.split(","):
            with temporary_database(kind) as database:
                if database is None:
                    continue
                for subscriptions in (1, 4):
                    result = run_dispatcher(database, receiver, subscriptions, args.events, args.seconds)
                    row = {"database": kind, "subscriptions": subscriptions, "baseline": baseline, **result}
                    row["ratio"] = row["rate"] / baseline if baseline else 0.0
                    rows.append(row)
                    print(
                        f"{kind:10} subs={subscriptions} delivered={row['delivered']}/{args.events} "
                        f"in {row['seconds']:.1f}s: {row['rate']:,.0f}/s (baseline {baseline:,.0f}/s, "
                        f"ratio {row['ratio']:.2f}, {row['cpu_ms_per_delivery']:.1f} ms CPU each)",
                        flush=True,
                    )
    finally:
        receiver.close()
    meta = {
        "command": "python bench/webhooks.py " + " ".join(argv if argv is not None else sys.argv[1:]),
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": machine(),
        "load": ", ".join(f"{v:.1f}" for v in os.getloadavg()),
        "events": str(args.events),
        "seconds": f"{args.seconds:g}",
    }
    section = render(rows, meta)
    print(section)
    if args.markdown:
        write_section(args.markdown, section)
    return 0


if __name__ == "__main__":
    sys.exit(main())
