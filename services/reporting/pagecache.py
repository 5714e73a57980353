"""Public reports rendered once per read-model state and served from memory.

The diary, the dashboard and the open-data files change only when the reporting consumer moves on, so each
representation (URL and variant) is rendered once per read-model state (every projection's checkpoint) and
kept here as bytes. The checkpoints are read at most once per ``STATE_TTL`` seconds, by one request on behalf of
all (a query and a thread hop per request would cost more than the page), and at once when this process's
consumer moved the read models (``consumer.moves()``); another instance's consumer is seen within the TTL. When
the state is the one a representation was rendered at, it is served from memory, or answered 304 when the client
sends its ETag, with no thread hop and no database read. Each service process keeps its own cache (another
instance renders once too).
"""

from __future__ import annotations

import asyncio
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass

import anyio
from fastapi import Request
from fastapi.responses import Response
from sqlmodel import Session

from services.reporting import consumer, service
from shared.db import Database

State = tuple[tuple[str, int], ...]
Renderer = Callable[[Session], tuple[bytes, str]]
"""Builds one representation from the read models: its body and media type (raises for 404s)."""

MAX_ENTRIES = 512
STATE_TTL = 0.2
"""Seconds a read of the checkpoints stands for every request (a change by another process shows within it)."""
CACHE_CONTROL = "public, no-cache"
"""Anonymous reports may be kept by a CDN or nginx, which revalidate them with If-None-Match (a cheap 304)."""


@dataclass(frozen=True)
class Rendered:
    """One representation rendered at one read-model state."""

    state: State
    tag: str
    body: bytes
    media_type: str


def report_tag(position: int, variant: str) -> str:
    """The weak ETag of a report: the read models' position (the lowest checkpoint) and the variant."""
    return f'W/"reporting-{position}-{variant}"'


def _tag_of(state: State, variant: str) -> str:
    return report_tag(min((p for _, p in state), default=0), variant)


def cache_headers(tag: str, *, vary: bool = True) -> dict[str, str]:
    """ETag and Cache-Control of a public report (Vary: Accept where JSON and HTML share the URL)."""
    headers = {"ETag": tag, "Cache-Control": CACHE_CONTROL}
    if vary:
        headers["Vary"] = "Accept"
    return headers


def _matches(request: Request, tag: str) -> bool:
    return tag in [t.strip() for t in request.headers.get("if-none-match", "").split(",")]


class PageCache:
    """The rendered reports of one app."""

    def __init__(self, max_entries: int = MAX_ENTRIES) -> None:
        self.max_entries = max_entries
        self._entries: OrderedDict[Hashable, Rendered] = OrderedDict()
        self._renders: dict[Hashable, asyncio.Lock] = {}
        # Threads reading the checkpoints or rendering: bounded so a burst cannot take every pooled connection.
        self.limiter = anyio.CapacityLimiter(8)
        self._state: State | None = None
        self._state_read_at = 0.0
        self._state_moves = -1
        self._state_lock: asyncio.Lock | None = None

    def _fresh_state(self) -> State | None:
        if self._state is None or self._state_moves != consumer.moves():
            return None
        return self._state if time.monotonic() - self._state_read_at < STATE_TTL else None

    def _remember(self, state: State, read_at: float, moves: int) -> None:
        # A read that started before the one already kept must not replace it with older checkpoints.
        if read_at >= self._state_read_at:
            self._state, self._state_read_at, self._state_moves = state, read_at, moves

    async def state(self, database: Database) -> State:
        """The read models' state: read from the database by one request at most every ``STATE_TTL``."""
        state = self._fresh_state()
        if state is not None:
            return state
        if self._state_lock is None:
            self._state_lock = asyncio.Lock()
        async with self._state_lock:  # the requests that arrive meanwhile share this read
            state = self._fresh_state()
            if state is not None:
                return state
            # Taken before the read: a move or a commit during the read makes the next request read again.
            moves, read_at = consumer.moves(), time.monotonic()
            state = await anyio.to_thread.run_sync(_read_state, database, limiter=self.limiter)
            self._remember(state, read_at, moves)
            return state

    def _get(self, key: Hashable, state: State) -> Rendered | None:
        entry = self._entries.get(key)
        return entry if entry is not None and entry.state == state else None

    def _put(self, key: Hashable, entry: Rendered) -> None:
        self._entries[key] = entry
        self._entries.move_to_end(key)
        while len(self._entries) > self.max_entries:
            self._entries.popitem(last=False)

    async def serve(
        self,
        request: Request,
        database: Database,
        key: Hashable,
        variant: str,
        render: Renderer,
        *,
        headers: dict[str, str] | None = None,
        vary: bool = True,
    ) -> Response:
        """The representation ``key`` at the current state: from memory, as a 304, or rendered now."""
        state = await self.state(database)
        entry = self._get(key, state)
        if entry is None:
            lock = self._renders.setdefault(key, asyncio.Lock())
            async with lock:  # one render per representation and state; the others wait for it
                entry = self._get(key, self._state or state)
                if entry is None:
                    moves, read_at = consumer.moves(), time.monotonic()
                    entry = await anyio.to_thread.run_sync(
                        _render, database, variant, render, limiter=self.limiter
                    )
                    self._put(key, entry)
                    # The render read the checkpoints again, in its own snapshot: the freshest state known.
                    self._remember(entry.state, read_at, moves)
            self._renders.pop(key, None)
        all_headers = {**(headers or {}), **cache_headers(entry.tag, vary=vary)}
        if _matches(request, entry.tag):
            return Response(status_code=304, headers=all_headers)
        return Response(entry.body, media_type=entry.media_type, headers=all_headers)


def _read_state(database: Database) -> State:
    with database.session(write=False) as session:
        state = service.read_model_state(session=session)
        session.rollback()
    return state


def _render(database: Database, variant: str, render: Renderer) -> Rendered:
    # The state is read first in the render's own transaction: on SQLite the rows come from the same snapshot.
    with database.session(write=False) as session:
        state = service.read_model_state(session=session)
        body, media_type = render(session)
        session.rollback()
    return Rendered(state, _tag_of(state, variant), body, media_type)


def page_cache(request: Request) -> PageCache:
    """The app's cache, created on first use."""
    cache: PageCache | None = getattr(request.app.state, "page_cache", None)
    if cache is None:
        cache = PageCache()
        request.app.state.page_cache = cache
    return cache
