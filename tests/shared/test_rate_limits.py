"""Rate limits: anonymous callers per address and each key on its own budget; 429 with Retry-After."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from services.registry.app import create_app
from shared.auth.principal import Role

pytestmark = pytest.mark.anyio


@pytest.fixture
async def limited(settings: Any, db: Any) -> AsyncIterator[httpx.AsyncClient]:
    limits = {"rate_limit_anonymous_per_minute": 3, "rate_limit_key_per_minute": 5}
    app = create_app(settings=settings.model_copy(update=limits), database=db)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://registry.test"
    ) as client:
        yield client


async def test_anonymous_reads_over_the_limit_get_429_with_retry_after(limited: httpx.AsyncClient) -> None:
    answers = [await limited.get("/districts") for _ in range(4)]
    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    assert answers[0].headers["ratelimit-policy"] == '"anonymous";q=3;w=60'
    assert answers[0].headers["ratelimit"].startswith('"anonymous";r=2;')
    refused = answers[3]
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert refused.json()["status"] == 429
    assert 1 <= int(refused.headers["retry-after"]) <= 20
    assert refused.headers["x-request-id"]
    assert (await limited.get("/healthz")).status_code == 200


async def test_each_key_has_its_own_budget(limited: httpx.AsyncClient, create_api_key: Any) -> None:
    first, second = create_api_key(Role.REGIONAL_ADMIN), create_api_key(Role.REGIONAL_ADMIN)
    statuses = [(await limited.get("/districts", headers=first.headers)).status_code for _ in range(6)]
    assert statuses == [200] * 5 + [429]
    assert (await limited.get("/districts", headers=second.headers)).status_code == 200
    assert (await limited.get("/districts")).status_code == 200  # anonymous budget untouched


async def test_no_limit_by_default(registry_client: httpx.AsyncClient) -> None:
    for _ in range(30):
        response = await registry_client.get("/districts")
        assert response.status_code == 200
    assert "ratelimit" not in response.headers
