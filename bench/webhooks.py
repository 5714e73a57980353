"""Webhook deliveries per second to a loopback receiver: the dispatcher against bare signed POSTs.

For each database (a temporary SQLite file; a temporary PostgreSQL database on ``BENCH_POSTGRES_URL``, default
``postgresql://postgres@127.0.0.1:5432/test``, created and dropped, skipped when unreachable) and each number of
subscriptions (1 and 4), the script appends ``--events`` events, then runs one in-process ``Dispatcher``
(fan-out from the event log, leases, signing, HTTP POST, attempt log) until every delivery succeeded or
``--seconds`` passed. The receiver is a minimal asyncio HTTP/1.1 server in a subprocess (keep-alive, answers
204), so its CPU is not charged to the dispatcher's process. The baseline, measured just before each cell, is
the same number of signed POSTs of the same bodies from this process with the same concurrency (one thread per
subscription, one shared httpx client), with no database: ratio = dispatcher / baseline.

Targets (issue 18 item 4), on the 4-subscription cells: at least 500 deliveries/s and at least 0.5x the baseline.

    .venv/bin/python bench/webhooks.py --seconds 20
    .venv/bin/python bench/webhooks.py --markdown docs/benchmarks.md   # also rewrite this bench's section
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import re
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import httpx
from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, func, select
from sqlalchemy.engine import make_url

from services.reporting.webhooks import subscriptions as subscription_rules
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


RECEIVER_SOURCE = r"""
import asyncio

count = 0

async def handle(reader, writer):
    global count
    try:
        while True:
            head = await reader.readuntil(b"\r\n\r\n")
            length = 0
            for line in head.split(b"\r\n")[1:]:
                name, _, value = line.partition(b":")
                if name.strip().lower() == b"content-length":
                    length = int(value)
            if length:
                await reader.readexactly(length)
            if head.startswith(b"GET /count"):
                body = str(count).encode()
                writer.write(b"HTTP/1.1 200 OK\r\ncontent-length: %d\r\n\r\n%s" % (len(body), body))
            else:
                count += 1
                writer.write(b"HTTP/1.1 204 No Content\r\ncontent-length: 0\r\n\r\n")
    except (asyncio.IncompleteReadError, ConnectionError):
        pass
    finally:
        writer.close()

async def serve():
    server = await asyncio.start_server(handle, "127.0.0.1", 0, backlog=256)
    print(server.sockets[0].getsockname()[1], flush=True)
    async with server:
        await server.serve_forever()

asyncio.run(serve())
"""


class Receiver:
    """A minimal asyncio HTTP/1.1 server in a subprocess: answers 204 to POSTs, ``GET /count`` counts them."""

    def __init__(self) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-c", RECEIVER_SOURCE], stdout=subprocess.PIPE, text=True
        )
        assert self.process.stdout is not None
        port = int(self.process.stdout.readline())
        self.url = f"http://127.0.0.1:{port}/hook"
        self._count_url = f"http://127.0.0.1:{port}/count"

    @property
    def count(self) -> int:
        """POSTs received so far."""
        return int(httpx.get(self._count_url, timeout=5, trust_env=False).text)

    def close(self) -> None:
        """Stop the subprocess."""
        self.process.terminate()
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=5)


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
            created = subscription_rules.create_subscription(
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


def run_baseline(receiver: Receiver, count: int, limit: float, concurrency: int) -> float:
    """Signed POSTs of event bodies from ``concurrency`` threads sharing one client, no database: POSTs/s."""
    secret = new_secret()
    bodies = [
        json.dumps(
            {"type": "priority.validated", "timestamp": "2026-11-25T10:00:00Z", "data": payload(n, "d")},
            separators=(",", ":"),
            ensure_ascii=False,
        )
        for n in range(concurrency)
    ]
    per_thread = max(1, count // concurrency)
    with httpx.Client(timeout=10, trust_env=False) as client:
        started = time.perf_counter()

        def send(index: int) -> int:
            sent = 0
            while sent < per_thread and time.perf_counter() - started < limit:
                body = bodies[index]
                headers = delivery_headers(
                    [secret], message_id=f"msg_{index}_{sent}", timestamp=int(time.time()), body=body
                )
                response = client.post(receiver.url, content=body.encode(), headers=headers)
                response.raise_for_status()
                sent += 1
            return sent

        with ThreadPoolExecutor(max_workers=concurrency) as pool:
            total = sum(pool.map(send, range(concurrency)))
        elapsed = time.perf_counter() - started
    return total / elapsed


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


RATE_TARGET = 500.0
RATIO_TARGET = 0.5


def verdict(row: dict[str, Any]) -> str:
    """Met or missed, for the 4-subscription cells that carry the targets."""
    if row["subscriptions"] != 4:
        return ""
    rate = "met" if row["rate"] >= RATE_TARGET else "MISSED"
    ratio = "met" if row["ratio"] >= RATIO_TARGET else "MISSED"
    return f"{RATE_TARGET:.0f}/s {rate}; {RATIO_TARGET}x {ratio}"


def render(rows: list[dict[str, Any]], meta: dict[str, str], notes: str) -> str:
    """This benchmark's section of docs/benchmarks.md."""
    lines = [
        SECTION_START,
        "## Webhook deliveries (`bench/webhooks.py`)",
        "",
        f"- Command: `{meta['command']}`",
        f"- Date: {meta['date']}",
        f"- Machine: {meta['machine']}; load average {meta['load_before']} before, {meta['load']} after "
        "(1/5/15 min; shared with other sessions)",
        f"- {meta['events']} events per cell, bounded at {meta['seconds']} s. One in-process dispatcher (fan-out "
        "from the event log, subscription leases, Standard Webhooks signing, HTTP POST, attempt log), "
        "concurrency = number of subscriptions; the receiver is a minimal asyncio HTTP/1.1 server in a "
        "subprocess answering 204. Baseline, measured just before each cell: the same count of signed POSTs "
        "from this process with the same concurrency (threads sharing one httpx client), no database. "
        f"Ratio = dispatcher / baseline. Targets (4 subscriptions): >= {RATE_TARGET:.0f} deliveries/s and "
        f">= {RATIO_TARGET}x.",
        "",
        "| database | subscriptions | delivered | seconds | dispatcher deliveries/s | baseline POSTs/s | ratio "
        "| dispatcher CPU ms/delivery | targets |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for row in rows:
        lines.append(
            f"| {row['database']} | {row['subscriptions']} | {row['delivered']} | {row['seconds']:.1f} | "
            f"{row['rate']:,.0f} | {row['baseline']:,.0f} | {row['ratio']:.2f} | "
            f"{row['cpu_ms_per_delivery']:.2f} | {verdict(row)} |"
        )
    lines += ["", notes.strip(), SECTION_END, ""] if notes.strip() else ["", SECTION_END, ""]
    return "\n".join(lines)


def write_section(path: Path, section: str) -> None:
    """Replace (or add) this benchmark's marked section, leaving other sections alone."""
    text = path.read_text(encoding="utf-8") if path.exists() else "# Benchmarks\n\n"
    pattern = re.compile(re.escape(SECTION_START) + r".*?" + re.escape(SECTION_END) + r"\n?", re.S)
    text = pattern.sub(lambda _m: section, text) if pattern.search(text) else text.rstrip() + "\n\n" + section
    path.write_text(text, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    """Run every cell, print the table and the targets, optionally write the markdown section."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--events", type=int, default=2000, help="events (deliveries) per cell")
    parser.add_argument("--seconds", type=float, default=30.0, help="time bound per cell")
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--subscriptions", default="1,4", help="subscription counts, one cell each")
    parser.add_argument("--markdown", type=Path, help="rewrite this benchmark's section of this file")
    parser.add_argument("--notes", default="", help="text placed after the table in the markdown section")
    args = parser.parse_args(argv)
    load_before = ", ".join(f"{v:.1f}" for v in os.getloadavg())
    receiver = Receiver()
    rows: list[dict[str, Any]] = []
    try:
        for kind in args.databases.split(","):
            with temporary_database(kind) as database:
                if database is None:
                    continue
                for subscriptions in (int(n) for n in args.subscriptions.split(",")):
                    baseline = run_baseline(receiver, args.events, args.seconds, subscriptions)
                    result = run_dispatcher(database, receiver, subscriptions, args.events, args.seconds)
                    row = {"database": kind, "subscriptions": subscriptions, "baseline": baseline, **result}
                    row["ratio"] = row["rate"] / baseline if baseline else 0.0
                    rows.append(row)
                    print(
                        f"{kind:10} subs={subscriptions} delivered={row['delivered']}/{args.events} "
                        f"(receiver got {row['sent']}) in {row['seconds']:.1f}s: {row['rate']:,.0f}/s "
                        f"(baseline {baseline:,.0f}/s, ratio {row['ratio']:.2f}, "
                        f"{row['cpu_ms_per_delivery']:.2f} ms CPU each) {verdict(row)} "
                        f"load {os.getloadavg()[0]:.1f}",
                        flush=True,
                    )
    finally:
        receiver.close()
    meta = {
        "command": "python bench/webhooks.py " + " ".join(argv if argv is not None else sys.argv[1:]),
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": machine(),
        "load_before": load_before,
        "load": ", ".join(f"{v:.1f}" for v in os.getloadavg()),
        "events": str(args.events),
        "seconds": f"{args.seconds:g}",
    }
    section = render(rows, meta, args.notes)
    print(section)
    if args.markdown:
        write_section(args.markdown, section)
    return 0


if __name__ == "__main__":
    sys.exit(main())
