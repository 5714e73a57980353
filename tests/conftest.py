"""Fixtures shared by the whole suite.

The database comes from ``COMMUNITYLAB_TEST_DATABASE_URL`` (``.ci/run`` points it at a fresh PostgreSQL
database) or is a fresh SQLite file; it is built by running the migrations, so migrations are tested too.
Under pytest-xdist every worker (``PYTEST_XDIST_WORKER``) is its own session: it gets its own SQLite file, or
on PostgreSQL its own database next to the given one (``<name>_gw0``, ...), created and dropped here.
Each test runs inside a transaction that is rolled back: the app under test gets a ``TestDatabase`` whose
sessions are bound to that transaction through savepoints, so the session dependency's commit releases a
savepoint and nothing outlives the test.
"""

from __future__ import annotations

import os
import tempfile
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import Connection, Engine
from sqlalchemy.engine import URL, make_url
from sqlmodel import Session

from shared.auth.keys import create_key
from shared.auth.principal import Role
from shared.clients.asgi_bridge import ASGIBridgeTransport
from shared.clients.registry import RegistryClient
from shared.config import Settings
from shared.db import Database, make_engine
from shared.migrations import upgrade_all

TEST_SECRET = "test-secret-key"


def _plain_postgres(url: URL) -> str:
    """A URL psycopg accepts (no SQLAlchemy driver suffix)."""
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


@contextmanager
def _worker_database(base: str, worker: str) -> Iterator[str]:
    """A fresh PostgreSQL database for one xdist worker, on the server of ``base``; dropped at the end."""
    import psycopg

    url = make_url(base)
    name = f"{url.database}_{worker}"
    with psycopg.connect(_plain_postgres(url), autocommit=True) as conn:
        # A leftover of a killed run would hold stale data and a stale schema.
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(_plain_postgres(url), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(scope="session")
def database_url() -> Iterator[str]:
    base = os.environ.get("COMMUNITYLAB_TEST_DATABASE_URL")
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if base and base.startswith("postgresql") and worker:
        with _worker_database(base, worker) as url:
            yield url
    elif base:
        yield base
    else:
        with tempfile.TemporaryDirectory(prefix="communitylab-test-") as tmp:
            yield f"sqlite:///{Path(tmp) / 'test.db'}"


@pytest.fixture(scope="module")
def committing_database_url() -> Iterator[str]:
    """A migrated database of the module's own, for tests whose writes commit (real worker processes).

    Committed events would otherwise stay in the suite's database, whose event log is append-only, and show
    up in the read models of later tests on the same worker.
    """
    base = os.environ.get("COMMUNITYLAB_TEST_DATABASE_URL")
    suffix = f"{os.environ.get('PYTEST_XDIST_WORKER', 'main')}_c{uuid.uuid4().hex[:8]}"
    if base and base.startswith("postgresql"):
        with _worker_database(base, suffix) as url:
            yield url
    else:
        with tempfile.TemporaryDirectory(prefix="communitylab-commit-") as tmp:
            yield f"sqlite:///{Path(tmp) / 'committed.db'}"


@pytest.fixture(scope="module")
def committing_engine(committing_database_url: str) -> Iterator[Engine]:
    """The engine of ``committing_database_url``, migrated."""
    engine = make_engine(committing_database_url)
    upgrade_all(engine)
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    upgrade_all(engine)
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def dialect(engine: Engine) -> str:
    return engine.dialect.name


@pytest.fixture(scope="session")
def settings(database_url: str) -> Settings:
    return Settings(
        database_url=database_url,
        secret_key=TEST_SECRET,
        environment="test",
        log_json=True,
        # The tests' webhook receivers listen on loopback.
        webhook_allow_http_loopback=True,
    )


class TestDatabase(Database):
    """A Database whose sessions all join one outer test transaction through savepoints."""

    __test__ = False

    def __init__(self, engine: Engine, connection: Connection):
        super().__init__(engine)
        self.connection = connection

    def session(self, *, write: bool = True) -> Session:
        return Session(bind=self.connection, join_transaction_mode="create_savepoint", expire_on_commit=False)

    @contextmanager
    def read_connection(self, *, autocommit: bool = False) -> Iterator[Connection]:
        # Reads see the test's uncommitted rows: the outer transaction's connection, as sessions do.
        yield self.connection

    @contextmanager
    def pinned(self) -> Iterator[Session]:
        with self.session() as session:
            yield session


@pytest.fixture
def connection(engine: Engine) -> Iterator[Connection]:
    conn = engine.connect()
    transaction = conn.begin()
    try:
        yield conn
    finally:
        transaction.rollback()
        conn.close()


@pytest.fixture
def db(engine: Engine, connection: Connection) -> TestDatabase:
    return TestDatabase(engine, connection)


@pytest.fixture
def session(db: TestDatabase) -> Iterator[Session]:
    with db.session() as session:
        yield session


@pytest.fixture
def make_client(settings: Settings, db: TestDatabase) -> Iterator[Callable[[str], httpx.AsyncClient]]:
    """Return an AsyncClient for a service ("registry", "workshops", "reporting") on the test transaction."""
    import importlib

    clients: list[httpx.AsyncClient] = []

    def build_app(service: str, **kwargs: Any) -> Any:
        module = importlib.import_module(f"services.{service}.app")
        if service == "workshops" and "registry" not in kwargs:
            # The real registry app, in-process on the same test transaction, reached over HTTP semantics.
            kwargs["registry"] = RegistryClient(
                "http://registry.test", transport=ASGIBridgeTransport(build_app("registry")), cache_seconds=0
            )
        return module.create_app(settings=settings, database=db, **kwargs)

    def factory(service: str, **kwargs: Any) -> httpx.AsyncClient:
        app = build_app(service, **kwargs)
        client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=f"http://{service}.test")
        client.app = app  # type: ignore[attr-defined]
        clients.append(client)
        return client

    yield factory


@dataclass(frozen=True)
class TestKey:
    """An API key created for a test: its bearer headers and the actor id its writes are recorded under."""

    __test__ = False

    headers: dict[str, str]
    actor_id: str
    key_id: str


@pytest.fixture
def create_api_key(db: TestDatabase) -> Callable[..., TestKey]:
    """Create a key in the test transaction."""

    def factory(
        role: str | Role = Role.REGIONAL_ADMIN,
        districts: list[str] | None = None,
        person_id: str | None = None,
    ) -> TestKey:
        with db.session() as session:
            issued = create_key(
                session.connection(),
                secret=TEST_SECRET,
                role=Role(role),
                district_ids=districts or [],
                person_id=person_id,
                label="test",
            )
            session.commit()
        return TestKey({"Authorization": f"Bearer {issued.key}"}, issued.actor_id, issued.key_id)

    return factory


@pytest.fixture
def admin_headers(create_api_key: Callable[..., TestKey]) -> dict[str, str]:
    return create_api_key(Role.REGIONAL_ADMIN).headers


@pytest.fixture
async def registry_client(
    make_client: Callable[[str], httpx.AsyncClient],
) -> AsyncIterator[httpx.AsyncClient]:
    async with make_client("registry") as client:
        yield client


@pytest.fixture
async def workshops_client(
    make_client: Callable[[str], httpx.AsyncClient],
) -> AsyncIterator[httpx.AsyncClient]:
    async with make_client("workshops") as client:
        yield client


@pytest.fixture
async def reporting_client(
    make_client: Callable[[str], httpx.AsyncClient],
) -> AsyncIterator[httpx.AsyncClient]:
    async with make_client("reporting") as client:
        yield client
