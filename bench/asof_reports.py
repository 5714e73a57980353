"""The Diario and the dashboard at a point in time: how long one as-of build takes on the demo's log.

For each database (throw-away SQLite file, throw-away PostgreSQL database on ``BENCH_POSTGRES_URL``), the
script starts the three services, loads the demo region (``communitylab demo``: the demo data set and the
sample bundle through ``POST /imports``), stops them, and then, in this process, times what a request with
``as_of``/``known_at`` does (services/reporting/asof.py): read the log and select the events inside the point,
fold them into throw-away in-memory read models with the projections' own handlers, render the Diario (JSON and
HTML) and the dashboard from them. The current Diario rendered from the live read models is the comparison.

    .venv/bin/python bench/asof_reports.py                    # about 3 minutes
    .venv/bin/python bench/asof_reports.py --markdown docs/benchmarks.md
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import subprocess
import sys
import time
from datetime import date
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import benchlib


def load_demo(database_url: str) -> None:
    """Migrate, start the three services, run `communitylab demo`, stop them."""
    from shared.db import make_engine
    from shared.migrations import upgrade_all

    engine = make_engine(database_url)
    upgrade_all(engine)
    engine.dispose()
    servers: list[benchlib.Server] = []
    try:
        urls: dict[str, str] = {}
        for service in ("registry", "workshops", "reporting"):
            env = benchlib.service_env(
                database_url,
                COMMUNITYLAB_PROJECTION_POLL_SECONDS="0.2",
                **{f"COMMUNITYLAB_{name.upper()}_URL": url for name, url in urls.items()},
            )
            server = benchlib.start_service(service, env)
            servers.append(server)
            server.wait_ready(timeout=180)
            urls[service] = server.base_url
        env = benchlib.service_env(
            database_url, **{f"COMMUNITYLAB_{n.upper()}_URL": u for n, u in urls.items()}
        )
        done = subprocess.run(
            [sys.executable, "-m", "services.cli", "demo"],
            env=env,
            cwd=benchlib.ROOT,
            capture_output=True,
            text=True,
            timeout=900,
            check=False,
        )
        if done.returncode != 0:
            raise RuntimeError(f"communitylab demo failed:\n{done.stdout}\n{done.stderr}")
    finally:
        for server in servers:
            server.stop()


def load_generated(database_url: str, districts: int, years: int, scale: float) -> None:
    """A region of bench/generate.py, then reporting caught up."""
    from services.reporting.consumer import catch_up
    from shared.db import Database

    generator = benchlib.load_generator_module()
    asyncio.run(
        generator.generate(
            database_url=database_url, districts=districts, years=years, scale=scale, log=lambda _l: None
        )
    )
    database = Database.from_url(database_url)
    try:
        with database.transaction() as session:
            catch_up(session)
    finally:
        database.dispose()


def measure(
    database_url: str, rounds: int, district: str | None, edition: str | None, *, latest: bool = False
) -> dict[str, Any]:
    """Median seconds of each phase of an as-of Diario and dashboard over ``rounds`` builds: the named
    district and edition (else the first edition and its first process's district), at the edition's last day."""
    import sqlalchemy as sa
    from sqlmodel import col, select

    from services.reporting import asof, dashboard, diary, pages
    from services.reporting.models import DistrictView, EditionView, ProcessView
    from services.reporting.schemas import DashboardPublic, DiaryPublic
    from shared.db import Database
    from shared.eventlog.tables import events
    from shared.eventlog.timepoint import TimePoint

    database = Database.from_url(database_url)
    phases: dict[str, list[float]] = {
        "live diary": [],
        "read + select": [],
        "fold": [],
        "diary": [],
        "dashboard": [],
        "total": [],
    }
    selected = 0
    try:
        with database.session(write=False) as session:
            total_events = (
                session.connection().execute(sa.select(sa.func.count()).select_from(events)).scalar_one()
            )
            editions = sorted(
                session.exec(select(EditionView)), key=lambda e: (e.starts_on or date.min, e.name)
            )
            chosen = next(e for e in editions if edition is None or e.name == edition)
            edition_id, last_day = chosen.id, chosen.ends_on or date(2019, 12, 31)
            if latest:  # the same pages at the last edition's end: (nearly) the whole log inside the point
                last_day = max(e.ends_on or last_day for e in editions)
            if district is not None:
                district_id = session.exec(select(DistrictView.id).where(DistrictView.name == district)).one()
            else:
                district_id = session.exec(
                    select(ProcessView.district_id)
                    .where(ProcessView.edition_id == edition_id)
                    .order_by(col(ProcessView.title))
                ).first()
            session.rollback()
        point = TimePoint.of(last_day, None)

        def render(on: Any) -> None:
            report = diary.diary(session=on, district_id=district_id, edition_id=edition_id)
            body = DiaryPublic.model_validate(report)
            pages.render_diary(body.model_dump())
            body.model_dump_json()

        for _ in range(rounds):
            with database.session(write=False) as session:
                started = time.perf_counter()
                render(session)
                phases["live diary"].append(time.perf_counter() - started)
                session.rollback()
            with database.session(write=False) as session:
                started = time.perf_counter()
                selected = len(asof.events_at(session, point))
                phases["read + select"].append(time.perf_counter() - started)
                session.rollback()
            with database.session(write=False) as session:
                started = time.perf_counter()
                with asof.read_models_at(session, point) as scratch:
                    folded = time.perf_counter()
                    render(scratch)
                    rendered = time.perf_counter()
                    DashboardPublic.model_validate(
                        dashboard.dashboard(session=scratch, edition_id=edition_id)
                    )
                    ended = time.perf_counter()
                phases["fold"].append(folded - started)
                phases["diary"].append(rendered - folded)
                phases["dashboard"].append(ended - rendered)
                phases["total"].append(ended - started)
                session.rollback()
    finally:
        database.dispose()
    return {
        "events": int(total_events),
        "selected": selected,
        "as_of": last_day.isoformat(),
        **{name: statistics.median(values) for name, values in phases.items()},
    }


HEADER = [
    "database",
    "log",
    "log events",
    "as_of",
    "events inside",
    "read + select s",
    "fold (incl. read) s",
    "diary JSON+HTML s",
    "dashboard s",
    "as-of total s",
    "current diary s",
]


def _row(kind: str, log: str, found: dict[str, Any]) -> list[str]:
    return [
        kind,
        log,
        f"{found['events']:,}",
        found["as_of"],
        f"{found['selected']:,}",
        *(
            f"{found[name]:.2f}"
            for name in ("read + select", "fold", "diary", "dashboard", "total", "live diary")
        ),
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--databases", nargs="+", default=["sqlite", "postgresql"])
    parser.add_argument("--logs", nargs="+", default=["demo", "generated"])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument(
        "--districts", type=int, default=19, help="generated log: districts (about 6,000 events)"
    )
    parser.add_argument("--years", type=int, default=3, help="generated log: yearly editions")
    parser.add_argument("--scale", type=float, default=1.0, help="generated log: bench/generate.py's scale")
    parser.add_argument("--markdown", type=Path, help="write the section into this file (docs/benchmarks.md)")
    args = parser.parse_args(argv)
    rows: list[list[str]] = []
    versions: list[str] = []
    for kind in args.databases:
        if kind == "postgresql" and not benchlib.postgres_reachable(benchlib.postgres_admin_url()):
            print("PostgreSQL not reachable: skipped", file=sys.stderr)
            continue
        for log in args.logs:
            with benchlib.throwaway_database(kind) as url:
                if log == "demo":
                    load_demo(url)
                    found = measure(url, args.rounds, "Reggio Emilia", "Community Lab 2018-2019")
                    rows.append(_row(kind, log, found))
                else:
                    load_generated(url, args.districts, args.years, args.scale)
                    rows.append(_row(kind, log, measure(url, args.rounds, None, None)))
                    print(rows[-1], flush=True)
                    rows.append(_row(kind, log, measure(url, args.rounds, None, None, latest=True)))
                version = benchlib.database_version(url)
            if version not in versions:
                versions.append(version)
            print(rows[-1], flush=True)
    benchlib.print_table(HEADER, rows)
    if args.markdown:
        lines = [
            "## Diario and dashboard at a point in time (`bench/asof_reports.py`)",
            "",
            f"- Command: `{benchlib.command_line('bench/asof_reports.py', argv)}`",
            f"- Date: {benchlib.now_utc()}",
            f"- Machine: {benchlib.machine()}; {', '.join(versions)}",
            f"- Load average: {benchlib.load_average()}",
            "- Logs: `demo` = `communitylab demo` on an empty database (the demo region and the sample bundle, "
            "through the APIs; Reggio Emilia's Diario of Community Lab 2018-2019); `generated` = a region of "
            f"bench/generate.py, {args.districts} districts x {args.years} years at scale {args.scale} (the first "
            "edition, its first process's district). Median "
            "of the rounds of one as-of build in this process (services/reporting/asof.py): read the log and select "
            "the events inside `as_of` (the edition's last day; for `generated` also the last edition's, so "
            "nearly the whole log is inside), fold them into in-memory read models with the "
            "projections' handlers, render the Diario (JSON and HTML) and the edition's dashboard; the current "
            "Diario rendered from the live read models beside it.",
            "",
            *benchlib.markdown_table(HEADER, rows),
        ]
        benchlib.write_section(args.markdown, "asof-reports", "\n".join(lines) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
