"""Reporting commands: ``rebuild-projections`` and ``catch-up-projections``."""

from __future__ import annotations

import argparse
import json
import time
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from shared.db import Database


def _database() -> Database:
    from shared.config import get_settings
    from shared.db import Database

    settings = get_settings()
    return Database.from_url(settings.database_url, busy_timeout_ms=settings.sqlite_busy_timeout_ms)


def cmd_rebuild_projections(args: argparse.Namespace) -> int:
    """Empty every read model and rebuild it from position 0, in one transaction (readers see old or new)."""
    from services.reporting import consumer

    started = time.monotonic()
    with _database().transaction() as session:
        result = consumer.rebuild(session, batch_size=args.batch_size or consumer.DEFAULT_BATCH_SIZE)
    print(
        json.dumps(
            {
                "rebuilt": True,
                "events": result.applied,
                "position": result.position,
                "seconds": round(time.monotonic() - started, 3),
            }
        )
    )
    return 0


def cmd_catch_up_projections(args: argparse.Namespace) -> int:
    """Apply pending events, committing after each batch."""
    from services.reporting import consumer

    database = _database()
    total = 0
    while True:
        count = consumer.run_once(database, batch_size=args.batch_size or consumer.DEFAULT_BATCH_SIZE)
        total += count
        if count == 0:
            break
    with database.session(write=False) as session:
        print(json.dumps({"events": total, **consumer.lag(session)}))
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add the reporting commands to ``communitylab``."""
    rebuild = subparsers.add_parser(
        "rebuild-projections", help="drop the reporting read models and rebuild them from the event log"
    )
    rebuild.add_argument("--batch-size", type=int, help="events applied per transaction (default 2000)")
    rebuild.set_defaults(func=cmd_rebuild_projections)
    catch_up = subparsers.add_parser("catch-up-projections", help="apply pending events to the read models")
    catch_up.add_argument("--batch-size", type=int, help="events applied per transaction (default 2000)")
    catch_up.set_defaults(func=cmd_catch_up_projections)
