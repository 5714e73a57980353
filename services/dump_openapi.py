"""Write the three services' OpenAPI documents as JSON files: ``python -m services.dump_openapi OUTDIR``.

For the linters (`make lint`: Redocly and Spectral) and the TypeScript client (`make client`). The apps are
built against a throw-away SQLite URL that is never opened: building a document touches no database.
"""

from __future__ import annotations

import importlib
import json
import sys
import tempfile
from pathlib import Path
from typing import Any

from shared.config import Settings

SERVICES = ("registry", "workshops", "reporting")


def document(service: str, database_url: str) -> dict[str, Any]:
    """One service's OpenAPI document, as its app publishes it at /openapi.json."""
    module = importlib.import_module(f"services.{service}.app")
    settings = Settings(database_url=database_url, secret_key="openapi-dump", environment="test")
    built: dict[str, Any] = module.create_app(settings=settings).openapi()
    return built


def dump(outdir: Path) -> list[Path]:
    """Write ``<service>.openapi.json`` for each service into ``outdir``; the paths written."""
    outdir.mkdir(parents=True, exist_ok=True)
    written = []
    with tempfile.TemporaryDirectory() as scratch:
        url = f"sqlite:///{Path(scratch) / 'unused.db'}"
        for service in SERVICES:
            path = outdir / f"{service}.openapi.json"
            path.write_text(json.dumps(document(service, url), indent=2, ensure_ascii=False) + "\n")
            written.append(path)
    return written


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: python -m services.dump_openapi OUTDIR", file=sys.stderr)
        return 2
    for path in dump(Path(args[0])):
        print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
