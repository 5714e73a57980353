"""GET /workshops and GET /priorities across districts: filters, cursor pagination, public reads."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest

from tests.workshops_outcomes.conftest import RegistryFactory

pytestmark = pytest.mark.anyio


async def _walk(client: httpx.AsyncClient, path: str, params: dict[str, Any]) -> list[dict[str, Any]]:
    """Every item of a list, page by page (limit 2), following ``next_cursor``."""
    items: list[dict[str, Any]] = []
    cursor: str | None = None
    for _ in range(50):
        response = await client.get(
            path, params={**params, "limit": 2, **({"cursor": cursor} if cursor else {})}
        )
        assert response.status_code == 200, response.text
        body = response.json()
        items += body["items"]
        cursor = body["next_cursor"]
        assert ("Link" in response.headers) == (cursor is not None)
        if cursor is None:
            return items
    raise AssertionError("the list never ended")


async def _schedule(
    client: httpx.AsyncClient, headers: dict[str, str], process_id: str, **fields: Any
) -> dict[str, Any]:
    body = {"method": "world_cafe", "title": "World Café"} | fields
    response = await client.post(f"/processes/{process_id}/workshops", json=body, headers=headers)
    assert response.status_code == 201, response.text
    return dict(response.json())


@pytest.fixture
async def region(
    outcomes_client: httpx.AsyncClient,
    admin_headers: dict[str, str],
    registry: RegistryFactory,
    create_process: Callable[..., Any],
) -> dict[str, Any]:
    """Two districts, a process each (in two editions), workshops in 2018 and 2019 with several methods."""
    a, b = await registry.district("Distretto di Lugo"), await registry.district("Distretto di Correggio")
    pa, pb = await create_process(a), await create_process(b)
    workshops = {
        "a_2018_cafe": await _schedule(
            outcomes_client,
            admin_headers,
            pa["id"],
            starts_at="2018-03-01T09:00:00+01:00",
            ends_at="2018-03-01T12:00:00+01:00",
        ),
        "a_2019_ost": await _schedule(
            outcomes_client,
            admin_headers,
            pa["id"],
            method="open_space_technology",
            starts_at="2019-05-01T09:00:00+02:00",
            ends_at="2019-05-01T12:00:00+02:00",
        ),
        "b_2018_cafe": await _schedule(
            outcomes_client,
            admin_headers,
            pb["id"],
            starts_at="2018-04-01T09:00:00+02:00",
            ends_at="2018-04-01T12:00:00+02:00",
        ),
        # New Year's Eve in Rome is already 2019 there but still 2018 in UTC: it is a 2019 workshop.
        "b_2019_new_year": await _schedule(
            outcomes_client,
            admin_headers,
            pb["id"],
            method="thematic_table",
            starts_at="2018-12-31T23:30:00+00:00",
            ends_at="2019-01-01T01:00:00+00:00",
        ),
    }
    return {"a": a, "b": b, "pa": pa, "pb": pb, "workshops": {k: w["id"] for k, w in workshops.items()}}


def _ids(items: list[dict[str, Any]]) -> list[str]:
    return [item["id"] for item in items]


async def test_workshops_across_districts_by_start_time_for_anonymous_callers(
    outcomes_client: httpx.AsyncClient, region: dict[str, Any]
) -> None:
    w = region["workshops"]
    items = await _walk(outcomes_client, "/workshops", {})
    assert _ids(items) == [w["a_2018_cafe"], w["b_2018_cafe"], w["b_2019_new_year"], w["a_2019_ost"]]
    assert {item["district_id"] for item in items} == {region["a"], region["b"]}


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"district_id": "a"}, ["a_2018_cafe", "a_2019_ost"]),
        ({"district_id": ["a", "b"], "method": "world_cafe"}, ["a_2018_cafe", "b_2018_cafe"]),
        ({"method": ["thematic_table", "open_space_technology"]}, ["b_2019_new_year", "a_2019_ost"]),
        ({"year": 2019}, ["b_2019_new_year", "a_2019_ost"]),
        ({"year": 2018, "district_id": "b"}, ["b_2018_cafe"]),
        ({"process_id": "pb"}, ["b_2018_cafe", "b_2019_new_year"]),
        ({"edition_id": "pa"}, ["a_2018_cafe", "a_2019_ost"]),
        ({"from": "2018-03-15T00:00:00Z", "to": "2019-01-01T00:00:00Z"}, ["b_2018_cafe", "b_2019_new_year"]),
        ({"status": "cancelled"}, ["a_2019_ost"]),
        ({"status": ["planned"], "district_id": "a"}, ["a_2018_cafe"]),
    ],
)
async def test_workshop_filters(
    outcomes_client: httpx.AsyncClient,
    admin_headers: dict[str, str],
    region: dict[str, Any],
    params: dict[str, Any],
    expected: list[str],
) -> None:
    w = region["workshops"]
    cancelled = await outcomes_client.post(
        f"/workshops/{w['a_2019_ost']}/status",
        json={"status": "cancelled", "reason": "Sala non disponibile"},
        headers=admin_headers,
    )
    assert cancelled.status_code == 200, cancelled.text

    def resolve(value: Any) -> Any:
        if isinstance(value, list):
            return [resolve(v) for v in value]
        if value in ("a", "b"):
            return region[value]
        if value in ("pa", "pb"):
            return region[value]["id"]
        return value

    query = {key: resolve(value) for key, value in params.items()}
    if "edition_id" in query:
        query["edition_id"] = region[params["edition_id"]]["edition_id"]
    items = await _walk(outcomes_client, "/workshops", query)
    assert _ids(items) == [w[name] for name in expected]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"year": 1999}, "query.year"),
        ({"method": "karaoke"}, "query.method[0]"),
        ({"district_id": "not-a-uuid"}, "query.district_id[0]"),
        ({"from": "2018-01-01T00:00:00"}, "query.from"),
    ],
)
async def test_bad_filters_are_422_naming_the_parameter(
    outcomes_client: httpx.AsyncClient, params: dict[str, Any], field: str
) -> None:
    response = await outcomes_client.get("/workshops", params=params)
    assert response.status_code == 422, response.text
    assert field in [error["path"] for error in response.json()["errors"]]


async def test_a_cursor_is_bound_to_its_filters(
    outcomes_client: httpx.AsyncClient, region: dict[str, Any]
) -> None:
    first = await outcomes_client.get("/workshops", params={"limit": 1, "year": 2018})
    cursor = first.json()["next_cursor"]
    assert cursor
    reused = await outcomes_client.get("/workshops", params={"limit": 1, "year": 2019, "cursor": cursor})
    assert reused.status_code == 422
    assert [e["path"] for e in reused.json()["errors"]] == ["query.cursor"]


async def test_priorities_across_districts_with_filters(
    outcomes_client: httpx.AsyncClient,
    admin_headers: dict[str, str],
    region: dict[str, Any],
    create_priority: Callable[..., Any],
) -> None:
    a, b, pa, pb = region["a"], region["b"], region["pa"], region["pb"]
    p1 = await create_priority(admin_headers, a, process_id=pa["id"], title="Solitudine degli anziani")
    p2 = await create_priority(admin_headers, b, process_id=pb["id"], title="Casa e abitare")
    p3 = await create_priority(admin_headers, b, title="Trasporti nelle frazioni")
    submitted = await outcomes_client.post(
        f"/priorities/{p2['id']}/submit", json={"year": 2026}, headers=admin_headers
    )
    assert submitted.status_code == 200, submitted.text

    everything = await _walk(outcomes_client, "/priorities", {})
    assert _ids(everything) == [p1["id"], p2["id"], p3["id"]]
    assert everything[1]["state"] == "submitted"
    assert _ids(await _walk(outcomes_client, "/priorities", {"district_id": b})) == [p2["id"], p3["id"]]
    assert _ids(await _walk(outcomes_client, "/priorities", {"process_id": pa["id"]})) == [p1["id"]]
    assert _ids(await _walk(outcomes_client, "/priorities", {"edition_id": pb["edition_id"]})) == [p2["id"]]
    assert _ids(await _walk(outcomes_client, "/priorities", {"state": "proposed"})) == [p1["id"], p3["id"]]
    assert _ids(await _walk(outcomes_client, "/priorities", {"year": 2026})) == [p2["id"]]
    assert _ids(await _walk(outcomes_client, "/priorities", {"year": 2025})) == []
    after_first = {"from": everything[1]["created_at"]}
    assert _ids(await _walk(outcomes_client, "/priorities", after_first)) == [p2["id"], p3["id"]]
    before_second = {"to": everything[1]["created_at"]}
    assert _ids(await _walk(outcomes_client, "/priorities", before_second)) == [p1["id"]]


async def test_the_region_lists_show_what_the_district_lists_show(
    outcomes_client: httpx.AsyncClient,
    admin_headers: dict[str, str],
    region: dict[str, Any],
    create_priority: Callable[..., Any],
) -> None:
    b = region["b"]
    await create_priority(admin_headers, b, title="Casa e abitare")
    await create_priority(admin_headers, b, title="Trasporti nelle frazioni")
    district_priorities = await _walk(outcomes_client, f"/districts/{b}/priorities", {})
    assert await _walk(outcomes_client, "/priorities", {"district_id": b}) == district_priorities
    calendar = await _walk(outcomes_client, f"/districts/{b}/calendar", {})
    assert await _walk(outcomes_client, "/workshops", {"district_id": b}) == calendar
    # A district the registry does not know is an empty page, as on GET /processes?district_id=.
    unknown = "00000000-0000-4000-8000-000000000000"
    for path in ("/workshops", "/priorities"):
        response = await outcomes_client.get(path, params={"district_id": unknown})
        assert response.status_code == 200, response.text
        assert response.json() == {"items": [], "next_cursor": None}
