"""A real `communitylab serve` process: SIGTERM drains in-flight requests; several workers serve."""

from __future__ import annotations

import json
import re
import signal
import threading
import time
from collections.abc import Callable
from typing import Any

import httpx


def _json_lines(text: str) -> list[dict[str, Any]]:
    lines = []
    for line in text.splitlines():
        try:
            lines.append(json.loads(line))
        except ValueError:
            continue
    return lines


def _wait_for(condition: Callable[[], bool], timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.05)


def test_sigterm_lets_the_in_flight_request_finish_and_exits_zero(serve: Any) -> None:
    served = serve("registry", "--graceful-timeout", "15", env={"COMMUNITYLAB_ENABLE_DRAIN_PROBE": "true"})
    outcome: dict[str, Any] = {}

    def slow_request() -> None:
        try:
            response = httpx.get(f"{served.base_url}/ops/drain-probe", params={"seconds": 3}, timeout=20)
            outcome["status"] = response.status_code
            outcome["body"] = response.json()
        except Exception as exc:  # the assertion below reports it
            outcome["error"] = repr(exc)
        outcome["finished_at"] = time.monotonic()

    client = threading.Thread(target=slow_request)
    client.start()
    _wait_for(
        lambda: any(line.get("message") == "drain probe in flight" for line in _json_lines(served.log()))
    )
    signalled_at = time.monotonic()
    served.process.send_signal(signal.SIGTERM)

    # While draining (the probe request still in flight), the server accepts no new work.
    def refuses_new_work() -> bool:
        try:
            return httpx.get(f"{served.base_url}/healthz", timeout=2).status_code != 200
        except httpx.TransportError:
            return True

    _wait_for(refuses_new_work)
    assert client.is_alive(), "the server must refuse new requests while the in-flight one drains"

    client.join(timeout=30)
    exit_code = served.process.wait(timeout=30)
    assert outcome.get("status") == 200, (outcome, served.log())
    assert outcome["body"] == {"slept_seconds": 3.0}
    assert outcome["finished_at"] - signalled_at > 1.0, "the request finished after the signal, not before"
    assert exit_code == 0, served.log()

    access = [line for line in _json_lines(served.log()) if line.get("route") == "/ops/drain-probe"]
    assert access and access[0]["status"] == 200 and access[0]["latency_ms"] >= 2900


def test_drain_probe_is_absent_unless_enabled(serve: Any) -> None:
    served = serve("registry")
    assert httpx.get(f"{served.base_url}/ops/drain-probe", params={"seconds": 0}).status_code == 404
    served.process.send_signal(signal.SIGTERM)
    assert served.process.wait(timeout=30) == 0


def test_serve_with_two_workers_answers_and_stops_cleanly(serve: Any) -> None:
    served = serve("registry", "--workers", "2")
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        if sum(1 for line in _json_lines(served.log()) if line.get("message") == "service started") >= 2:
            break
        time.sleep(0.2)
    started = [line for line in _json_lines(served.log()) if line.get("message") == "service started"]
    assert len(started) == 2, served.log()

    def readyz_count() -> float:
        text = httpx.get(f"{served.base_url}/metrics", timeout=5).text
        pattern = r'^communitylab_http_requests_total\{[^}]*route="/readyz"[^}]*status="200"[^}]*\} (\S+)$'
        return sum(float(value) for value in re.findall(pattern, text, re.M))

    before = readyz_count()
    for _ in range(10):
        # A new connection each time, so the kernel spreads them over both workers.
        assert httpx.get(f"{served.base_url}/readyz", timeout=5).status_code == 200
    # Whichever worker answers /metrics reports both workers' requests (prometheus multiprocess mode).
    for _ in range(4):
        assert readyz_count() == before + 10
    served.process.send_signal(signal.SIGTERM)
    assert served.process.wait(timeout=30) == 0, served.log()
    # The parent (uvicorn's supervisor) and both workers write JSON lines naming the service, nothing else.
    lines = [line for line in served.log().splitlines() if line.strip()]
    assert len(_json_lines(served.log())) == len(lines), served.log()
    assert {line["service"] for line in _json_lines(served.log())} == {"registry"}
    assert any("Started parent process" in line["message"] for line in _json_lines(served.log()))


def test_root_path_behind_the_proxy_points_docs_and_servers_at_the_prefix(serve: Any) -> None:
    # The proxy strips /registry before forwarding, as deploy/nginx and the Ingress do.
    served = serve("registry", "--root-path", "/registry")
    docs = httpx.get(f"{served.base_url}/docs", timeout=5)
    assert docs.status_code == 200
    assert "'/registry/openapi.json'" in docs.text
    spec = httpx.get(f"{served.base_url}/openapi.json", timeout=5).json()
    assert spec["servers"][0] == {"url": "/registry"}
    served.process.send_signal(signal.SIGTERM)
    assert served.process.wait(timeout=30) == 0
