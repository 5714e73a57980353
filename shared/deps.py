"""FastAPI dependencies shared by the services, as ``Annotated`` aliases.

``get_session`` owns the transaction: the route and the services it calls only flush; the session commits
once the route returned without error, so a state change and its events commit together, and rolls back
otherwise. It commits *before* the response is sent, so a client that got a 2xx has a committed write.
"""

from __future__ import annotations

import asyncio
import functools
import inspect
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Annotated, Concatenate, ParamSpec, TypeVar

import anyio
from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import Connection
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from shared.api.security import BEARER_SCHEME, OPTIONAL_BEARER_SCHEME
from shared.auth.identity import PersonResolver, SignedInPerson
from shared.auth.keys import KEY_CACHE, authenticate_with_expiry, touch_key
from shared.auth.oidc import InvalidTokenError, TokenVerifier, looks_like_jwt
from shared.auth.principal import ANONYMOUS, Principal, Role
from shared.config import Settings
from shared.context import actor_id_var
from shared.db import Database
from shared.errors import BusyError, ConflictError, UnauthorizedError

READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

BEARER_DESCRIPTION = (
    "An API key (`Authorization: Bearer clk_...`) or an OpenID Connect JWT access token "
    "of a configured issuer (`Authorization: Bearer eyJ...`)."
)
bearer = HTTPBearer(auto_error=False, scheme_name=BEARER_SCHEME, description=BEARER_DESCRIPTION)
"""The credentials of a route that needs them (``SignedInDep``): documented ``security: [{bearer: []}]``."""
optional_bearer = HTTPBearer(
    auto_error=False, scheme_name=OPTIONAL_BEARER_SCHEME, description=BEARER_DESCRIPTION
)
"""The credentials of ``PrincipalDep``: optional on reads, needed on writes. ``shared.api.security`` documents
it as ``security: [{}, {bearer: []}]`` on reads and ``[{bearer: []}]`` on writes, and drops the scheme name."""


# Async because they only read attributes: FastAPI runs a sync dependency in a worker thread, a thread hop each.
async def get_settings_dep(request: Request) -> Settings:
    """The settings the app was created with."""
    settings: Settings = request.app.state.settings
    return settings


async def get_database(request: Request) -> Database:
    """The app's database."""
    database: Database = request.app.state.database
    return database


TRANSACTION_END_THREADS = 16
KEY_LOOKUP_CONNECTIONS = 4
READ_THREADS = 4


def _app_limiter(request: Request, name: str, capacity: int) -> anyio.CapacityLimiter:
    """A per-app capacity limiter, created lazily inside the event loop."""
    state = request.app.state
    limiter: anyio.CapacityLimiter | None = getattr(state, name, None)
    if limiter is None:
        limiter = anyio.CapacityLimiter(capacity)
        setattr(state, name, limiter)
    return limiter


def _transaction_end_limiter(request: Request) -> anyio.CapacityLimiter:
    """Threads that end transactions: never shared with routes, so a commit can always run."""
    return _app_limiter(request, "transaction_end_limiter", TRANSACTION_END_THREADS)


def _key_lookup_limiter(request: Request) -> anyio.CapacityLimiter:
    """Threads (and so pooled connections) that resolve API keys."""
    return _app_limiter(request, "key_lookup_limiter", KEY_LOOKUP_CONNECTIONS)


def _read_limiter(request: Request) -> anyio.CapacityLimiter:
    """Threads that run ``run_read``'s reads: a few, since a short read mostly holds the GIL, and more threads
    than cores only queue for it (and delay the event loop, which needs it to answer)."""
    return _app_limiter(request, "read_limiter", READ_THREADS)


def _admission_limiter(request: Request) -> anyio.CapacityLimiter:
    """How many requests may hold a session at once: what the pool can serve besides key lookups.

    Requests beyond it wait in the event loop, holding no worker thread and no connection. Without this bound,
    worker threads waiting for a pooled connection (or for a row lock) could take every thread of the pool that
    also serialises responses, and the request holding the event log's append lock could never finish.
    """
    settings: Settings = request.app.state.settings
    capacity = max(1, settings.db_pool_size + settings.db_max_overflow - KEY_LOOKUP_CONNECTIONS)
    return _app_limiter(request, "admission_limiter", capacity)


def _commit(session: Session) -> None:
    try:
        session.commit()
    except IntegrityError as exc:
        session.rollback()
        raise ConflictError(
            "the change conflicts with existing data (duplicate or missing reference)"
        ) from exc
    finally:
        session.close()


def _rollback(session: Session) -> None:
    try:
        session.rollback()
    finally:
        session.close()


class WriteQueue:
    """The write requests of one app, taking SQLite's single writer lock one at a time in arrival order.

    SQLite has one writer whatever the pool: write transactions that start together wait for each other in
    the busy handler, which sleeps and polls (tens of milliseconds per retry), so under load most of a write's
    time was spent asleep and the slowest ones reached the busy timeout. Queued here instead, each waits in
    the event loop (no thread, no connection) and starts the moment the previous one ended. A write that finds
    ``limit`` others waiting is refused at once with a documented 503 and ``Retry-After``, rather than left to
    time out. Other processes on the same file (another service, a worker) still meet it in the busy handler.
    """

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.waiting = 0
        self._lock = asyncio.Lock()  # fair: waiters are served first come, first served

    async def turn(self) -> WriteTurn:
        """Wait for this request's turn (``BusyError`` when too many are already waiting)."""
        if self.waiting >= self.limit:
            raise BusyError(
                f"{self.waiting} changes are already waiting for the database; retry in a second",
                retry_after=1,
            )
        self.waiting += 1
        try:
            await self._lock.acquire()
        finally:
            self.waiting -= 1
        return WriteTurn(self._lock)


class WriteTurn:
    """One request's turn at the writer; ending it twice is harmless."""

    def __init__(self, lock: asyncio.Lock) -> None:
        self._lock: asyncio.Lock | None = lock

    def end(self) -> None:
        """Let the next writer in."""
        if self._lock is not None:
            self._lock.release()
            self._lock = None


def _write_queue(request: Request, database: Database) -> WriteQueue | None:
    """The app's queue of SQLite writers (PostgreSQL has row locks and many writers: no queue)."""
    if database.dialect != "sqlite":
        return None
    state = request.app.state
    queue: WriteQueue | None = getattr(state, "write_queue", None)
    if queue is None:
        settings: Settings = state.settings
        queue = WriteQueue(settings.write_queue_limit)
        state.write_queue = queue
    return queue


_TURN = "communitylab.write_turn"
_ENDED = "communitylab.transaction_ended"


async def get_session(request: Request) -> AsyncIterator[Session]:
    """One session per request, committed after the route succeeds, rolled back on any error.

    Used with ``scope="function"`` so the commit runs before the response is sent: a failed commit becomes
    an error response instead of a 2xx for a write that did not happen. Commit and rollback run on their own
    thread limiter, not on the pool that runs routes: a transaction holding the event log's append lock must
    always be able to finish, even when every route thread is waiting for that lock or for a connection
    (otherwise 50 concurrent writers deadlock the service). A route decorated with ``commit_on_return``
    commits in its own thread instead (this dependency still rolls back when it fails).

    On SQLite a write first waits for its turn in the app's ``WriteQueue`` (before taking a place under the
    admission limiter, so queued writers hold none and reads go on meanwhile).
    """
    database: Database = request.app.state.database
    write = request.method not in READ_METHODS
    queue = _write_queue(request, database) if write else None
    turn = await queue.turn() if queue is not None else None
    try:
        admission = _admission_limiter(request)
        borrower = object()
        await admission.acquire_on_behalf_of(borrower)
        try:
            session = database.session(write=write)
            session.info[_TURN] = turn
            limiter = _transaction_end_limiter(request)
            try:
                yield session
            except BaseException:
                with anyio.CancelScope(shield=True):
                    await anyio.to_thread.run_sync(_rollback, session, limiter=limiter)
                raise
            if not session.info.get(_ENDED):
                with anyio.CancelScope(shield=True):
                    await anyio.to_thread.run_sync(_commit, session, limiter=limiter)
        finally:
            admission.release_on_behalf_of(borrower)
    finally:
        if turn is not None:
            turn.end()


R = TypeVar("R")


def commit_on_return(route: Callable[..., R]) -> Callable[..., Awaitable[R]]:
    """Run a sync write route and its session's commit in one worker-thread hop.

    FastAPI runs a sync route in a worker thread, validates its answer in another hop and ``get_session``
    commits in a third; a write holding SQLite's writer (or PostgreSQL's event-log head lock) waits for the
    event loop between them. Here the route's body and the commit run in the same thread, one after the
    other, and the app's write turn ends as soon as they have; the route must take ``session: SessionDep``.
    The transaction stays the session dependency's: it commits only after the route returned, and when the
    route or the commit fails ``get_session`` rolls back as usual.
    """
    if "session" not in inspect.signature(route).parameters:
        raise TypeError(f"{route.__name__} takes no session parameter to commit")

    @functools.wraps(route)
    async def endpoint(*args: object, **kwargs: object) -> R:
        session = kwargs["session"]
        assert isinstance(session, Session)

        def run() -> R:
            result = route(*args, **kwargs)
            _commit(session)
            session.info[_ENDED] = True
            return result

        try:
            return await anyio.to_thread.run_sync(run)
        finally:
            turn: WriteTurn | None = session.info.get(_TURN)
            if turn is not None and session.info.get(_ENDED):
                turn.end()

    return endpoint


P = ParamSpec("P")
T = TypeVar("T")


def _in_read_connection(
    database: Database,
    autocommit: bool,
    fn: Callable[Concatenate[Connection, P], T],
    *args: P.args,
    **kwargs: P.kwargs,
) -> T:
    with database.read_connection(autocommit=autocommit) as connection:
        return fn(connection, *args, **kwargs)


async def run_read(
    request: Request, fn: Callable[Concatenate[Connection, P], T], *args: P.args, **kwargs: P.kwargs
) -> T:
    """Run ``fn(connection, ...)`` on a pooled read connection in one worker-thread hop, then close it.

    For async read routes: the connection is taken, used and given back inside that one hop, so the route
    needs no session dependency (each sync dependency, and a session's commit, would cost a hop of its own).
    The hop runs under the admission limiter, so reads and sessions together never hold more connections than
    the pool has besides key lookups. ``fn``'s statements share one read transaction (one snapshot); nothing is
    committed.
    """
    return await _run_read(request, False, fn, *args, **kwargs)


async def run_statement_read(
    request: Request, fn: Callable[Concatenate[Connection, P], T], *args: P.args, **kwargs: P.kwargs
) -> T:
    """``run_read`` for an ``fn`` that runs one statement: in autocommit, with no BEGIN or ROLLBACK around it."""
    return await _run_read(request, True, fn, *args, **kwargs)


async def _run_read(
    request: Request,
    autocommit: bool,
    fn: Callable[Concatenate[Connection, P], T],
    *args: P.args,
    **kwargs: P.kwargs,
) -> T:
    database: Database = request.app.state.database
    return await anyio.to_thread.run_sync(
        lambda: _in_read_connection(database, autocommit, fn, *args, **kwargs),
        limiter=_read_limiter(request),
    )


SettingsDep = Annotated[Settings, Depends(get_settings_dep)]
DatabaseDep = Annotated[Database, Depends(get_database)]
SessionDep = Annotated[Session, Depends(get_session, scope="function")]


def _resolve_key(database: Database, key: str, secret: str, cache_ttl: float = 0.0) -> Principal:
    with database.session(write=False) as session:
        principal, due, expires_at = authenticate_with_expiry(session.connection(), key, secret=secret)
        session.rollback()
    if due and principal.key_id:
        # Recorded in its own short transaction so a read request never holds a write transaction.
        with database.transaction() as session:
            touch_key(session.connection(), principal.key_id)
    KEY_CACHE.put(KEY_CACHE.cache_key(_cache_scope(database), key, secret), principal, expires_at, cache_ttl)
    return principal


def _cache_scope(database: Database) -> str:
    return database.engine.url.render_as_string(hide_password=True)


def token_principal(token: str, verifier: TokenVerifier, resolver: PersonResolver | None) -> Principal:
    """Verify an access token and resolve the registry person it is linked to, with their role grants."""
    verified = verifier.verify(token)
    if resolver is None:
        raise InvalidTokenError("not_accepted", "this service does not accept access tokens")
    person: SignedInPerson = resolver(verified, token)
    admin = person.regional_admin or verified.in_admin_group
    if admin:
        role = Role.REGIONAL_ADMIN
    elif person.district_editor_ids:
        role = Role.DISTRICT_EDITOR
    elif person.facilitator:
        role = Role.FACILITATOR
    else:
        role = Role.PARTICIPANT
    return Principal(
        actor_id=person.person_id,
        role=role,
        district_ids=person.district_editor_ids,
        person_id=person.person_id,
        issuer=verified.issuer.issuer,
        facilitator=person.facilitator,
    )


def _resolve_token(request: Request, token: str) -> Principal:
    verifier: TokenVerifier | None = getattr(request.app.state, "token_verifier", None)
    if verifier is None or not verifier.enabled:
        raise InvalidTokenError("not_accepted", "no OpenID Connect issuer is configured here")
    resolver: PersonResolver | None = getattr(request.app.state, "person_resolver", None)
    return token_principal(token, verifier, resolver)


async def get_principal(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(optional_bearer)],
) -> Principal:
    """Resolve the bearer API key or access token (401 when bad); anonymous when none is sent.

    Shapes tell them apart: a JWT has exactly two dots, an API key (``clk_...``) none.

    Anonymous callers may only read: a write without a key is a 401 before the route looks anything up, so
    anonymous callers cannot probe which ids exist. Async so the actor id it puts in the context reaches the
    route and the events it appends.
    """
    if credentials is None:
        actor_id_var.set(None)
        if request.method not in READ_METHODS:
            raise UnauthorizedError("Changes need an API key (Authorization: Bearer <key>).")
        return ANONYMOUS
    if looks_like_jwt(credentials.credentials):
        principal = await anyio.to_thread.run_sync(
            _resolve_token, request, credentials.credentials, limiter=_key_lookup_limiter(request)
        )
        actor_id_var.set(principal.actor_id)
        return principal
    database: Database = request.app.state.database
    settings: Settings = request.app.state.settings
    if settings.api_key_cache_seconds > 0:
        # A key seen within the TTL resolves in the event loop: no thread hop, no connection, no query.
        cached = KEY_CACHE.get(
            KEY_CACHE.cache_key(_cache_scope(database), credentials.credentials, settings.secret_key)
        )
        if cached is not None:
            actor_id_var.set(cached.actor_id)
            return cached
    principal = await anyio.to_thread.run_sync(
        _resolve_key,
        database,
        credentials.credentials,
        settings.secret_key,
        settings.api_key_cache_seconds,
        limiter=_key_lookup_limiter(request),
    )
    actor_id_var.set(principal.actor_id)
    return principal


PrincipalDep = Annotated[Principal, Depends(get_principal)]


async def get_signed_in_principal(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> Principal:
    """Like ``get_principal``, but a read without a key is a 401 too (routes about the caller or people)."""
    principal = await get_principal(request, credentials)
    principal.require_authenticated()
    return principal


SignedInDep = Annotated[Principal, Depends(get_signed_in_principal)]
"""The caller of a route that needs a key even to read; documented ``security: [{bearer: []}]`` with 401/403."""
