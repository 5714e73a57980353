"""Registry commands of the ``communitylab`` command line: ``seed`` loads the region's 38 districts."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any


def cmd_seed(args: argparse.Namespace) -> int:
    """Load the bundled districts (idempotent: a second run creates nothing and writes no event)."""
    from services.registry.districts.service import DATA_DIR, seed_districts
    from shared.config import get_settings
    from shared.db import Database

    settings = get_settings()
    database = Database.from_url(settings.database_url, busy_timeout_ms=settings.sqlite_busy_timeout_ms)
    try:
        with database.transaction() as session:
            result = seed_districts(
                session=session, data_dir=Path(args.data_dir) if args.data_dir else DATA_DIR
            )
    finally:
        database.dispose()
    print(f"districts: {result.created} created, {result.updated} updated, {result.unchanged} unchanged")
    return 0


def register(subparsers: Any) -> None:
    """Add the registry's commands to the ``communitylab`` parser."""
    seed = subparsers.add_parser("seed", help="load the region's 38 districts (idempotent)")
    seed.add_argument(
        "--data-dir",
        help="folder with districts_emilia_romagna.csv and .geojson (default: the files shipped with communitylab)",
    )
    seed.set_defaults(func=cmd_seed)
