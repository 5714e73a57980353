"""Factories for the processes tests: districts and people in the registry, processes and workshops via the API.

The registry is the only home of districts and people: the factories create them through the real registry
API, which the workshops app reaches over its in-process HTTP bridge. ``InMemoryRegistry`` (a RegistryClient
answering from dicts) serves service-level tests that call ``service`` functions without any app.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import httpx
import pytest

from shared.auth.principal import Role
from shared.clients.registry import DistrictRef, PersonRef, RegistryClient
from tests.conftest import TestKey


class InMemoryRegistry(RegistryClient):
    """The registry client's interface answering from dicts, for tests that call services without an app."""

    def __init__(self) -> None:
        super().__init__("http://registry.invalid")
        self.districts: dict[str, DistrictRef] = {}
        self.people: dict[str, PersonRef] = {}

    def get_district(self, district_id: str) -> DistrictRef | None:
        return self.districts.get(str(district_id))

    def get_person(self, person_id: str) -> PersonRef | None:
        return self.people.get(str(person_id))


@dataclass
class World:
    """What the tests build on: the workshops client, an admin, and helpers to create things."""

    client: httpx.AsyncClient
    registry_client: httpx.AsyncClient
    admin: dict[str, str]
    make_key: Callable[..., TestKey]
    keys: dict[str, TestKey] = field(default_factory=dict)

    async def district(self, name: str = "Bassa Romagna") -> str:
        """A district in the registry; its id."""
        response = await self.registry_client.post("/districts", json={"name": name}, headers=self.admin)
        assert response.status_code == 201, response.text
        return str(response.json()["id"])

    async def person(self, district_id: str, actor_category: str = "citizen") -> str:
        """A person in the registry; their id."""
        response = await self.registry_client.post(
            "/people",
            json={
                "given_name": "Anna",
                "family_name": "Rossi",
                "actor_category": actor_category,
                "district_ids": [district_id],
            },
            headers=self.admin,
        )
        assert response.status_code == 201, response.text
        return str(response.json()["id"])

    def editor(self, district_id: str) -> dict[str, str]:
        """Headers of a district editor of ``district_id``."""
        return self.make_key(Role.DISTRICT_EDITOR, districts=[district_id]).headers

    def facilitator(self, person_id: str) -> dict[str, str]:
        """Headers of a facilitator key bound to ``person_id``."""
        return self.make_key(Role.FACILITATOR, person_id=person_id).headers

    async def process(self, district_id: str, **fields: Any) -> dict[str, Any]:
        """A process created through the API (active, started 2015-01-01 unless told otherwise)."""
        body: dict[str, Any] = {
            "district_id": district_id,
            "title": "Aggiungi un posto al tavolo",
            "started_on": "2015-01-01",
            "status": "active",
        }
        body.update(fields)
        response = await self.client.post("/processes", json=body, headers=self.admin)
        assert response.status_code == 201, response.text
        return dict(response.json())

    async def workshop(self, process_id: str, **fields: Any) -> dict[str, Any]:
        """A workshop scheduled through the API."""
        response = await self.schedule(process_id, **fields)
        assert response.status_code == 201, response.text
        return dict(response.json())

    async def schedule(self, process_id: str, **fields: Any) -> httpx.Response:
        """POST a workshop (defaults: a World Café on 20 Feb 2016, 9:00-12:30 Rome time)."""
        body: dict[str, Any] = {
            "method": "world_cafe",
            "title": "World Café",
            "starts_at": "2016-02-20T09:00:00+01:00",
            "ends_at": "2016-02-20T12:30:00+01:00",
        }
        body.update(fields)
        return await self.client.post(f"/processes/{process_id}/workshops", json=body, headers=self.admin)


def day(value: str) -> date:
    """A date from ISO text."""
    return date.fromisoformat(value)


@pytest.fixture
async def world(
    make_client: Callable[..., httpx.AsyncClient],
    admin_headers: dict[str, str],
    create_api_key: Callable[..., TestKey],
) -> AsyncIterator[World]:
    """The workshops app wired to the real registry app, both on the test transaction."""
    async with make_client("workshops") as client, make_client("registry") as registry:
        yield World(client, registry, admin_headers, create_api_key)
