"""The three services keep the operations front ends build on: method, path and operationId per service.

``tests/api/openapi_operations.json`` is the committed list; a change that adds, removes or renames an
operation updates it on purpose (``python -m tests.api.test_openapi_operations`` rewrites it).
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path
from typing import Any

from tests.api.openapi_walk import HTTP_METHODS, SERVICES, openapi_documents

SNAPSHOT = Path(__file__).with_name("openapi_operations.json")


def current_operations(tmp_dir: Path) -> dict[str, list[str]]:
    """``METHOD /path operationId`` of every operation, sorted, per service."""
    documents = openapi_documents(tmp_dir)
    listed: dict[str, list[str]] = {}
    for service in SERVICES:
        paths: dict[str, Any] = documents[service].get("paths", {})
        listed[service] = sorted(
            f"{method.upper()} {path} {spec.get('operationId')}"
            for path, item in paths.items()
            for method, spec in item.items()
            if method in HTTP_METHODS
        )
    return listed


def test_operations_match_the_committed_list(tmp_path: Path) -> None:
    expected = json.loads(SNAPSHOT.read_text())
    current = current_operations(tmp_path)
    for service in SERVICES:
        missing = sorted(set(expected[service]) - set(current[service]))
        added = sorted(set(current[service]) - set(expected[service]))
        assert not missing and not added, (
            f"{service}: operations changed (update {SNAPSHOT.name} on purpose): "
            f"missing {missing}, added {added}"
        )


if __name__ == "__main__":
    with tempfile.TemporaryDirectory() as tmp:
        SNAPSHOT.write_text(json.dumps(current_operations(Path(tmp)), indent=1) + "\n")
    sys.exit(0)
