"""``communitylab demo``: load the demo region into running services through their HTTP APIs."""

from __future__ import annotations

import argparse
import subprocess
import sys
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from shared.db import Database


def _key_issuer(database: Database, secret: str) -> Any:
    """Create keys directly on the configured database (what `communitylab create-key` does)."""
    from shared.auth.keys import create_key
    from shared.auth.roles import Role

    def issue(role: str, district_ids: list[str], person_id: str | None, label: str) -> str:
        with database.transaction() as session:
            issued = create_key(
                session.connection(),
                secret=secret,
                role=Role(role),
                district_ids=district_ids,
                person_id=person_id,
                label=label,
            )
        return issued.key

    return issue


def _seed() -> None:
    """Run `communitylab seed` (the registry's own command) in a child process on the same settings."""
    # A child process, because shared/ never imports a service package.
    from demo.loader import DemoError

    completed = subprocess.run([sys.executable, "-m", "services.cli", "seed"], check=False)
    if completed.returncode != 0:
        raise DemoError("`communitylab seed` failed: the districts could not be loaded")


def cmd_demo(args: argparse.Namespace) -> int:
    """Load the demo region, wait for reporting to catch up, print where to look."""
    from demo.loader import DemoAlreadyLoaded, DemoError, DemoLoader, ServiceUrls
    from shared.config import get_settings
    from shared.db import Database

    settings = get_settings()
    database = Database.from_url(settings.database_url, busy_timeout_ms=settings.sqlite_busy_timeout_ms)
    issue_key = _key_issuer(database, settings.secret_key)
    urls = ServiceUrls(
        registry=args.registry_url or settings.registry_url,
        workshops=args.workshops_url or settings.workshops_url,
        reporting=args.reporting_url or settings.reporting_url,
    )
    loader: DemoLoader | None = None
    try:
        admin_key = args.key or issue_key("regional_admin", [], None, "demo loader")
        loader = DemoLoader(urls, admin_key=admin_key, issue_key=issue_key)
        loader.check_services()
        if len(loader.districts()) < 38:
            if args.no_seed:
                raise DemoError("the registry has fewer than 38 districts: run `communitylab seed` first")
            print("seeding the 38 districts (communitylab seed)...", flush=True)
            _seed()
        result = loader.load()
        print("waiting for reporting to catch up...", flush=True)
        position = loader.wait_for_reporting(timeout=args.wait_seconds)
    except DemoAlreadyLoaded as exc:
        print(f"communitylab demo: {exc}", file=sys.stderr)
        return 3
    except DemoError as exc:
        print(f"communitylab demo failed: {exc}", file=sys.stderr)
        return 1
    finally:
        if loader is not None:
            loader.close()
        database.dispose()
    print(f"demo loaded; reporting is at log position {position}")
    for edition, counts in result.declared_counts.items():
        themes = sum(counts["inventions_by_theme"].values())
        print(
            f"  {edition}: {counts['districts_participating']} districts, {counts['processes']} processes, "
            f"{counts['workshops_held']} workshops held, {counts['people_involved']} people involved, "
            f"{themes} inventions, {sum(counts['priorities_by_status'].values())} priorities"
        )
    print("dashboard:")
    for edition, url in result.dashboard_urls.items():
        print(f"  {edition}: {url}")
    print("diaries:")
    for edition, by_district in result.diary_urls.items():
        for district, url in by_district.items():
            print(f"  {edition}, {district}: {url}")
    print("timelines:")
    for key, url in result.timeline_urls.items():
        print(f"  {key}: {url}")
    return 0


def register(subparsers: Any) -> None:
    """Add ``demo`` to the ``communitylab`` parser."""
    demo = subparsers.add_parser(
        "demo", help="load the demo region through the running services' APIs (make run first)"
    )
    demo.add_argument("--registry-url", help="registry base URL (default: COMMUNITYLAB_REGISTRY_URL)")
    demo.add_argument("--workshops-url", help="workshops base URL (default: COMMUNITYLAB_WORKSHOPS_URL)")
    demo.add_argument("--reporting-url", help="reporting base URL (default: COMMUNITYLAB_REPORTING_URL)")
    demo.add_argument(
        "--key",
        help="a regional_admin key (default: create one on the configured database; the keys of the demo's "
        "Ufficio di Piano and Comitato di Distretto members are always created there)",
    )
    demo.add_argument("--no-seed", action="store_true", help="fail instead of seeding missing districts")
    demo.add_argument("--wait-seconds", type=float, default=120.0, help="how long to wait for reporting")
    demo.set_defaults(func=cmd_demo)
