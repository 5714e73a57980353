"""The shared HTTP conventions, exercised through a tiny app built with the same factory as the services.

The probe app's routes follow the pattern every service route follows (creating POST with
``IdempotencyDep``, ETag/If-Match on updates, ``paginate`` on lists), so these tests pin the helpers'
behaviour: replays, 412, cursors, 413, 401/403 as problem+json, and that a denied request writes nothing.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import timedelta
from typing import Annotated, Any
from urllib.parse import parse_qs, urlparse

import httpx
import pytest
from fastapi import APIRouter, Header, Request, Response
from pydantic import BaseModel, ConfigDict
from sqlalchemy import select
from sqlalchemy.orm import registry
from sqlmodel import Session
from sqlmodel import select as sqlmodel_select

from shared.api.etag import etag_for, expected_version_from_if_match, set_etag
from shared.api.idempotency import IdempotencyDep
from shared.api.pagination import CursorQuery, LimitQuery, Page, paginate, set_link_header
from shared.api.schemas import ApiModel, ShortText
from shared.app import create_service_app
from shared.auth.keys import create_key, revoke_key
from shared.auth.principal import Role
from shared.config import Settings
from shared.db import utcnow
from shared.deps import PrincipalDep, SessionDep
from shared.errors import NotFoundError, problem_responses
from shared.eventlog import NewEvent, append, last_position, read_all, read_stream
from shared.eventlog.tables import events
from shared.platform.tables import api_keys
from tests.conftest import TEST_SECRET, TestDatabase, TestKey

pytestmark = pytest.mark.anyio

PROBLEM = "application/problem+json"


class EventRow:
    """The event table mapped as an ORM class so ``paginate`` can order by its columns."""

    position: Any
    event_id: Any
    stream_id: Any
    payload: Any


registry().map_imperatively(EventRow, events)


class ThingCreate(ApiModel):
    """A probe resource owned by a district."""

    district_id: uuid.UUID
    name: ShortText

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"district_id": str(uuid.uuid4()), "name": "Tavolo fragilità"}]},
    )


class ThingRename(ApiModel):
    """A probe update."""

    name: ShortText


class ThingPublic(BaseModel):
    """The probe resource as returned."""

    id: uuid.UUID
    district_id: uuid.UUID
    name: str
    version: int


router = APIRouter()


def _load(session: Session, thing_id: uuid.UUID) -> ThingPublic:
    stream = read_stream(session, "thing", thing_id)
    if not stream:
        raise NotFoundError(f"thing {thing_id} does not exist")
    return ThingPublic(
        id=thing_id,
        district_id=uuid.UUID(stream[0].payload["district_id"]),
        name=stream[-1].payload["name"],
        version=stream[-1].version,
    )


@router.post(
    "/things",
    status_code=201,
    response_model=ThingPublic,
    summary="Create a thing",
    tags=["things"],
    responses=problem_responses(401, 403, 409, 422),
)
def create_thing(
    payload: ThingCreate,
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
    idempotency: IdempotencyDep,
) -> Any:
    """Probe creating POST."""
    principal.require_district_editor(payload.district_id)
    if (replay := idempotency.replay(payload)) is not None:
        return replay
    thing_id = uuid.uuid4()
    append(
        session,
        stream_type="thing",
        stream_id=thing_id,
        expected_version=0,
        events_to_append=[
            NewEvent(
                "thing.created",
                {"thing_id": str(thing_id), "district_id": str(payload.district_id), "name": payload.name},
            )
        ],
        district_id=payload.district_id,
    )
    body = ThingPublic(id=thing_id, district_id=payload.district_id, name=payload.name, version=1)
    return idempotency.created(response, body, location=f"/things/{thing_id}", etag=etag_for(1))


@router.get("/things/{thing_id}", response_model=ThingPublic, summary="Read a thing", tags=["things"])
def get_thing(thing_id: uuid.UUID, response: Response, session: SessionDep) -> Any:
    """Probe read with ETag."""
    thing = _load(session, thing_id)
    set_etag(response, thing.version)
    return thing


@router.put("/things/{thing_id}", response_model=ThingPublic, summary="Rename a thing", tags=["things"])
def rename_thing(
    thing_id: uuid.UUID,
    payload: ThingRename,
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
    if_match: Annotated[str | None, Header(alias="If-Match")] = None,
) -> Any:
    """Probe update honouring If-Match."""
    thing = _load(session, thing_id)
    principal.require_district_editor(thing.district_id)
    expected = expected_version_from_if_match(if_match, thing.version)
    append(
        session,
        stream_type="thing",
        stream_id=thing_id,
        expected_version=expected,
        events_to_append=[NewEvent("thing.renamed", {"thing_id": str(thing_id), "name": payload.name})],
        district_id=thing.district_id,
    )
    set_etag(response, expected + 1)
    return thing.model_copy(update={"name": payload.name, "version": expected + 1})


class ThingSummary(BaseModel):
    """One list item."""

    id: uuid.UUID
    name: str


@router.get("/things", response_model=Page[ThingSummary], summary="List things", tags=["things"])
def list_things(
    request: Request,
    response: Response,
    session: SessionDep,
    district_id: uuid.UUID,
    limit: LimitQuery = 50,
    cursor: CursorQuery = None,
) -> Any:
    """Probe list with cursor pagination."""
    statement = sqlmodel_select(EventRow).where(
        events.c.type == "thing.created", events.c.district_id == str(district_id)
    )
    rows, next_cursor = paginate(
        session,
        statement,
        sort=EventRow.position,
        tiebreak=EventRow.event_id,
        limit=limit,
        cursor=cursor,
    )
    set_link_header(request, response, next_cursor)
    return Page[ThingSummary](
        items=[ThingSummary(id=row.stream_id, name=row.payload["name"]) for row in rows],
        next_cursor=next_cursor,
    )


@router.get("/whoami", summary="Who the key resolves to", tags=["things"])
def whoami(principal: PrincipalDep) -> dict[str, str | None]:
    """Probe read returning the caller."""
    return {"actor_id": principal.actor_id, "role": principal.role}


@pytest.fixture
async def client(settings: Settings, db: TestDatabase) -> AsyncIterator[httpx.AsyncClient]:
    app = create_service_app(
        "probe",
        title="probe",
        description="convention probe",
        routers=[router],
        settings=settings,
        database=db,
    )
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://probe.test") as c:
        yield c


@pytest.fixture
def district() -> str:
    return str(uuid.uuid4())


@pytest.fixture
def editor(create_api_key: Any, district: str) -> TestKey:
    key: TestKey = create_api_key(Role.DISTRICT_EDITOR, districts=[district])
    return key


def _thing_events(session: Session, district: str) -> list[Any]:
    return [
        e for e in read_all(session, after=0, limit=10_000, district_id=district) if e.stream_type == "thing"
    ]


def _assert_problem(response: httpx.Response, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == PROBLEM
    body: dict[str, Any] = response.json()
    assert body["status"] == status
    assert body["type"].startswith("https://")
    assert body["title"]
    assert body["request_id"] == response.headers["x-request-id"]
    return body


# --- idempotency -------------------------------------------------------------------------------------------


async def test_create_returns_201_location_etag_and_records_the_actor(
    client: httpx.AsyncClient, editor: TestKey, district: str, session: Session
) -> None:
    response = await client.post(
        "/things", json={"district_id": district, "name": "A"}, headers=editor.headers
    )
    assert response.status_code == 201, response.text
    thing = response.json()
    assert response.headers["location"] == f"/things/{thing['id']}"
    assert response.headers["etag"] == '"1"'
    [event] = _thing_events(session, district)
    assert event.actor_id == editor.actor_id
    assert event.correlation_id == response.headers["x-request-id"]


async def test_same_idempotency_key_and_body_replays_without_a_second_event(
    client: httpx.AsyncClient, editor: TestKey, district: str, session: Session
) -> None:
    headers = {**editor.headers, "Idempotency-Key": "create-thing-1"}
    body = {"district_id": district, "name": "Tavolo"}
    first = await client.post("/things", json=body, headers=headers)
    second = await client.post("/things", json=body, headers=headers)
    assert first.status_code == second.status_code == 201
    assert second.json() == first.json()
    assert second.headers["location"] == first.headers["location"]
    assert second.headers["etag"] == first.headers["etag"]
    assert second.headers["idempotent-replayed"] == "true"
    assert "idempotent-replayed" not in first.headers
    assert len(_thing_events(session, district)) == 1


async def test_same_idempotency_key_with_another_body_is_422_with_the_header_path(
    client: httpx.AsyncClient, editor: TestKey, district: str, session: Session
) -> None:
    headers = {**editor.headers, "Idempotency-Key": "create-thing-2"}
    first = await client.post("/things", json={"district_id": district, "name": "One"}, headers=headers)
    assert first.status_code == 201
    reused = await client.post("/things", json={"district_id": district, "name": "Two"}, headers=headers)
    problem = _assert_problem(reused, 422)
    assert [e["path"] for e in problem["errors"]] == ["header.Idempotency-Key"]
    assert len(_thing_events(session, district)) == 1


async def test_idempotency_keys_are_scoped_to_the_caller(
    client: httpx.AsyncClient, create_api_key: Any, district: str, session: Session
) -> None:
    body = {"district_id": district, "name": "Same"}
    one = create_api_key(Role.DISTRICT_EDITOR, districts=[district])
    two = create_api_key(Role.DISTRICT_EDITOR, districts=[district])
    first = await client.post("/things", json=body, headers={**one.headers, "Idempotency-Key": "k"})
    second = await client.post("/things", json=body, headers={**two.headers, "Idempotency-Key": "k"})
    assert first.status_code == second.status_code == 201
    assert first.json()["id"] != second.json()["id"]
    assert len(_thing_events(session, district)) == 2


async def test_expired_idempotency_record_is_not_replayed(
    client: httpx.AsyncClient, editor: TestKey, district: str, session: Session
) -> None:
    from shared.platform.tables import idempotency_keys

    headers = {**editor.headers, "Idempotency-Key": "old"}
    body = {"district_id": district, "name": "Old"}
    first = await client.post("/things", json=body, headers=headers)
    session.connection().execute(
        idempotency_keys.update()
        .where(idempotency_keys.c.key == "old")
        .values(expires_at=utcnow() - timedelta(seconds=1))
    )
    session.commit()
    again = await client.post("/things", json=body, headers=headers)
    assert again.status_code == 201
    assert "idempotent-replayed" not in again.headers
    assert again.json()["id"] != first.json()["id"]


# --- ETag / If-Match ---------------------------------------------------------------------------------------


async def test_if_match_mismatch_is_412_and_writes_nothing(
    client: httpx.AsyncClient, editor: TestKey, district: str, session: Session
) -> None:
    created = await client.post(
        "/things", json={"district_id": district, "name": "A"}, headers=editor.headers
    )
    url = created.headers["location"]
    read = await client.get(url)
    assert read.headers["etag"] == '"1"'
    renamed = await client.put(url, json={"name": "B"}, headers={**editor.headers, "If-Match": '"1"'})
    assert renamed.status_code == 200 and renamed.headers["etag"] == '"2"'
    stale = await client.put(url, json={"name": "C"}, headers={**editor.headers, "If-Match": '"1"'})
    problem = _assert_problem(stale, 412)
    assert problem["current_etag"] == '"2"'
    assert [e.type for e in _thing_events(session, district)] == ["thing.created", "thing.renamed"]
    assert (await client.get(url)).json()["name"] == "B"
    weak_and_list = await client.put(
        url, json={"name": "D"}, headers={**editor.headers, "If-Match": 'W/"7", W/"2"'}
    )
    assert weak_and_list.status_code == 200 and weak_and_list.headers["etag"] == '"3"'


# --- pagination --------------------------------------------------------------------------------------------


async def test_cursor_pagination_walks_every_item_once_with_link_headers(
    client: httpx.AsyncClient, editor: TestKey, district: str
) -> None:
    names = [f"thing {i}" for i in range(7)]
    for name in names:
        created = await client.post(
            "/things", json={"district_id": district, "name": name}, headers=editor.headers
        )
        assert created.status_code == 201
    seen: list[str] = []
    url: str | None = f"/things?district_id={district}&limit=3"
    pages = 0
    while url:
        page = await client.get(url)
        assert page.status_code == 200, page.text
        body = page.json()
        seen += [item["name"] for item in body["items"]]
        pages += 1
        if body["next_cursor"]:
            link = page.headers["link"]
            assert link.endswith('>; rel="next"')
            target = urlparse(link[1 : link.index(">")])
            query = parse_qs(target.query)
            assert query["cursor"] == [body["next_cursor"]]
            assert query["limit"] == ["3"] and query["district_id"] == [district]
            url = f"{target.path}?{target.query}"
        else:
            assert "link" not in page.headers
            url = None
    assert seen == names
    assert pages == 3


@pytest.mark.parametrize(
    "cursor",
    [
        "!!!",
        "bm90IGpzb24",  # "not json"
        "eyJhIjogMX0",  # {"a": 1}: not a list
        "WzFd",  # [1]: wrong length
        "WyJ4IiwgIjEyMyJd",  # ["x", "123"]: not a position, not a uuid
        "WyJ4IiwgIjNmYTg1ZjY0LTU3MTctNDU2Mi1iM2ZjLTJjOTYzZjY2YWZhNiJd",  # ["x", <uuid>]: position not int
    ],
)
async def test_malformed_cursor_is_422_on_the_cursor_parameter(
    client: httpx.AsyncClient, district: str, cursor: str
) -> None:
    response = await client.get(f"/things?district_id={district}&cursor={cursor}")
    problem = _assert_problem(response, 422)
    assert [e["path"] for e in problem["errors"]] == ["query.cursor"]


@pytest.mark.parametrize("limit", ["0", "501", "x"])
async def test_out_of_range_limit_is_422(client: httpx.AsyncClient, district: str, limit: str) -> None:
    response = await client.get(f"/things?district_id={district}&limit={limit}")
    problem = _assert_problem(response, 422)
    assert [e["path"] for e in problem["errors"]] == ["query.limit"]


# --- validation, body limit ----------------------------------------------------------------------------------


async def test_validation_errors_name_the_field_path(
    client: httpx.AsyncClient, editor: TestKey, district: str, session: Session
) -> None:
    response = await client.post(
        "/things", json={"district_id": district, "name": "x" * 201, "extra": 1}, headers=editor.headers
    )
    problem = _assert_problem(response, 422)
    assert {e["path"] for e in problem["errors"]} == {"body.name", "body.extra"}
    assert _thing_events(session, district) == []


async def test_body_over_the_limit_is_413_problem_json(
    client: httpx.AsyncClient, editor: TestKey, district: str, settings: Settings, session: Session
) -> None:
    big = {"district_id": district, "name": "x" * (settings.max_body_bytes + 10)}
    response = await client.post("/things", json=big, headers=editor.headers)
    problem = _assert_problem(response, 413)
    assert str(settings.max_body_bytes) in problem["detail"]
    assert _thing_events(session, district) == []


async def test_streamed_body_over_the_limit_is_413_problem_json(
    client: httpx.AsyncClient, editor: TestKey, district: str, settings: Settings, session: Session
) -> None:
    chunk = b"x" * 65536

    async def body() -> AsyncIterator[bytes]:
        yield b'{"district_id": "' + district.encode() + b'", "name": "'
        for _ in range(settings.max_body_bytes // len(chunk) + 2):
            yield chunk
        yield b'"}'

    response = await client.post(
        "/things", content=body(), headers={**editor.headers, "Content-Type": "application/json"}
    )
    _assert_problem(response, 413)
    assert _thing_events(session, district) == []


# --- authentication and authorisation ------------------------------------------------------------------------


@pytest.fixture
def expired_key(db: TestDatabase, district: str) -> Iterator[dict[str, str]]:
    with db.session() as s:
        issued = create_key(
            s.connection(),
            secret=TEST_SECRET,
            role=Role.DISTRICT_EDITOR,
            district_ids=[district],
            expires_at=utcnow() - timedelta(seconds=1),
        )
        s.commit()
    yield {"Authorization": f"Bearer {issued.key}"}


@pytest.fixture
def revoked_key(db: TestDatabase, create_api_key: Any, district: str) -> dict[str, str]:
    key: TestKey = create_api_key(Role.DISTRICT_EDITOR, districts=[district])
    with db.session() as s:
        revoke_key(s.connection(), key.key_id)
        s.commit()
    return key.headers


@pytest.mark.parametrize(
    "case", ["missing", "malformed", "unknown", "wrong-secret-part", "not-bearer", "revoked", "expired"]
)
async def test_write_without_a_valid_key_is_401_problem_and_writes_nothing(
    client: httpx.AsyncClient,
    editor: TestKey,
    expired_key: dict[str, str],
    revoked_key: dict[str, str],
    district: str,
    session: Session,
    case: str,
) -> None:
    real = editor.headers["Authorization"]
    headers = {
        "missing": {},
        "malformed": {"Authorization": "Bearer not-a-key"},
        "unknown": {"Authorization": "Bearer clk_0000000000000000_" + "a" * 43},
        "wrong-secret-part": {"Authorization": real[:-4] + ("aaaa" if not real.endswith("aaaa") else "bbbb")},
        "not-bearer": {"Authorization": real.replace("Bearer", "Basic")},
        "revoked": revoked_key,
        "expired": expired_key,
    }[case]
    before = last_position(session)
    response = await client.post("/things", json={"district_id": district, "name": "A"}, headers=headers)
    problem = _assert_problem(response, 401)
    assert response.headers["www-authenticate"].startswith("Bearer")
    if case in ("revoked", "expired"):
        assert case in problem["detail"]
    assert last_position(session) == before


async def test_bad_key_is_401_even_on_public_reads(
    client: httpx.AsyncClient, revoked_key: dict[str, str]
) -> None:
    assert (await client.get("/whoami")).status_code == 200
    response = await client.get("/whoami", headers=revoked_key)
    _assert_problem(response, 401)


@pytest.mark.parametrize("role", [Role.DISTRICT_EDITOR, Role.FACILITATOR, Role.INTEGRATION])
async def test_key_without_rights_on_the_district_is_403_and_writes_nothing(
    client: httpx.AsyncClient, create_api_key: Any, district: str, session: Session, role: Role
) -> None:
    other_district = str(uuid.uuid4())
    key: TestKey = create_api_key(
        role,
        districts=[other_district] if role is Role.DISTRICT_EDITOR else None,
        person_id=str(uuid.uuid4()) if role is Role.FACILITATOR else None,
    )
    before = last_position(session)
    response = await client.post("/things", json={"district_id": district, "name": "A"}, headers=key.headers)
    _assert_problem(response, 403)
    assert "www-authenticate" not in response.headers
    assert last_position(session) == before


async def test_403_on_update_of_another_districts_resource_writes_nothing(
    client: httpx.AsyncClient, editor: TestKey, create_api_key: Any, district: str, session: Session
) -> None:
    created = await client.post(
        "/things", json={"district_id": district, "name": "A"}, headers=editor.headers
    )
    outsider = create_api_key(Role.DISTRICT_EDITOR, districts=[str(uuid.uuid4())])
    response = await client.put(created.headers["location"], json={"name": "B"}, headers=outsider.headers)
    _assert_problem(response, 403)
    assert len(_thing_events(session, district)) == 1


async def test_admin_may_write_any_district(
    client: httpx.AsyncClient, admin_headers: dict[str, str], district: str
) -> None:
    response = await client.post(
        "/things", json={"district_id": district, "name": "A"}, headers=admin_headers
    )
    assert response.status_code == 201


async def test_last_used_at_is_recorded(client: httpx.AsyncClient, editor: TestKey, session: Session) -> None:
    def last_used() -> Any:
        return (
            session.connection()
            .execute(select(api_keys.c.last_used_at).where(api_keys.c.key_id == editor.key_id))
            .scalar()
        )

    assert last_used() is None
    before = utcnow()
    response = await client.get("/whoami", headers=editor.headers)
    assert response.json() == {"actor_id": editor.actor_id, "role": "district_editor"}
    used = last_used()
    assert used is not None
    assert before - timedelta(seconds=5) <= used <= utcnow() + timedelta(seconds=5)
