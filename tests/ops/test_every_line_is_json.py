"""`communitylab up` for real: every line any of its processes writes is a JSON object naming its service."""

from __future__ import annotations

import json
import signal
import subprocess
import time
from pathlib import Path
from typing import Any

import httpx
from prometheus_client.parser import text_string_to_metric_families

from tests.ops.conftest import COMMUNITYLAB, free_port, migrated_env

SERVICES = ("registry", "workshops", "reporting")


def _lines(path: Path) -> list[str]:
    return [line for line in path.read_text(encoding="utf-8", errors="replace").splitlines() if line.strip()]


def _json_lines(path: Path) -> list[dict[str, Any]]:
    parsed = []
    for line in _lines(path):
        try:
            entry = json.loads(line)
        except json.JSONDecodeError as exc:
            raise AssertionError(f"{path.name}: not JSON: {line!r}") from exc
        assert isinstance(entry, dict), line
        assert isinstance(entry.get("service"), str) and entry["service"], f"no service: {line}"
        parsed.append(entry)
    return parsed


def _lag(text: str, consumer: str) -> float | None:
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if (
                sample.name == "communitylab_consumer_lag_events"
                and sample.labels.get("consumer") == consumer
            ):
                return float(sample.value)
    return None


def test_up_and_everything_it_starts_write_only_json_lines_with_a_service(tmp_path: Path) -> None:
    env = migrated_env(tmp_path)  # an empty, migrated database; `up` migrates again (a no-op, still logged)
    ports = {service: free_port() for service in SERVICES}
    metrics = {"webhooks-worker": free_port(), "notifications-worker": free_port()}
    for service, port in ports.items():
        env[f"COMMUNITYLAB_{service.upper()}_PORT"] = str(port)
        env[f"COMMUNITYLAB_{service.upper()}_URL"] = f"http://127.0.0.1:{port}"
    env["COMMUNITYLAB_WEBHOOKS_METRICS_PORT"] = str(metrics["webhooks-worker"])
    env["COMMUNITYLAB_NOTIFICATIONS_METRICS_PORT"] = str(metrics["notifications-worker"])
    env["COMMUNITYLAB_LOG_LEVEL"] = "INFO"
    env["COMMUNITYLAB_PROJECTION_POLL_SECONDS"] = "0.2"
    out, err = tmp_path / "up.stdout", tmp_path / "up.stderr"
    with out.open("w") as stdout, err.open("w") as stderr:
        process = subprocess.Popen(
            [COMMUNITYLAB, "up"], cwd=tmp_path, env=env, stdout=stdout, stderr=stderr, text=True
        )
    try:
        deadline = time.monotonic() + 240
        while "all three services answer" not in err.read_text():
            assert process.poll() is None, f"`up` exited:\n{err.read_text()}"
            assert time.monotonic() < deadline, f"`up` did not report ready:\n{err.read_text()}"
            time.sleep(0.3)
        registry = f"http://127.0.0.1:{ports['registry']}"
        assert httpx.get(f"{registry}/healthz", headers={"X-Request-ID": "json-lines-1"}).status_code == 200
        assert httpx.get(f"http://127.0.0.1:{ports['workshops']}/no-such-route").status_code == 404
        for worker, port in metrics.items():
            consumer = "webhooks.fanout" if worker == "webhooks-worker" else "notifications"
            while True:  # the workers start after the services answer; their first round sets the gauge
                try:
                    scraped = httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=2)
                    if _lag(scraped.text, consumer) == 0:
                        break
                except httpx.TransportError:
                    pass
                assert time.monotonic() < deadline, f"no {consumer} lag at :{port}:\n{err.read_text()}"
                time.sleep(0.3)
            assert scraped.headers["content-type"].startswith("text/plain")
            assert httpx.get(f"http://127.0.0.1:{port}/other", timeout=2).status_code == 404
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
    assert process.returncode == 0, err.read_text()

    # stdout carries nothing; stderr only JSON objects, each with its process's service.
    assert _json_lines(out) == []
    lines = _json_lines(err)
    services = {line["service"] for line in lines}
    assert {"up", *SERVICES, "webhooks-worker", "notifications-worker"} <= services, services
    mine = [line for line in lines if line["service"] == "up"]
    messages = [line["message"] for line in mine]
    assert any(line["logger"].startswith("alembic") for line in mine), "alembic's lines, as JSON"
    assert "migrations at head" in messages
    for service, port in ports.items():
        assert f"{service}: http://127.0.0.1:{port}/docs" in messages
    for name, port in (
        ("webhooks worker", metrics["webhooks-worker"]),
        ("notifications worker", metrics["notifications-worker"]),
    ):
        assert any(m.startswith(f"{name} metrics: http://127.0.0.1:{port}/metrics") for m in messages), (
            messages
        )
    # uvicorn's own lines (started, shutting down) are JSON too, under the service they belong to.
    uvicorn = [line for line in lines if line["logger"].startswith("uvicorn")]
    assert {line["service"] for line in uvicorn} == set(SERVICES)
    assert any("Uvicorn running on" in line["message"] for line in uvicorn)
    access = [line for line in lines if line.get("request_id") == "json-lines-1"]
    assert [(a["service"], a["route"], a["status"]) for a in access] == [("registry", "/healthz", 200)]
    workers = {line["service"]: line for line in lines if line["message"].endswith("worker started")}
    assert set(workers) == {"webhooks-worker", "notifications-worker"}
    assert workers["notifications-worker"]["email"] is False


def test_a_service_that_cannot_start_says_why_in_json(tmp_path: Path) -> None:
    env = migrated_env(tmp_path)
    # Production refuses the development secret: the settings fail before anything is served.
    env.update(COMMUNITYLAB_ENVIRONMENT="production", COMMUNITYLAB_SECRET_KEY="dev-insecure-change-me")
    done = subprocess.run(
        [COMMUNITYLAB, "serve", "registry", "--workers", "2", "--port", str(free_port())],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode != 0
    assert done.stdout == ""
    lines = [json.loads(line) for line in done.stderr.splitlines() if line.strip()]
    assert lines and {line["service"] for line in lines} == {"registry"}
    assert any(line["level"] == "CRITICAL" and "secret" in line.get("exc_info", "").lower() for line in lines)
