"""Factories of the outcomes tests, all through the APIs.

Registry objects (districts, people, organisations, governance memberships) are created through the real
registry app; processes, editions and workshops through the workshops app; the workshops app reaches the
registry over its in-process HTTP bridge on the same test transaction (``workshops_client``).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
import pytest

DEFAULT_TEMPLATE_ID = "e7869feb-8e08-5124-b619-27931bc0d591"

_counter = itertools.count(1)


@dataclass
class RegistryFactory:
    """Creates registry objects through the registry's API."""

    client: httpx.AsyncClient
    admin: dict[str, str]
    bodies: dict[tuple[str, str], str] = field(default_factory=dict)

    async def _post(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        response = await self.client.post(path, json=body, headers=self.admin)
        assert response.status_code == 201, (path, response.text)
        return dict(response.json())

    async def district(self, name: str = "Distretto di prova") -> str:
        """A district; its id."""
        return str((await self._post("/districts", {"name": f"{name} {next(_counter)}"}))["id"])

    async def person(self, district_id: str, actor_category: str = "citizen") -> str:
        """A person of a district; their id."""
        body = {
            "given_name": "Anna",
            "family_name": f"Rossi {next(_counter)}",
            "actor_category": actor_category,
            "district_ids": [district_id],
        }
        return str((await self._post("/people", body))["id"])

    async def organisation(self, district_id: str) -> str:
        """An organisation serving a district; its id."""
        body = {
            "name": f"Cooperativa {next(_counter)}",
            "kind": "social_cooperative",
            "district_ids": [district_id],
        }
        return str((await self._post("/organisations", body))["id"])

    async def membership(
        self,
        district_id: str,
        person_id: str,
        role: str,
        valid_from: date = date(2020, 1, 1),
        valid_to: date | None = None,
    ) -> None:
        """``role`` is ``<body_kind>:<role>``, e.g. ``ufficio_di_piano:staff``; the body is made once."""
        kind, member_role = role.split(":", 1)
        if (district_id, kind) not in self.bodies:
            body = await self._post("/bodies", {"district_id": district_id, "kind": kind, "name": kind})
            self.bodies[(district_id, kind)] = str(body["id"])
        await self._post(
            f"/bodies/{self.bodies[(district_id, kind)]}/members",
            {
                "person_id": person_id,
                "role": member_role,
                "valid_from": valid_from.isoformat(),
                "valid_to": valid_to.isoformat() if valid_to else None,
            },
        )


@pytest.fixture
def outcomes_client(workshops_client: httpx.AsyncClient) -> httpx.AsyncClient:
    """The workshops app, wired to the real in-process registry."""
    return workshops_client


@pytest.fixture
def registry(registry_client: httpx.AsyncClient, admin_headers: dict[str, str]) -> RegistryFactory:
    return RegistryFactory(registry_client, admin_headers)


@pytest.fixture
def create_process(outcomes_client: httpx.AsyncClient, admin_headers: dict[str, str]) -> Callable[..., Any]:
    """A process of a district inside a Community Lab edition; returns its ids."""

    async def factory(
        district_id: str, *, title: str = "Percorso partecipato", edition_id: str | None = None
    ) -> dict[str, str]:
        """A new edition is made unless ``edition_id`` is given (the district joins it if needed)."""
        if edition_id is None:
            programme = await outcomes_client.post(
                "/programmes", json={"name": "Community Lab"}, headers=admin_headers
            )
            assert programme.status_code == 201, programme.text
            edition = await outcomes_client.post(
                f"/programmes/{programme.json()['id']}/editions",
                json={"name": "Community Lab 2026", "district_ids": [district_id]},
                headers=admin_headers,
            )
            assert edition.status_code == 201, edition.text
            edition_id = str(edition.json()["id"])
        else:
            joined = await outcomes_client.post(
                f"/editions/{edition_id}/districts", json={"district_id": district_id}, headers=admin_headers
            )
            assert joined.status_code in (200, 201, 409), joined.text
        process = await outcomes_client.post(
            "/processes",
            json={"district_id": district_id, "edition_id": edition_id, "title": title},
            headers=admin_headers,
        )
        assert process.status_code == 201, process.text
        return {"id": process.json()["id"], "district_id": district_id, "edition_id": edition_id}

    return factory


@pytest.fixture
def create_workshop(outcomes_client: httpx.AsyncClient, admin_headers: dict[str, str]) -> Callable[..., Any]:
    """A workshop of a process with a method; returns its ids."""

    async def factory(
        process: dict[str, str],
        method: str = "open_space_technology",
        facilitator_ids: list[str] | None = None,
    ) -> dict[str, str]:
        starts = datetime(2026, 3, 1, 9, tzinfo=UTC) + timedelta(days=next(_counter))
        response = await outcomes_client.post(
            f"/processes/{process['id']}/workshops",
            json={
                "method": method,
                "title": f"Laboratorio {method}",
                "starts_at": starts.isoformat(),
                "ends_at": (starts + timedelta(hours=3)).isoformat(),
                "facilitator_ids": facilitator_ids or [],
            },
            headers=admin_headers,
        )
        assert response.status_code == 201, response.text
        return {
            "id": response.json()["id"],
            "process_id": process["id"],
            "district_id": process["district_id"],
        }

    return factory


@pytest.fixture
def create_invention(outcomes_client: httpx.AsyncClient) -> Callable[..., Any]:
    """Create an invention through the API and return its body."""

    async def factory(headers: dict[str, str], process_id: str, **fields: Any) -> dict[str, Any]:
        body = {
            "process_id": process_id,
            "title": "Sportello di prossimità",
            "description": "Un punto di ascolto nei quartieri",
            "kind": "service_organisation",
            "theme": "oltre_i_servizi",
        } | fields
        response = await outcomes_client.post("/inventions", json=body, headers=headers)
        assert response.status_code == 201, response.text
        return dict(response.json())

    return factory


@pytest.fixture
def create_priority(outcomes_client: httpx.AsyncClient) -> Callable[..., Any]:
    """Propose a priority through the API and return its body."""

    async def factory(headers: dict[str, str], district_id: str, **fields: Any) -> dict[str, Any]:
        body = {
            "district_id": district_id,
            "source": "ufficio_di_piano",
            "title": "Contrastare la solitudine degli anziani",
        } | fields
        response = await outcomes_client.post("/priorities", json=body, headers=headers)
        assert response.status_code == 201, response.text
        return dict(response.json())

    return factory


async def process_history(
    client: httpx.AsyncClient, process_id: str, headers: dict[str, str]
) -> list[dict[str, Any]]:
    """Every event of ``GET /processes/{id}/history``, following the cursor."""
    events: list[dict[str, Any]] = []
    cursor = None
    while True:
        params = {"limit": 500} | ({"cursor": cursor} if cursor else {})
        response = await client.get(f"/processes/{process_id}/history", params=params, headers=headers)
        assert response.status_code == 200, response.text
        events.extend(response.json()["items"])
        cursor = response.json()["next_cursor"]
        if not cursor:
            return events
