"""Factories of the participation tests, through the registry's and the workshops' APIs (one test transaction)."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest

from shared.auth.principal import Role
from tests.conftest import TestKey

_counter = itertools.count(1)
ROME = ZoneInfo("Europe/Rome")


def today() -> date:
    """Today where phases are dated."""
    return datetime.now(ROME).date()


def open_phase(**extra: Any) -> dict[str, Any]:
    """A phase open to proposals from ten days ago to ten days from now."""
    return {
        "name": "Raccolta delle proposte",
        "starts_on": (today() - timedelta(days=10)).isoformat(),
        "ends_on": (today() + timedelta(days=10)).isoformat(),
        "is_current": True,
        "open_to_proposals": True,
    } | extra


@dataclass
class Citizen:
    """A registry person taking part, with a key linked to them."""

    person_id: str
    headers: dict[str, str]


@dataclass
class Place:
    """A district with an admin, an editor, the registry and workshops clients."""

    registry: httpx.AsyncClient
    workshops: httpx.AsyncClient
    create_key: Callable[..., TestKey]
    admin: dict[str, str]
    district_id: str = ""
    editor: dict[str, str] = field(default_factory=dict)
    udp_body: str | None = None

    async def setup(self) -> Place:
        response = await self.registry.post(
            "/districts", json={"name": f"Distretto partecipato {next(_counter)}"}, headers=self.admin
        )
        assert response.status_code == 201, response.text
        self.district_id = response.json()["id"]
        self.editor = self.create_key(Role.DISTRICT_EDITOR, [self.district_id]).headers
        return self

    async def person(self, given_name: str = "Anna") -> str:
        response = await self.registry.post(
            "/people",
            json={
                "given_name": given_name,
                "family_name": f"Rossi {next(_counter)}",
                "actor_category": "citizen",
                "district_ids": [self.district_id],
            },
            headers=self.admin,
        )
        assert response.status_code == 201, response.text
        return str(response.json()["id"])

    async def citizen(self, given_name: str = "Anna") -> Citizen:
        person_id = await self.person(given_name)
        return Citizen(person_id, self.create_key(Role.INTEGRATION, person_id=person_id).headers)

    async def planner(self) -> Citizen:
        """A member of the district's Ufficio di Piano (no editor rights)."""
        planner = await self.citizen("Paola")
        if self.udp_body is None:
            body = await self.registry.post(
                "/bodies",
                json={"district_id": self.district_id, "kind": "ufficio_di_piano", "name": "UdP"},
                headers=self.admin,
            )
            assert body.status_code == 201, body.text
            self.udp_body = body.json()["id"]
        member = await self.registry.post(
            f"/bodies/{self.udp_body}/members",
            json={"person_id": planner.person_id, "role": "staff", "valid_from": "2020-01-01"},
            headers=self.admin,
        )
        assert member.status_code == 201, member.text
        return planner

    async def process(self, phases: list[dict[str, Any]] | None = None, **settings: Any) -> str:
        response = await self.workshops.post(
            "/processes",
            json={
                "district_id": self.district_id,
                "title": f"Piano di zona {next(_counter)}",
                "status": "active",
                "phases": [open_phase()] if phases is None else phases,
            },
            headers=self.editor,
        )
        assert response.status_code == 201, response.text
        process_id = str(response.json()["id"])
        if settings:
            put = await self.workshops.put(
                f"/processes/{process_id}/participation", json=settings, headers=self.editor
            )
            assert put.status_code == 200, put.text
        return process_id

    async def propose(
        self, process_id: str, citizen: Citizen, title: str = "Un pulmino per le frazioni", **extra: Any
    ) -> dict[str, Any]:
        body = {"title": title, "body": "Servizio di **trasporto** sociale.", "theme": "reti_vive"} | extra
        response = await self.workshops.post(
            f"/processes/{process_id}/proposals", json=body, headers=citizen.headers
        )
        assert response.status_code == 201, response.text
        return dict(response.json())


@pytest.fixture
async def place(
    registry_client: httpx.AsyncClient,
    workshops_client: httpx.AsyncClient,
    create_api_key: Callable[..., TestKey],
    admin_headers: dict[str, str],
) -> Place:
    return await Place(registry_client, workshops_client, create_api_key, admin_headers).setup()
