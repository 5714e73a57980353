"""Access control across districts, over every route of the three OpenAPI documents.

A world is built through the APIs for two districts A and B (one object of every kind each, see world.py).
Then, as a district_editor key of A, every write route (POST/PUT/PATCH/DELETE) is called with its path ids
and body id fields pointing at B's objects and the rest of the body from the route's OpenAPI example: the
answer must be 403 (or 404 where B's object is hidden), never 2xx, and no event may be written. Routes that
are not district-scoped (programmes, webhook subscriptions, ...) must refuse a district editor of A too.
New routes are covered automatically: the parametrisation is read from the documents at collection time.

Anonymous callers (and integration keys) must never see personal data: every GET route is called with the
ids of both worlds and the responses are scanned for the people's recognisable names, emails and phones.

The world is built once per module in a transaction rolled back at the end; each test runs in a savepoint.
"""

from __future__ import annotations

import copy
import importlib
import tempfile
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import Connection, Engine
from sqlmodel import Session

from shared.auth.keys import create_key
from shared.auth.principal import Role
from shared.clients.asgi_bridge import ASGIBridgeTransport
from shared.clients.registry import RegistryClient
from shared.clients.workshops import WorkshopsClient
from shared.config import OidcIssuer, Settings
from shared.errors import PROBLEM_MEDIA_TYPE
from shared.eventlog import last_position
from tests.api.openapi_walk import Operation, body_example, openapi_documents, operations
from tests.api.world import (
    SENTINELS,
    World,
    build_world,
    fill_ids,
    fill_path,
    kind_of_field,
    known_kinds,
    path_values,
)
from tests.conftest import TEST_SECRET, TestDatabase

pytestmark = pytest.mark.anyio

DOCUMENTS = openapi_documents(Path(tempfile.mkdtemp(prefix="communitylab-openapi-")))
KNOWN = known_kinds(DOCUMENTS)
WRITE_OPERATIONS = [op for op in operations(DOCUMENTS) if op.is_write]
READ_OPERATIONS = [op for op in operations(DOCUMENTS) if op.method == "get"]


# --- the world, built once per module -------------------------------------------------------------------


@pytest.fixture(scope="module")
def world_connection(engine: Engine) -> Iterator[Connection]:
    conn = engine.connect()
    transaction = conn.begin()
    try:
        yield conn
    finally:
        transaction.rollback()
        conn.close()


@pytest.fixture(scope="module")
def world_db(engine: Engine, world_connection: Connection) -> TestDatabase:
    return TestDatabase(engine, world_connection)


def _key(db: TestDatabase, role: Role, districts: list[str] | None = None) -> dict[str, str]:
    with db.session() as session:
        issued = create_key(
            session.connection(),
            secret=TEST_SECRET,
            role=role,
            district_ids=districts or [],
            label="isolation",
        )
        session.commit()
    return {"Authorization": f"Bearer {issued.key}"}


@pytest.fixture(scope="module")
async def clients(settings: Settings, world_db: TestDatabase) -> AsyncIterator[dict[str, httpx.AsyncClient]]:
    # The issuer of the identity-linking example, so the world holds a linked sign-in identity too.
    settings = settings.model_copy(
        update={
            "oidc_issuers": [OidcIssuer(issuer="https://sso.example/realms/communitylab", audience="api")]
        }
    )

    def build(service: str, *, nested: bool = False) -> Any:
        module = importlib.import_module(f"services.{service}.app")
        kwargs: dict[str, Any] = {}
        if service == "workshops":
            kwargs["registry"] = RegistryClient(
                "http://registry.test",
                transport=ASGIBridgeTransport(build("registry", nested=True)),
                cache_seconds=0,
            )
        if service == "registry" and not nested:
            # The registry asks workshops which people a facilitator's workshops need (shared.privacy).
            kwargs["workshops"] = WorkshopsClient(
                "http://workshops.test", transport=ASGIBridgeTransport(build("workshops", nested=True))
            )
        return module.create_app(settings=settings, database=world_db, **kwargs)

    built = {
        service: httpx.AsyncClient(
            transport=httpx.ASGITransport(app=build(service)), base_url=f"http://{service}.test"
        )
        for service in DOCUMENTS
    }
    yield built
    for client in built.values():
        await client.aclose()


@pytest.fixture(scope="module")
async def worlds(clients: dict[str, httpx.AsyncClient], world_db: TestDatabase) -> dict[str, World]:
    admin = _key(world_db, Role.REGIONAL_ADMIN)

    def participant(person_id: str) -> dict[str, str]:
        with world_db.session() as session:
            issued = create_key(
                session.connection(),
                secret=TEST_SECRET,
                role=Role.INTEGRATION,
                person_id=person_id,
                label="isolation participant",
            )
            session.commit()
        return {"Authorization": f"Bearer {issued.key}"}

    return {
        label: await build_world(label, clients, DOCUMENTS, admin, salt=salt, participant=participant)
        for salt, label in enumerate(("A", "B"))
    }


@pytest.fixture
def savepoint(world_connection: Connection) -> Iterator[Session]:
    """Each test's writes are undone, so one test's (wrongly) accepted write cannot hide another's."""
    nested = world_connection.begin_nested()
    session = Session(bind=world_connection, join_transaction_mode="create_savepoint")
    try:
        yield session
    finally:
        session.close()
        if nested.is_active:
            nested.rollback()


def _world_report(world: World) -> str:
    created = ", ".join(f"{kind}" for kind, _, _ in world.created) or "nothing"
    failures = "\n".join(f"    {route}: {error}" for route, error in sorted(world.failures.items()))
    return f"world {world.label} created: {created}\n  creation failures:\n{failures or '    none'}"


def _missing_path_kinds(op: Operation, world: World) -> list[str]:
    missing = []
    for param in op.parameters:
        if param["in"] == "path":
            kind = kind_of_field(param["name"], KNOWN)
            if kind not in world.ids:
                missing.append(f"{param['name']} ({kind})")
    return missing


def _every_path(op: Operation, ids: dict[str, str]) -> list[str]:
    """The path filled with the world's ids, once per value of each enum path parameter (``{dataset}``)."""
    paths = [op.path]
    for param in op.parameters:
        if param["in"] != "path":
            continue
        kind = kind_of_field(param["name"], KNOWN)
        if kind is None:
            values = path_values(param, DOCUMENTS[op.service])
        else:
            values = [ids[kind]] if kind in ids else []
        if not values:
            return []
        paths = [path.replace("{" + param["name"] + "}", value) for path in paths for value in values]
    return paths


# --- the world itself -----------------------------------------------------------------------------------


async def test_the_world_has_an_object_of_every_kind(worlds: dict[str, World]) -> None:
    problems = []
    for world in worlds.values():
        missing = sorted(KNOWN - set(world.all_ids))
        if missing:
            problems.append(f"world {world.label} lacks: {', '.join(missing)}\n{_world_report(world)}")
    assert not problems, "\n".join(problems)
    assert worlds["A"].district_id != worlds["B"].district_id


# --- writes across districts --------------------------------------------------------------------------------


@pytest.mark.parametrize("op", WRITE_OPERATIONS, ids=[op.label for op in WRITE_OPERATIONS])
async def test_district_editor_of_a_cannot_write_district_b(
    op: Operation,
    worlds: dict[str, World],
    clients: dict[str, httpx.AsyncClient],
    world_db: TestDatabase,
    savepoint: Session,
) -> None:
    world_b = worlds["B"]
    ids = world_b.ids_for(op, KNOWN)
    path = fill_path(op, ids, KNOWN, DOCUMENTS[op.service])
    if path is None:
        pytest.fail(
            f"{op.label}: cannot be exercised, district B has no object for "
            f"{', '.join(_missing_path_kinds(op, world_b))}\n{_world_report(world_b)}"
        )
    editor_a = _key(world_db, Role.DISTRICT_EDITOR, [worlds["A"].district_id])
    headers = dict(editor_a)
    if op.method in ("put", "patch", "delete") or any(
        p["in"] == "header" and p["name"].lower() == "if-match" for p in op.parameters
    ):
        headers["If-Match"] = "*"
    body = None
    if op.spec.get("requestBody"):
        example = body_example(DOCUMENTS[op.service], op)
        body = fill_ids(copy.deepcopy(example), ids, KNOWN, fill_empty=True, world=world_b)
    before = last_position(savepoint)
    response = await clients[op.service].request(op.method.upper(), path, json=body, headers=headers)
    written = last_position(savepoint) - before
    assert response.status_code in (403, 404) and written == 0, (
        f"{op.label} as district_editor of A on B's objects answered {response.status_code} "
        f"and wrote {written} event(s); expected 403/404 and nothing written.\n"
        f"request: {op.method.upper()} {path} body={body}\nresponse: {response.text[:800]}"
    )
    assert response.headers["content-type"] == PROBLEM_MEDIA_TYPE
    if response.status_code == 404:
        # A 404 proves isolation only if the objects exist: the same request by an admin must find them.
        admin = _key(world_db, Role.REGIONAL_ADMIN)
        control = await clients[op.service].request(
            op.method.upper(), path, json=body, headers={**headers, **admin}
        )
        assert control.status_code != 404, (
            f"{op.label} not exercised: a regional admin gets 404 too, so B's objects were not found.\n"
            f"request: {op.method.upper()} {path} body={body}\nresponse: {control.text[:800]}"
        )


# --- personal data never reaches anonymous readers -------------------------------------------------------------


async def test_people_were_created_with_recognisable_personal_data(
    worlds: dict[str, World], clients: dict[str, httpx.AsyncClient], world_db: TestDatabase
) -> None:
    """Positive control: an admin reading a person sees the sentinels, so the scan below can find them."""
    admin = _key(world_db, Role.REGIONAL_ADMIN)
    person_reads = [op for op in READ_OPERATIONS if op.path.rstrip("/").endswith("{person_id}")]
    assert person_reads, "no GET route reads a person by id"
    for world in worlds.values():
        assert "person" in world.ids, _world_report(world)
        op = person_reads[0]
        response = await clients[op.service].get(
            fill_path(op, world.ids_for(op, KNOWN), KNOWN, DOCUMENTS[op.service]) or "", headers=admin
        )
        assert response.status_code == 200, response.text
        assert all(sentinel.lower() in response.text.lower() for sentinel in SENTINELS), response.text


@pytest.mark.parametrize("caller", ["anonymous", "integration"])
async def test_anonymous_and_integration_reads_never_contain_personal_data(
    caller: str, worlds: dict[str, World], clients: dict[str, httpx.AsyncClient], world_db: TestDatabase
) -> None:
    headers = _key(world_db, Role.INTEGRATION) if caller == "integration" else {}
    leaks: list[str] = []
    uncovered: list[str] = []
    answered = 0
    for op in READ_OPERATIONS:
        for world in worlds.values():
            ids = world.ids_for(op, KNOWN)
            paths = _every_path(op, ids)
            if not paths:
                missing = ", ".join(_missing_path_kinds(op, world))
                uncovered.append(f"{op.label} (world {world.label} lacks {missing})")
                continue
            params = {
                p["name"]: ids[kind]
                for p in op.parameters
                if p["in"] == "query" and (kind := kind_of_field(p["name"], KNOWN)) in ids
            }
            for path in paths:
                response = await clients[op.service].get(path, params=params, headers=headers)
                answered += response.status_code == 200
                text = response.text.lower()
                found = [s for s in SENTINELS if s.lower() in text]
                if found:
                    leaks.append(f"{op.label} [{path}] -> {response.status_code} shows {found}")
    assert not leaks, f"personal data shown to {caller} callers:\n" + "\n".join(leaks)
    assert not uncovered, "GET routes the scan could not reach:\n" + "\n".join(sorted(set(uncovered)))
    assert answered > 0
