"""Factories of the knowledge tests (manual and case library): the processes tests' world plus an edition."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest

from tests.conftest import TestKey
from tests.workshops_processes.conftest import World


class KnowledgeWorld(World):
    """The processes world with a programme edition to publish the manual for."""

    async def edition(self, name: str = "Community Lab 2018-2019") -> dict[str, Any]:
        programme = await self.client.post(
            "/programmes", json={"name": f"Community Lab {name}"}, headers=self.admin
        )
        assert programme.status_code == 201, programme.text
        response = await self.client.post(
            f"/programmes/{programme.json()['id']}/editions", json={"name": name}, headers=self.admin
        )
        assert response.status_code == 201, response.text
        return dict(response.json())


@pytest.fixture
async def world(
    make_client: Callable[..., httpx.AsyncClient],
    admin_headers: dict[str, str],
    create_api_key: Callable[..., TestKey],
) -> AsyncIterator[KnowledgeWorld]:
    async with make_client("workshops") as client, make_client("registry") as registry:
        yield KnowledgeWorld(client, registry, admin_headers, create_api_key)
