"""shared.api.resources: a resource dependency checks 401, the row-free right, 404, the row right, then 412.

A small app with one versioned "note" resource: an admin-only route (``before``) and a district-scoped one
(``authorise``); the principal comes from a test header and the session is not used by the loader.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from typing import Annotated, Any

import httpx
import pytest
from fastapi import Depends, FastAPI, Header, Request, Response
from pydantic import BaseModel

from shared.api.etag import set_etag
from shared.api.problems import install_error_handlers
from shared.api.resources import Edit, for_edit, resource
from shared.auth.principal import ANONYMOUS, Principal, Role
from shared.deps import get_principal, get_session
from shared.errors import NotFoundError, UnauthorizedError

pytestmark = pytest.mark.anyio

DISTRICT_A, DISTRICT_B = str(uuid.uuid4()), str(uuid.uuid4())


@dataclass
class Note:
    id: uuid.UUID
    district_id: str
    version: int


NOTES = {n.id: n for n in (Note(uuid.uuid4(), DISTRICT_A, 3), Note(uuid.uuid4(), DISTRICT_B, 1))}
LOADED: list[uuid.UUID] = []


def load_note(session: Any, note_id: uuid.UUID) -> Note:
    LOADED.append(note_id)
    if note_id not in NOTES:
        raise NotFoundError(f"note {note_id} does not exist")
    return NOTES[note_id]


NoteForEdit = Annotated[
    Edit[Note],
    Depends(
        for_edit(
            "note_id", load_note, authorise=lambda s, p, note: p.require_district_editor(note.district_id)
        )
    ),
]
NoteForAdmin = Annotated[Edit[Note], Depends(for_edit("note_id", load_note, before=Principal.require_admin))]
NoteForRead = Annotated[Note, Depends(resource("note_id", load_note))]


class Change(BaseModel):
    text: str


def fake_principal(request: Request, x_role: Annotated[str | None, Header()] = None) -> Principal:
    if x_role is None:
        if request.method != "GET":
            raise UnauthorizedError("Changes need an API key")
        return ANONYMOUS
    return Principal(actor_id="tester", role=Role(x_role), district_ids=frozenset({DISTRICT_A}))


async def no_session() -> AsyncIterator[None]:
    yield None


def make_app() -> FastAPI:
    app = FastAPI()
    install_error_handlers(app)
    app.dependency_overrides[get_principal] = fake_principal
    app.dependency_overrides[get_session] = no_session

    @app.patch("/notes/{note_id}")
    def edit_note(note: NoteForEdit, payload: Change, response: Response) -> dict[str, Any]:
        set_etag(response, note.expected_version + 1)
        return {"id": str(note.row.id), "expected": note.expected_version, "text": payload.text}

    @app.post("/notes/{note_id}/archive")
    def archive_note(note: NoteForAdmin, response: Response) -> dict[str, Any]:
        set_etag(response, note.expected_version + 1)
        return {"expected": note.expected_version}

    @app.get("/notes/{note_id}")
    def read_note(note: NoteForRead, response: Response) -> dict[str, Any]:
        set_etag(response, note.version)
        return {"district_id": note.district_id}

    return app


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=make_app())
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        yield client


@pytest.fixture(autouse=True)
def _clear_loads() -> Iterator[None]:
    LOADED.clear()
    yield


def _note(district: str) -> uuid.UUID:
    return next(n.id for n in NOTES.values() if n.district_id == district)


EDITOR = {"X-Role": Role.DISTRICT_EDITOR.value}
ADMIN = {"X-Role": Role.REGIONAL_ADMIN.value}


async def test_edit_gives_the_row_and_the_version_if_match_names(client: httpx.AsyncClient) -> None:
    note = _note(DISTRICT_A)
    response = await client.patch(f"/notes/{note}", json={"text": "x"}, headers={**EDITOR, "If-Match": '"3"'})
    assert response.status_code == 200, response.text
    assert response.json() == {"id": str(note), "expected": 3, "text": "x"}
    assert response.headers["ETag"] == '"4"'


async def test_anonymous_write_is_401_before_the_row_is_looked_up(client: httpx.AsyncClient) -> None:
    response = await client.patch(f"/notes/{uuid.uuid4()}", json={"text": "x"})
    assert response.status_code == 401
    assert LOADED == []


async def test_missing_row_is_404_and_another_district_403(client: httpx.AsyncClient) -> None:
    missing = await client.patch(f"/notes/{uuid.uuid4()}", json={"text": "x"}, headers=EDITOR)
    assert missing.status_code == 404
    assert missing.headers["content-type"] == "application/problem+json"
    other = await client.patch(f"/notes/{_note(DISTRICT_B)}", json={"text": "x"}, headers=EDITOR)
    assert other.status_code == 403


async def test_before_refuses_without_loading_the_row(client: httpx.AsyncClient) -> None:
    refused = await client.post(f"/notes/{uuid.uuid4()}/archive", headers=EDITOR)
    assert refused.status_code == 403
    assert LOADED == []
    missing = await client.post(f"/notes/{uuid.uuid4()}/archive", headers=ADMIN)
    assert missing.status_code == 404


async def test_stale_if_match_is_412_only_after_the_rights_and_the_body(client: httpx.AsyncClient) -> None:
    note = _note(DISTRICT_A)
    stale = {**EDITOR, "If-Match": '"2"'}
    assert (await client.patch(f"/notes/{note}", json={"text": "x"}, headers=stale)).status_code == 412
    # The body is validated before the route reads the expected version: a bad body is still a 422.
    assert (await client.patch(f"/notes/{note}", json={"text": 5}, headers=stale)).status_code == 422
    # Another district's row is refused before If-Match is compared.
    other = await client.patch(f"/notes/{_note(DISTRICT_B)}", json={"text": "x"}, headers=stale)
    assert other.status_code == 403
    assert (
        await client.post(f"/notes/{note}/archive", headers={**ADMIN, "If-Match": "*"})
    ).status_code == 200


async def test_resource_without_if_match_reads_the_row(client: httpx.AsyncClient) -> None:
    note = _note(DISTRICT_B)
    response = await client.get(f"/notes/{note}")
    assert response.status_code == 200 and response.json() == {"district_id": DISTRICT_B}
    assert (await client.get(f"/notes/{uuid.uuid4()}")).status_code == 404


def test_the_dependency_documents_the_path_id_and_if_match_once() -> None:
    operation = make_app().openapi()["paths"]["/notes/{note_id}"]["patch"]
    names = [(p["in"], p["name"]) for p in operation["parameters"]]
    assert sorted(names) == [("header", "If-Match"), ("path", "note_id")]
