"""Workshops commands of ``communitylab``: ``generate`` (a realistic regional volume), ``snapshot-processes``,
``search-reindex``."""

from __future__ import annotations

import argparse
import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

GENERATOR = Path(__file__).resolve().parents[2] / "bench" / "generate.py"


def _generator() -> ModuleType:
    """bench/generate.py (a script of the repository, not an installed package), loaded by path."""
    spec = importlib.util.spec_from_file_location("communitylab_bench_generate", GENERATOR)
    if spec is None or spec.loader is None:
        raise SystemExit(f"communitylab generate needs the repository's {GENERATOR}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the file executes
    spec.loader.exec_module(module)
    return module


def cmd_generate(args: argparse.Namespace) -> int:
    """Generate districts' processes, workshops, outcomes and evaluations through the services' own code."""
    return int(_generator().run(args))


def cmd_snapshot_processes(_args: argparse.Namespace) -> int:
    """Write the missing as-of snapshots of every process (after an upgrade, or after a fold format change)."""
    from services.workshops.processes.history import snapshots
    from shared.config import get_settings
    from shared.db import Database

    settings = get_settings()
    database = Database.from_url(settings.database_url, busy_timeout_ms=settings.sqlite_busy_timeout_ms)
    with database.transaction() as session:
        written = snapshots.snapshot_all_processes(session=session)
    print(json.dumps({"snapshots_written": written, "every": snapshots.PROCESS_SNAPSHOT_EVERY}))
    return 0


def cmd_search_reindex(args: argparse.Namespace) -> int:
    """Rewrite the search index from the tables, or (``--check``) report how it differs from them."""
    from services.workshops.search import index
    from shared.config import get_settings
    from shared.db import Database

    settings = get_settings()
    database = Database.from_url(settings.database_url, busy_timeout_ms=settings.sqlite_busy_timeout_ms)
    with database.engine.begin() as connection:
        if args.check:
            drift = index.drift(connection)
            print(json.dumps({"in_step": not drift, **drift}))
            return 1 if drift else 0
        written = index.rebuild(connection)
    print(json.dumps({"documents_written": written}))
    return 0


def register(subparsers: Any) -> None:
    """Add the workshops' commands to the ``communitylab`` parser."""
    generate = subparsers.add_parser(
        "generate",
        help="generate a realistic volume (districts x years) through the services' own APIs, in process",
    )
    generate.add_argument("--districts", type=int, default=38, help="how many of the 38 seeded districts")
    generate.add_argument("--years", type=int, default=10, help="how many yearly editions, ending last year")
    generate.add_argument(
        "--scale", type=float, default=1.0, help="multiplies workshops, people, priorities..."
    )
    generate.add_argument("--database-url", help="target database (default: COMMUNITYLAB_DATABASE_URL)")
    generate.add_argument("--seed", type=int, default=2026, help="random seed (same seed, same shapes)")
    generate.add_argument(
        "--concurrency", type=int, default=1, help="districts generated at once (PostgreSQL benefits)"
    )
    generate.add_argument("--first-year", type=int, help="first edition's year (default: this year - years)")
    generate.set_defaults(func=cmd_generate)
    subparsers.add_parser(
        "snapshot-processes",
        help="write the missing as-of snapshots of every process stream (safe to repeat)",
    ).set_defaults(func=cmd_snapshot_processes)
    reindex = subparsers.add_parser(
        "search-reindex",
        help="rewrite the search index from the tables (safe to repeat; --check only compares, exit 1 on drift)",
    )
    reindex.add_argument(
        "--check", action="store_true", help="compare the index with the tables, write nothing"
    )
    reindex.set_defaults(func=cmd_search_reindex)
