"""Factories of the attachments tests: a workshops app with its own data dir and limits, and a district with
a process, a workshop, a restitution event and an invention, all made through the APIs."""

from __future__ import annotations

import importlib
import io
import itertools
import zipfile
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from shared.auth.principal import Role
from shared.clients.asgi_bridge import ASGIBridgeTransport
from shared.clients.registry import RegistryClient
from shared.config import Settings
from tests.conftest import TestDatabase, TestKey

_counter = itertools.count(1)

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
)
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xff\xd9"
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
TEXT = "Verbale del laboratorio: presenti 23, tre tavoli, più idee che sedie.\n".encode()
CSV = b"tavolo,idee\nfragilita,4\nabitare,3\n"


def odt() -> bytes:
    """A minimal OpenDocument text: a zip whose first entry ``mimetype`` names it."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(
            "mimetype", "application/vnd.oasis.opendocument.text", compress_type=zipfile.ZIP_STORED
        )
        archive.writestr("content.xml", "<office:document-content/>")
    return buffer.getvalue()


def docx() -> bytes:
    """A minimal Word document: ``[Content_Types].xml`` declaring the main document part."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "[Content_Types].xml",
            '<Types><Override PartName="/word/document.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>',
        )
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


def plain_zip() -> bytes:
    """A zip that is neither ODT nor DOCX."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "ciao")
    return buffer.getvalue()


@dataclass
class Place:
    """A district with a process, a workshop, a restitution event, an invention, and keys of its people."""

    workshops: httpx.AsyncClient
    registry: httpx.AsyncClient
    create_key: Callable[..., TestKey]
    admin: dict[str, str]
    data_dir: Path
    district_id: str = ""
    edition_id: str = ""
    process_id: str = ""
    workshop_id: str = ""
    restitution_id: str = ""
    invention_id: str = ""
    facilitator_id: str = ""
    editor: dict[str, str] = field(default_factory=dict)
    facilitator: dict[str, str] = field(default_factory=dict)

    async def _post(self, client: httpx.AsyncClient, path: str, body: dict[str, Any]) -> dict[str, Any]:
        response = await client.post(path, json=body, headers=self.admin)
        assert response.status_code == 201, (path, response.text)
        return dict(response.json())

    async def setup(self) -> Place:
        number = next(_counter)
        district = await self._post(self.registry, "/districts", {"name": f"Distretto allegati {number}"})
        self.district_id = str(district["id"])
        person = await self._post(
            self.registry,
            "/people",
            {
                "given_name": "Franca",
                "family_name": f"Facilitatrice {number}",
                "actor_category": "social_worker",
                "district_ids": [self.district_id],
            },
        )
        self.facilitator_id = str(person["id"])
        await self._post(
            self.registry,
            "/facilitators",
            {"person_id": self.facilitator_id, "kind": "facilitator", "district_ids": [self.district_id]},
        )
        self.editor = self.create_key(Role.DISTRICT_EDITOR, [self.district_id]).headers
        self.facilitator = self.create_key(Role.FACILITATOR, person_id=self.facilitator_id).headers
        programme = await self._post(self.workshops, "/programmes", {"name": f"Community Lab {number}"})
        edition = await self._post(
            self.workshops,
            f"/programmes/{programme['id']}/editions",
            {"name": "Community Lab 2026", "district_ids": [self.district_id]},
        )
        self.edition_id = str(edition["id"])
        process = await self._post(
            self.workshops,
            "/processes",
            {
                "district_id": self.district_id,
                "edition_id": self.edition_id,
                "title": "Piano di zona",
                "status": "active",
            },
        )
        self.process_id = str(process["id"])
        self.workshop_id = await self.workshop("open_space_technology", [self.facilitator_id])
        self.restitution_id = await self.workshop("restitution_event")
        invention = await self._post(
            self.workshops,
            "/inventions",
            {
                "process_id": self.process_id,
                "title": "Sportello di prossimità",
                "kind": "service_organisation",
                "theme": "oltre_i_servizi",
            },
        )
        self.invention_id = str(invention["id"])
        return self

    async def workshop(self, method: str, facilitator_ids: list[str] | None = None) -> str:
        starts = datetime(2026, 3, 1, 9, tzinfo=UTC) + timedelta(days=next(_counter))
        workshop = await self._post(
            self.workshops,
            f"/processes/{self.process_id}/workshops",
            {
                "method": method,
                "title": f"Laboratorio {method}",
                "starts_at": starts.isoformat(),
                "ends_at": (starts + timedelta(hours=3)).isoformat(),
                "facilitator_ids": facilitator_ids or [],
            },
        )
        return str(workshop["id"])

    async def upload(
        self,
        path: str,
        data: bytes,
        *,
        filename: str = "file.bin",
        content_type: str = "application/octet-stream",
        headers: dict[str, str] | None = None,
        **fields: Any,
    ) -> httpx.Response:
        """A multipart upload of ``data`` to ``path`` (by the district's editor unless told otherwise)."""
        form = {
            key: str(value).lower() if isinstance(value, bool) else str(value)
            for key, value in fields.items()
        }
        return await self.workshops.post(
            path,
            files={"file": (filename, data, content_type)},
            data=form,
            headers=self.editor if headers is None else headers,
        )

    def stored_files(self) -> list[Path]:
        """The files in the local storage."""
        root = self.data_dir / "attachments"
        return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


@pytest.fixture
async def make_workshops(
    settings: Settings, db: TestDatabase, tmp_path: Path
) -> AsyncIterator[Callable[..., httpx.AsyncClient]]:
    """A workshops client whose settings have a data dir of the test's own, plus ``overrides``."""
    clients: list[httpx.AsyncClient] = []

    def factory(**overrides: Any) -> httpx.AsyncClient:
        own = settings.model_copy(update={"data_dir": str(tmp_path / "data"), **overrides})
        registry_app = importlib.import_module("services.registry.app").create_app(settings=own, database=db)
        registry = RegistryClient(
            "http://registry.test", transport=ASGIBridgeTransport(registry_app), cache_seconds=0
        )
        app = importlib.import_module("services.workshops.app").create_app(
            settings=own, database=db, registry=registry
        )
        client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://workshops.test")
        client.app = app  # type: ignore[attr-defined]
        clients.append(client)
        return client

    yield factory
    for client in clients:
        await client.aclose()


@pytest.fixture
async def place(
    make_workshops: Callable[..., httpx.AsyncClient],
    registry_client: httpx.AsyncClient,
    create_api_key: Callable[..., TestKey],
    admin_headers: dict[str, str],
    tmp_path: Path,
) -> Place:
    client = make_workshops(attachment_max_bytes=64 * 1024)
    return await Place(client, registry_client, create_api_key, admin_headers, tmp_path / "data").setup()


def with_client(place: Place, client: httpx.AsyncClient) -> Place:
    """The same place seen through another workshops app (other settings, same database)."""
    place.workshops = client
    return place
