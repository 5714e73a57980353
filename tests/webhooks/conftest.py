"""Fixtures of the webhook tests: a real HTTP receiver on loopback, subscription factories, dispatchers."""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest
from sqlmodel import Session

from services.reporting.webhooks.dispatcher import Dispatcher, DispatcherConfig
from shared.db import Database
from shared.eventlog import NewEvent, RecordedEvent, append


@dataclass
class Received:
    """One request the receiver got, and what it answered."""

    at: float
    headers: dict[str, str]
    body: bytes
    status: int

    @property
    def json(self) -> Any:
        return json.loads(self.body)

    @property
    def message_id(self) -> str:
        return self.headers["webhook-id"]


@dataclass
class Receiver:
    """A webhook receiver on 127.0.0.1: answers from ``script`` (then ``default``), logs every request.

    Each script entry is a status code, or (status, headers), or ("sleep", seconds, status).
    """

    server: ThreadingHTTPServer | None = None
    script: list[Any] = field(default_factory=list)
    default: Any = 200
    delay_seconds: float = 0.0
    requests: list[Received] = field(default_factory=list)
    arrived: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def url(self) -> str:
        assert self.server is not None
        return f"http://127.0.0.1:{self.server.server_address[1]}/hook"

    @property
    def final_log(self) -> list[Received]:
        """The requests the receiver accepted (2xx): what it would have processed."""
        with self.lock:
            return [r for r in self.requests if 200 <= r.status < 300]

    def _next(self) -> Any:
        with self.lock:
            return self.script.pop(0) if self.script else self.default

    def start(self) -> Receiver:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                body = self.rfile.read(length)
                with receiver.lock:
                    receiver.arrived += 1
                action = receiver._next()
                headers: dict[str, str] = {}
                sleep = receiver.delay_seconds
                if isinstance(action, tuple) and action[0] == "sleep":
                    sleep, status = float(action[1]), int(action[2])
                elif isinstance(action, tuple):
                    status, headers = int(action[0]), dict(action[1])
                else:
                    status = int(action)
                if sleep:
                    time.sleep(sleep)
                try:
                    self.send_response(status)
                    for name, value in headers.items():
                        self.send_header(name, value)
                    reply = json.dumps({"received": True, "status": status}).encode()
                    self.send_header("content-length", str(len(reply)))
                    self.end_headers()
                    self.wfile.write(reply)
                except (BrokenPipeError, ConnectionResetError):
                    status = 599  # the sender had given up: not accepted
                with receiver.lock:
                    receiver.requests.append(
                        Received(
                            time.monotonic(), {k.lower(): v for k, v in self.headers.items()}, body, status
                        )
                    )

            def log_message(self, *_args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    """A started receiver, stopped after the test."""
    instance = Receiver().start()
    yield instance
    instance.stop()


@pytest.fixture
def make_receiver() -> Iterator[Callable[[], Receiver]]:
    """Start more receivers."""
    started: list[Receiver] = []

    def factory() -> Receiver:
        instance = Receiver().start()
        started.append(instance)
        return instance

    yield factory
    for instance in started:
        instance.stop()


def subscription_body(target: str, **overrides: Any) -> dict[str, Any]:
    """A valid subscription body for the URL ``target``."""
    body: dict[str, Any] = {
        "url": target,
        "event_types": ["priority.*"],
        "district_id": str(uuid.uuid4()),
        "description": "test receiver",
    }
    body.update(overrides)
    return body


async def create_subscription(
    client: httpx.AsyncClient, headers: dict[str, str], url: str, **overrides: Any
) -> dict[str, Any]:
    """Create a subscription through the API; return its created body (with the secret)."""
    response = await client.post(
        "/webhooks/subscriptions", json=subscription_body(url, **overrides), headers=headers
    )
    assert response.status_code == 201, response.text
    return dict(response.json())


def append_event(
    session: Session, event_type: str, district_id: str | None, stream_id: str | None = None, **payload: Any
) -> RecordedEvent:
    """Append one domain event (as a producer service would) and return it."""
    stream_type = event_type.split(".")[0]
    stream_id = stream_id or str(uuid.uuid4())
    body = {f"{stream_type}_id": stream_id, "district_id": district_id, **payload}
    (recorded,) = append(
        session,
        stream_type=stream_type,
        stream_id=stream_id,
        expected_version=None,
        events_to_append=[NewEvent(event_type, body)],
        district_id=district_id,
    )
    return recorded


def fast_config(**overrides: Any) -> DispatcherConfig:
    """A dispatcher configuration with short delays for tests."""
    values: dict[str, Any] = {
        "worker_id": f"test-{uuid.uuid4().hex[:8]}",
        "timeout_seconds": 2.0,
        "max_attempts": 5,
        "disable_after": timedelta(hours=72),
        "poll_seconds": 0.05,
        "lease_seconds": 30.0,
        "backoff_base_seconds": 0.05,
        "backoff_max_seconds": 0.2,
        "concurrency": 1,
        "allow_http_loopback": True,
    }
    values.update(overrides)
    return DispatcherConfig(**values)


@pytest.fixture
def make_dispatcher(db: Database) -> Iterator[Callable[..., Dispatcher]]:
    """Dispatchers running in this process on the test transaction."""
    made: list[Dispatcher] = []

    def factory(**overrides: Any) -> Dispatcher:
        dispatcher = Dispatcher(db, fast_config(**overrides))
        made.append(dispatcher)
        return dispatcher

    yield factory
    for dispatcher in made:
        dispatcher.client.close()


def run_until(dispatcher: Dispatcher, condition: Callable[[], bool], timeout: float = 10.0) -> None:
    """Run dispatcher iterations until ``condition`` holds (fail after ``timeout`` seconds)."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("condition not reached in time")
        if dispatcher.run_once() == 0:
            time.sleep(0.02)
