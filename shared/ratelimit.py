"""Rate limits on anonymous reads (per client address) and on each key (per bearer credential).

A token bucket per caller: ``limit`` requests a minute, refilled continuously, so a burst up to ``limit`` is
served and then one request every ``60 / limit`` seconds. Over the limit: 429 problem+json with
``Retry-After``; every limited response carries the IETF ``RateLimit-Policy`` and ``RateLimit`` headers
(draft-ietf-httpapi-ratelimit-headers). Budgets are per process: behind a load balancer each instance
keeps its own, so the effective limit is the setting times the replicas (documented in docs/operations.md).
Health, readiness and metrics are never limited.
"""

from __future__ import annotations

import hashlib
import json
import math
import time
from collections import OrderedDict
from dataclasses import dataclass

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shared.errors import PROBLEM_BASE, PROBLEM_MEDIA_TYPE

WINDOW_SECONDS = 60.0
MAX_TRACKED_CALLERS = 50_000
EXEMPT_PATHS = frozenset({"/healthz", "/readyz", "/metrics"})


@dataclass
class Bucket:
    """Tokens left for one caller, as of ``updated`` (monotonic seconds)."""

    tokens: float
    updated: float


class RateLimiter:
    """Token buckets for many callers, the least recently seen forgotten first."""

    def __init__(self, limit_per_minute: int) -> None:
        self.limit = limit_per_minute
        self.rate = limit_per_minute / WINDOW_SECONDS
        self.buckets: OrderedDict[str, Bucket] = OrderedDict()
        self._now = time.monotonic

    def take(self, caller: str) -> tuple[bool, int, float]:
        """Spend one token for ``caller``: (allowed, tokens left, seconds until the next token)."""
        now = self._now()
        bucket = self.buckets.pop(caller, None) or Bucket(tokens=float(self.limit), updated=now)
        bucket.tokens = min(float(self.limit), bucket.tokens + (now - bucket.updated) * self.rate)
        bucket.updated = now
        allowed = bucket.tokens >= 1.0
        if allowed:
            bucket.tokens -= 1.0
        self.buckets[caller] = bucket
        if len(self.buckets) > MAX_TRACKED_CALLERS:
            self.buckets.popitem(last=False)
        wait = 0.0 if bucket.tokens >= 1.0 else (1.0 - bucket.tokens) / self.rate
        return allowed, int(bucket.tokens), wait


class RateLimitMiddleware:
    """Apply the anonymous and per-key limits; 0 turns a limit off."""

    def __init__(self, app: ASGIApp, *, anonymous_per_minute: int, key_per_minute: int) -> None:
        self.app = app
        self.anonymous = RateLimiter(anonymous_per_minute) if anonymous_per_minute > 0 else None
        self.keyed = RateLimiter(key_per_minute) if key_per_minute > 0 else None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Serve the request, or answer 429 when its caller is over the limit."""
        if scope["type"] != "http" or scope.get("path") in EXEMPT_PATHS:
            await self.app(scope, receive, send)
            return
        authorization = next((v for k, v in scope.get("headers", []) if k == b"authorization"), b"")
        if authorization:
            limiter, policy = self.keyed, "key"
            caller = hashlib.sha256(authorization).hexdigest()
        else:
            limiter, policy = self.anonymous, "anonymous"
            client = scope.get("client")
            caller = client[0] if client else "unknown"
        if limiter is None:
            await self.app(scope, receive, send)
            return
        allowed, remaining, wait = limiter.take(caller)
        reset = max(0, math.ceil(wait))
        headers = [
            (b"ratelimit-policy", f'"{policy}";q={limiter.limit};w={int(WINDOW_SECONDS)}'.encode()),
            (b"ratelimit", f'"{policy}";r={remaining};t={reset}'.encode()),
        ]
        if not allowed:
            await _too_many_requests(scope, send, headers, retry_after=max(1, reset), policy=policy)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), *headers]
            await send(message)

        await self.app(scope, receive, send_with_headers)


async def _too_many_requests(
    scope: Scope, send: Send, headers: list[tuple[bytes, bytes]], *, retry_after: int, policy: str
) -> None:
    who = "this key" if policy == "key" else "anonymous callers from this address"
    body = json.dumps(
        {
            "type": PROBLEM_BASE + "too-many-requests",
            "title": "Too many requests",
            "status": 429,
            "detail": f"The rate limit for {who} is reached; retry after {retry_after} s.",
            "instance": scope.get("path", ""),
        }
    ).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 429,
            "headers": [
                (b"content-type", PROBLEM_MEDIA_TYPE.encode()),
                (b"content-length", str(len(body)).encode()),
                (b"retry-after", str(retry_after).encode()),
                *headers,
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
