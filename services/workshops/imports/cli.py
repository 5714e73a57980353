"""``communitylab import BUNDLE``: send a bundle of past work (a folder or a ZIP) to ``POST /imports``.

The import runs in the workshops service (``--workshops-url``, default ``COMMUNITYLAB_WORKSHOPS_URL``) with a
regional_admin key (``--key``; by default one is created on the configured database, as ``create-key`` does).
Exit status: 0 imported, or already imported (nothing written); 1 refused (every row error is printed, nothing
was written) or the service not reachable.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any


def _admin_key() -> str:
    from shared.auth.keys import create_key
    from shared.auth.roles import Role
    from shared.config import get_settings
    from shared.db import Database

    settings = get_settings()
    database = Database.from_url(settings.database_url, busy_timeout_ms=settings.sqlite_busy_timeout_ms)
    try:
        with database.transaction() as session:
            issued = create_key(
                session.connection(),
                secret=settings.secret_key,
                role=Role.REGIONAL_ADMIN,
                district_ids=[],
                person_id=None,
                label="communitylab import",
            )
        return issued.key
    finally:
        database.dispose()


def bundle_bytes(path: Path) -> bytes:
    """The ZIP to upload: the file itself, or the folder zipped."""
    from services.workshops.imports.bundle import zip_folder

    return zip_folder(path) if path.is_dir() else path.read_bytes()


def cmd_import(args: argparse.Namespace) -> int:
    """Upload the bundle and say what happened."""
    import httpx

    from shared.config import get_settings

    path = Path(args.bundle)
    if not path.exists():
        print(f"communitylab import: {path} does not exist", file=sys.stderr)
        return 1
    url = (args.workshops_url or get_settings().workshops_url).rstrip("/")
    key = args.key or _admin_key()
    headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/zip"}
    try:
        response = httpx.post(f"{url}/imports", content=bundle_bytes(path), headers=headers, timeout=600)
    except httpx.TransportError as exc:
        print(f"communitylab import: {url} did not answer ({exc!r}): start the services", file=sys.stderr)
        return 1
    body: dict[str, Any] = response.json() if response.content else {}
    if response.status_code in (200, 201):
        counts = ", ".join(f"{n} {kind}" for kind, n in body.get("counts", {}).items())
        if body.get("created"):
            print(f"imported bundle {body['bundle_id']}: {counts}")
        else:
            print(f"bundle {body['bundle_id']} was imported on {body['imported_at']}: nothing written")
        return 0
    print(
        f"communitylab import: refused ({response.status_code}): {body.get('detail', response.text)}",
        file=sys.stderr,
    )
    for error in body.get("errors", []):
        print(f"  {error['path']}: {error['message']}", file=sys.stderr)
    return 1


def register(subparsers: Any) -> None:
    """Add ``import`` to the ``communitylab`` parser."""
    parser = subparsers.add_parser(
        "import", help="import a bundle of past work (a folder or ZIP of CSV files, docs/imports.md)"
    )
    parser.add_argument("bundle", help="the bundle: a folder with manifest.json, or a ZIP of it")
    parser.add_argument("--workshops-url", help="workshops base URL (default: COMMUNITYLAB_WORKSHOPS_URL)")
    parser.add_argument("--key", help="a regional_admin key (default: create one on the configured database)")
    parser.set_defaults(func=cmd_import)
