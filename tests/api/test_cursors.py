"""Pagination cursors are signed and bound to their list: forged, altered or reused-elsewhere cursors are 422."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from tests.registry.conftest import create_district, unique

pytestmark = pytest.mark.anyio


async def _first_page(client: httpx.AsyncClient, headers: dict[str, str]) -> tuple[str, str]:
    prefix = unique("Cursore")
    for index in range(3):
        await create_district(client, headers, name=f"{prefix} {index}")
    first = await client.get("/districts", params={"q": prefix, "limit": 2})
    assert first.status_code == 200
    cursor = first.json()["next_cursor"]
    assert cursor
    return prefix, cursor


def _assert_cursor_refused(response: httpx.Response) -> None:
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["errors"][0]["path"] == "query.cursor"


async def test_the_issued_cursor_gives_the_next_page(
    registry_client: httpx.AsyncClient, admin_headers: dict[str, str]
) -> None:
    prefix, cursor = await _first_page(registry_client, admin_headers)
    # The page size may change between pages; the filters may not.
    second = await registry_client.get("/districts", params={"q": prefix, "limit": 5, "cursor": cursor})
    assert [d["name"] for d in second.json()["items"]] == [f"{prefix} 2"]


async def test_a_hand_made_cursor_is_refused(
    registry_client: httpx.AsyncClient, admin_headers: dict[str, str]
) -> None:
    prefix, _ = await _first_page(registry_client, admin_headers)
    forged = base64.urlsafe_b64encode(json.dumps([f"{prefix} 0", "0"]).encode()).decode().rstrip("=")
    for cursor in (forged, forged + ".AAAAAAAAAAAAAAAAAAAAAAAA", "x", "."):
        response = await registry_client.get("/districts", params={"q": prefix, "cursor": cursor})
        _assert_cursor_refused(response)


async def test_an_altered_cursor_is_refused(
    registry_client: httpx.AsyncClient, admin_headers: dict[str, str]
) -> None:
    prefix, cursor = await _first_page(registry_client, admin_headers)
    payload, signature = cursor.split(".")
    values = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    values[0] = f"{prefix} 9"
    altered = base64.urlsafe_b64encode(json.dumps(values).encode()).decode().rstrip("=")
    response = await registry_client.get(
        "/districts", params={"q": prefix, "cursor": f"{altered}.{signature}"}
    )
    _assert_cursor_refused(response)


async def test_a_cursor_reused_with_other_filters_or_on_another_list_is_refused(
    registry_client: httpx.AsyncClient, admin_headers: dict[str, str]
) -> None:
    prefix, cursor = await _first_page(registry_client, admin_headers)
    other_filter = await registry_client.get("/districts", params={"q": prefix + "x", "cursor": cursor})
    _assert_cursor_refused(other_filter)
    no_filter = await registry_client.get("/districts", params={"cursor": cursor})
    _assert_cursor_refused(no_filter)
    other_list = await registry_client.get(
        "/organisations", params={"q": prefix, "cursor": cursor}, headers=admin_headers
    )
    _assert_cursor_refused(other_list)


async def test_cursors_hold_across_instances_with_the_same_secret_only(
    make_client: Callable[..., httpx.AsyncClient],
    settings: Any,
    db: Any,
    registry_client: httpx.AsyncClient,
    admin_headers: dict[str, str],
) -> None:
    from services.registry.app import create_app

    prefix, cursor = await _first_page(registry_client, admin_headers)
    params = {"q": prefix, "limit": 2, "cursor": cursor}
    twin = create_app(settings=settings, database=db)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=twin), base_url="http://twin.test"
    ) as client:
        assert (await client.get("/districts", params=params)).status_code == 200
    stranger = create_app(settings=settings.model_copy(update={"secret_key": "another-secret"}), database=db)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=stranger), base_url="http://x.test"
    ) as client:
        _assert_cursor_refused(await client.get("/districts", params=params))
