"""ASGI middleware: correlation ids, request body size limit and a JSON access log."""

from __future__ import annotations

import json
import logging
import re
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shared.context import request_id_var
from shared.errors import PROBLEM_BASE, PROBLEM_MEDIA_TYPE
from shared.metrics import HTTP_LATENCY, HTTP_REQUESTS
from shared.pagination import bind_cursor_request, cursor_key

REQUEST_ID_HEADER = "x-request-id"
_REQUEST_ID_KEY = REQUEST_ID_HEADER.encode()
_VALID_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
access_logger = logging.getLogger("communitylab.access")


def _too_large_body(limit: int, request_id: str, path: str) -> bytes:
    return json.dumps(
        {
            "type": PROBLEM_BASE + "payload-too-large",
            "title": "Request body too large",
            "status": 413,
            "detail": f"The request body exceeds {limit} bytes.",
            "instance": path,
            "request_id": request_id,
        }
    ).encode()


@dataclass(frozen=True)
class BodyLimit:
    """Another body size limit for the requests of one method whose path matches ``path`` (a regex, in full)."""

    method: str
    path: str
    max_bytes: int

    def matches(self, method: str, path: str) -> bool:
        """Whether a request of ``method`` to ``path`` falls under this limit."""
        return method == self.method and re.fullmatch(self.path, path) is not None


class RequestContextMiddleware:
    """Take or mint ``X-Request-ID``, echo it, enforce the body limit and log each request as JSON."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        max_body_bytes: int = 1_048_576,
        service: str = "",
        body_limits: Sequence[BodyLimit] = (),
    ) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes
        self.service = service
        self.body_limits = tuple(body_limits)
        self._metric_children: dict[tuple[str, str, int], tuple[Any, Any]] = {}

    def _metrics(self, method: str, route: str, status: int) -> tuple[Any, Any]:
        """The request counter and latency histogram of one (method, route, status), looked up once."""
        key = (method, route, status)
        children = self._metric_children.get(key)
        if children is None:
            children = (
                HTTP_REQUESTS.labels(self.service, method, route, str(status)),
                HTTP_LATENCY.labels(self.service, method, route),
            )
            # Bounded by the routes the app has (unmatched paths share one label) times methods and statuses.
            self._metric_children[key] = children
        return children

    def _limit(self, scope: Scope) -> int:
        method, path = scope.get("method", ""), scope.get("path", "")
        # Behind a proxy prefix (``--root-path /workshops``) the path carries the prefix; the rules do not.
        root = scope.get("root_path", "")
        if root and path.startswith(root + "/"):
            path = path[len(root) :]
        for rule in self.body_limits:
            if rule.matches(method, path):
                return rule.max_bytes
        return self.max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Serve one request inside its correlation context."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        # Only three headers matter here: look for them instead of decoding every header of every request.
        incoming = ""
        declared: str | None = None
        chunked = False
        for key, value in scope.get("headers", ()):
            name = key.lower()
            if name == _REQUEST_ID_KEY:
                incoming = value.decode("latin-1")
            elif name == b"content-length":
                declared = value.decode("latin-1")
            elif name == b"transfer-encoding":
                chunked = True
        request_id = incoming if _VALID_REQUEST_ID.match(incoming) else uuid.uuid4().hex
        token = request_id_var.set(request_id)
        started = time.perf_counter()
        status_holder: dict[str, Any] = {"status": 500}
        limit = self._limit(scope)
        try:
            if declared and declared.isdigit() and int(declared) > limit:
                await self._reject_too_large(scope, send, request_id, limit)
                status_holder["status"] = 413
                return

            received = 0
            overflowed = False
            rejected = False
            body_done = not (declared not in (None, "0") or chunked)

            async def limited_receive() -> Message:
                nonlocal received, overflowed, body_done
                message = await receive()
                if message["type"] == "http.request":
                    received += len(message.get("body", b""))
                    body_done = not message.get("more_body", False)
                    if received > limit:
                        overflowed = True
                        raise _BodyTooLarge()
                elif message["type"] == "http.disconnect":
                    body_done = True
                return message

            async def drain_body() -> None:
                # A route that answers without reading the body at all (a 401 on an upload): read it (within the
                # limit) so the connection stays usable; a proxy still writing it would otherwise get a reset
                # and answer 502 instead of our response. A route that stopped reading part-way (its own 413)
                # is not drained: an endless body is cut off.
                try:
                    while not body_done:
                        await limited_receive()
                except _BodyTooLarge:
                    pass

            async def send_with_id(message: Message) -> None:
                nonlocal rejected
                if overflowed:
                    # FastAPI turns a failed body read into its own 400: answer the 413 instead, once.
                    if message["type"] == "http.response.start" and not rejected:
                        rejected = True
                        status_holder["status"] = 413
                        await self._reject_too_large(scope, send, request_id, limit)
                    return
                if message["type"] == "http.response.start":
                    if not body_done and received == 0:
                        await drain_body()
                    status_holder["status"] = message["status"]
                    raw = list(message.get("headers", []))
                    raw.append((b"x-request-id", request_id.encode()))
                    message = {**message, "headers": raw}
                await send(message)

            try:
                await self.app(scope, limited_receive, send_with_id)
            except _BodyTooLarge:
                status_holder["status"] = 413
                if not rejected:
                    await self._reject_too_large(scope, send, request_id, limit)
        finally:
            route = scope.get("route")
            route_path = getattr(route, "path", None) or "unmatched"
            elapsed = time.perf_counter() - started
            method = scope.get("method", "")
            counter, latency = self._metrics(method, route_path, status_holder["status"])
            counter.inc()
            latency.observe(elapsed)
            if access_logger.isEnabledFor(logging.INFO):  # no record built when the access log is off
                access_logger.info(
                    "request",
                    extra={
                        "service": self.service,
                        "method": scope.get("method"),
                        "path": scope.get("path"),
                        "route": route_path,
                        "status": status_holder["status"],
                        "latency_ms": round(elapsed * 1000, 2),
                    },
                )
            request_id_var.reset(token)

    async def _reject_too_large(self, scope: Scope, send: Send, request_id: str, limit: int) -> None:
        body = _too_large_body(limit, request_id, scope.get("path", ""))
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", PROBLEM_MEDIA_TYPE.encode()),
                    (b"content-length", str(len(body)).encode()),
                    (b"x-request-id", request_id.encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})


class _BodyTooLarge(Exception):
    pass


class CursorScopeMiddleware:
    """Bind each request's list (path and filters) and the server secret for signing pagination cursors."""

    def __init__(self, app: ASGIApp, *, secret: str) -> None:
        self.app = app
        self.secret = secret
        self.key = cursor_key(secret)  # once, not per request

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Serve one request with its cursor scope bound."""
        if scope["type"] == "http":
            bind_cursor_request(self.key, scope["path"], scope.get("query_string", b""))
        await self.app(scope, receive, send)
