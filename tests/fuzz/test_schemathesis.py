"""Schemathesis against each service's OpenAPI: no 5xx, every response as documented.

Two sizes. ``make test-all`` runs a smoke pass (a couple of examples per operation, no stateful phase);
``make fuzz`` sets ``COMMUNITYLAB_FUZZ=1`` for the full pass: examples, coverage (boundary values, malformed
UUIDs, NUL bytes, huge numbers, odd unicode, overlong path ids), fuzzing and stateful (links inferred from
``Location`` headers), bounded by ``COMMUNITYLAB_FUZZ_EXAMPLES`` per operation (default 15) and a time budget
per service. The key is a regional_admin key, so write routes get exercised past authorisation.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.fuzz.conftest import FuzzStack

# Slow (not in `make test`); one module-scoped stack serves the three runs, so they share an xdist worker.
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("fuzz-stack")]

FULL = os.environ.get("COMMUNITYLAB_FUZZ") == "1"
EXAMPLES = int(os.environ.get("COMMUNITYLAB_FUZZ_EXAMPLES", "15" if FULL else "2"))
# Per-service overrides of the examples and phases (none today: the registry's run had been cut to a smoke pass
# while its GeoJSON schema documented arrays whose largest instance was tens of megabytes; each level is now
# bounded near the body limit, see services/registry/districts/schemas.py).
SERVICE_EXAMPLES: dict[str, int] = {}
SERVICE_PHASES: dict[str, str] = {}
PHASES = "examples,coverage,fuzzing,stateful" if FULL else "examples,fuzzing"
# Seconds each service's run may take before it is stopped and reported as a failure (bound in time).
TIME_LIMIT = (
    {"registry": 600, "workshops": 600, "reporting": 240}
    if FULL
    else {s: 180 for s in ("registry", "workshops", "reporting")}
)
CHECKS = ",".join(
    [
        "not_a_server_error",
        "status_code_conformance",
        "content_type_conformance",
        "response_headers_conformance",
        "response_schema_conformance",
    ]
)
# The schemathesis CLI, through a launcher that works around an interpreter bug (see its docstring).
SCHEMATHESIS = [sys.executable, str(Path(__file__).with_name("schemathesis_launcher.py"))]


ALSO_SERVED = re.compile(r"Also served as (.+?) at this URL")


def as_served(document: dict[str, Any]) -> dict[str, Any]:
    """The OpenAPI document with the media types each 2xx really answers.

    The served document lists only ``application/json`` where a route also answers HTML, CSV or GeoJSON at
    the same URL (shared/api/openapi_polish.py, for client generators) and names the others in the response's
    description; the fuzzer checks every response's Content-Type, so it gets them back, as plain strings."""
    for item in document.get("paths", {}).values():
        for operation in item.values():
            for response in (
                (operation.get("responses") or {}).values() if isinstance(operation, dict) else ()
            ):
                found = ALSO_SERVED.search(str(response.get("description", "")))
                if found and "content" in response:
                    for media in re.findall(r"`([^`]+)`", found.group(1)):
                        response["content"].setdefault(media, {"schema": {"type": "string"}})
    return document


@pytest.mark.parametrize("service", ["registry", "workshops", "reporting"])
def test_schemathesis_finds_no_server_error_and_no_schema_violation(
    fuzz_stack: FuzzStack, service: str
) -> None:
    served = fuzz_stack.services.running[service]
    report = fuzz_stack.tmp / f"{service}-junit.xml"
    schema = fuzz_stack.tmp / f"{service}-openapi.json"
    served_document = httpx.get(f"{served.url}/openapi.json", timeout=30).json()
    schema.write_text(json.dumps(as_served(served_document)))
    command = [
        *SCHEMATHESIS,
        "run",
        str(schema),
        "--url",
        served.url,
        "--header",
        f"Authorization: {fuzz_stack.admin['Authorization']}",
        "--checks",
        CHECKS,
        "--phases",
        SERVICE_PHASES.get(service, PHASES),
        "--max-examples",
        str(SERVICE_EXAMPLES.get(service, EXAMPLES)),
        "--generation-allow-x00",
        "true",
        "--generation-database",
        "none",
        "--workers",
        "2" if FULL else "1",
        "--request-timeout",
        "30",
        "--no-color",
        "--report",
        "junit",
        "--report-junit-path",
        str(report),
        # Revoking or rotating keys would take away the fuzzer's own admin key half-way through the run;
        # tests/registry/test_api_keys.py covers those two routes.
        "--exclude-path-regex",
        r"^/api-keys/[^/]+/(revoke|rotate)$",
    ]
    if seed := os.environ.get("COMMUNITYLAB_FUZZ_SEED"):
        command += ["--seed", seed]
    done = subprocess.run(
        command, capture_output=True, text=True, timeout=TIME_LIMIT[service], check=False, cwd=fuzz_stack.tmp
    )
    output = done.stdout + done.stderr
    assert done.returncode == 0, f"schemathesis failed on {service}:\n{output[-20000:]}\n{served.log()}"
    assert "Tested:" in output, output[-5000:]
    # The run's figures (shown with -rP or -s): phases, operations and cases.
    summary = output[output.find("=== SUMMARY") :] if "=== SUMMARY" in output else output[-3000:]
    print(
        f"schemathesis on {service} ({PHASES}, {SERVICE_EXAMPLES.get(service, EXAMPLES)} examples):\n{summary}"
    )
