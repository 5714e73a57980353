"""Districts: CRUD by regional administrators only, ETags, GeoJSON, population, municipalities, events."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest
from sqlmodel import Session

from services.registry.districts.schemas import DistrictFeature, DistrictFeatureCollection
from shared.eventlog import read_stream
from tests.conftest import TestKey
from tests.registry.conftest import SQUARE, create_district, event_count, unique

pytestmark = pytest.mark.anyio


async def test_create_get_and_events(
    registry_client: httpx.AsyncClient, admin_headers: dict[str, str], session: Session
) -> None:
    response = await registry_client.post(
        "/districts",
        json={
            "name": "Forlì",
            "regional_code": "038",
            "province": "FC",
            "health_authority": "AUSL della Romagna",
            "population": [{"year": 2016, "population": 187641}],
            "boundary": SQUARE,
        },
        headers={**admin_headers, "Idempotency-Key": "d-1"},
    )
    assert response.status_code == 201, response.text
    created = response.json()
    assert response.headers["location"] == f"/districts/{created['id']}"
    assert response.headers["etag"] == '"2"'
    assert created["population"] == [{"year": 2016, "population": 187641}]
    replay = await registry_client.post(
        "/districts",
        json={
            "name": "Forlì",
            "regional_code": "038",
            "province": "FC",
            "health_authority": "AUSL della Romagna",
            "population": [{"year": 2016, "population": 187641}],
            "boundary": SQUARE,
        },
        headers={**admin_headers, "Idempotency-Key": "d-1"},
    )
    assert replay.status_code == 201 and replay.json()["id"] == created["id"]

    got = await registry_client.get(f"/districts/{created['id']}")
    assert got.status_code == 200
    assert got.json()["boundary"] == SQUARE and got.json()["regional_code"] == "038"
    stream = read_stream(session, "district", created["id"])
    assert [e.type for e in stream] == ["district.created", "district.population_set"]
    assert stream[0].payload["boundary"] == SQUARE
    assert stream[0].district_id == created["id"]


async def test_geojson_feature(registry_client: httpx.AsyncClient, admin_headers: dict[str, str]) -> None:
    district = await create_district(registry_client, admin_headers, boundary=SQUARE, regional_code="099")
    response = await registry_client.get(
        f"/districts/{district['id']}", headers={"Accept": "application/geo+json"}
    )
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/geo+json")
    feature = response.json()
    assert feature["type"] == "Feature"
    assert feature["geometry"] == SQUARE
    assert feature["properties"]["name"] == district["name"]
    assert feature["properties"]["regional_code"] == "099"
    listing = await registry_client.get(
        "/districts", params={"q": district["name"]}, headers={"Accept": "application/geo+json"}
    )
    assert listing.json()["type"] == "FeatureCollection"
    assert [f["id"] for f in listing.json()["features"]] == [district["id"]]


async def test_geojson_operations_answer_what_geojson_pydantic_reads(
    registry_client: httpx.AsyncClient, admin_headers: dict[str, str]
) -> None:
    """The typed GeoJSON operations (one media type each) give the same Feature as Accept negotiation."""
    district = await create_district(registry_client, admin_headers, boundary=SQUARE, regional_code="098")
    one = await registry_client.get(f"/districts/{district['id']}.geojson")
    assert one.status_code == 200, one.text
    assert one.headers["content-type"].startswith("application/geo+json")
    assert one.headers["etag"] == f'"{district["version"]}"'
    feature = DistrictFeature.model_validate(one.json())
    assert feature.geometry is not None and feature.geometry.type == "Polygon"
    assert feature.properties is not None and feature.properties.regional_code == "098"
    negotiated = await registry_client.get(
        f"/districts/{district['id']}", headers={"Accept": "application/geo+json"}
    )
    assert negotiated.json() == one.json()
    page = await registry_client.get("/districts.geojson", params={"q": district["name"]})
    assert page.status_code == 200 and page.headers["content-type"].startswith("application/geo+json")
    collection = DistrictFeatureCollection.model_validate(page.json())
    assert [f.id for f in collection.features] == [district["id"]]
    missing = await registry_client.get("/districts/00000000-0000-0000-0000-000000000000.geojson")
    assert missing.status_code == 404


async def test_update_with_if_match(
    registry_client: httpx.AsyncClient, admin_headers: dict[str, str], session: Session
) -> None:
    district = await create_district(registry_client, admin_headers)
    stale = await registry_client.patch(
        f"/districts/{district['id']}",
        json={"valid_to": "2018-12-31"},
        headers={**admin_headers, "If-Match": '"7"'},
    )
    assert stale.status_code == 412
    ok = await registry_client.patch(
        f"/districts/{district['id']}",
        json={"valid_to": "2018-12-31"},
        headers={**admin_headers, "If-Match": '"1"'},
    )
    assert ok.status_code == 200, ok.text
    assert ok.headers["etag"] == '"2"' and ok.json()["valid_to"] == "2018-12-31"
    assert read_stream(session, "district", district["id"])[-1].payload == {
        "district_id": district["id"],
        "changes": {"valid_to": "2018-12-31"},
    }
    backwards = await registry_client.patch(
        f"/districts/{district['id']}", json={"valid_from": "2019-01-01"}, headers=admin_headers
    )
    assert backwards.status_code == 422


async def test_population_boundary_and_municipalities(
    registry_client: httpx.AsyncClient, admin_headers: dict[str, str], session: Session
) -> None:
    district = await create_district(registry_client, admin_headers)
    population = await registry_client.put(
        f"/districts/{district['id']}/population",
        json={"year": 2017, "population": 1000},
        headers=admin_headers,
    )
    assert population.status_code == 200 and population.json()["population"] == [
        {"year": 2017, "population": 1000}
    ]
    boundary = await registry_client.put(
        f"/districts/{district['id']}/boundary", json={"boundary": SQUARE}, headers=admin_headers
    )
    assert boundary.status_code == 200 and boundary.json()["has_boundary"] is True
    union = await registry_client.post(
        f"/districts/{district['id']}/municipalities",
        json={"name": "Unione dei Comuni della Bassa Romagna", "kind": "union"},
        headers=admin_headers,
    )
    assert union.status_code == 201, union.text
    again = await registry_client.post(
        f"/districts/{district['id']}/municipalities",
        json={"name": "Unione dei Comuni della Bassa Romagna", "kind": "union"},
        headers=admin_headers,
    )
    assert again.status_code == 409
    got = (await registry_client.get(f"/districts/{district['id']}")).json()
    assert [m["name"] for m in got["municipalities"]] == ["Unione dei Comuni della Bassa Romagna"]
    types = [e.type for e in read_stream(session, "district", district["id"])]
    assert types == [
        "district.created",
        "district.population_set",
        "district.boundary_set",
        "district.municipality_added",
    ]
    assert got["version"] == 4


@pytest.mark.parametrize(
    "boundary",
    [
        {"type": "Point", "coordinates": [11.0, 44.0]},
        {"type": "Polygon", "coordinates": [[[500.0, 44.0], [11.1, 44.0], [11.1, 44.1]]]},
        {"type": "Polygon", "coordinates": [[11.0, 44.0]]},
        {"type": "Polygon", "coordinates": "x"},
        {"type": "Polygon", "coordinates": [[[11.0, 44.0], [11.1, 44.0], [11.1, 44.1], [11.0, 44.1]]]},
    ],
)
async def test_bad_geometry_is_422(
    registry_client: httpx.AsyncClient, admin_headers: dict[str, str], boundary: object
) -> None:
    response = await registry_client.post(
        "/districts", json={"name": unique("Bad"), "boundary": boundary}, headers=admin_headers
    )
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"


RING = [[11.0, 44.0], [11.1, 44.0], [11.1, 44.1], [11.0, 44.1], [11.0, 44.0]]


async def test_geometry_bounds_are_the_documented_ones(
    registry_client: httpx.AsyncClient, admin_headers: dict[str, str]
) -> None:
    """Each level's documented maxItems (positions per ring, rings per polygon, polygons) is what is refused."""
    document = (await registry_client.get("/openapi.json")).json()
    polygon, multipolygon = document["components"]["schemas"]["Geometry"]["properties"]["coordinates"][
        "anyOf"
    ]
    positions_max, rings_max, polygons_max = (
        polygon["items"]["maxItems"],
        polygon["maxItems"],
        multipolygon["maxItems"],
    )
    long_ring = [[11, 44]] * (positions_max + 1)  # compact integers: the body stays under the 1 MiB limit
    cases = [
        ({"type": "Polygon", "coordinates": [RING] * rings_max}, 201),
        ({"type": "Polygon", "coordinates": [RING] * (rings_max + 1)}, 422),
        ({"type": "MultiPolygon", "coordinates": [[RING]] * (polygons_max + 1)}, 422),
        ({"type": "Polygon", "coordinates": [long_ring]}, 422),
    ]
    for boundary, status in cases:
        response = await registry_client.post(
            "/districts", json={"name": unique("Bounds"), "boundary": boundary}, headers=admin_headers
        )
        assert response.status_code == status, response.text[:500]


async def test_only_regional_admins_write_districts(
    registry_client: httpx.AsyncClient,
    admin_headers: dict[str, str],
    create_api_key: Callable[..., TestKey],
    session: Session,
) -> None:
    district = await create_district(registry_client, admin_headers)
    editor = create_api_key("district_editor", districts=[district["id"]])
    before = event_count(session)
    attempts = [
        registry_client.post("/districts", json={"name": unique("X")}, headers=editor.headers),
        registry_client.patch(
            f"/districts/{district['id']}", json={"valid_to": "2020-01-01"}, headers=editor.headers
        ),
        registry_client.put(
            f"/districts/{district['id']}/population",
            json={"year": 2016, "population": 1},
            headers=editor.headers,
        ),
        registry_client.post(
            f"/districts/{district['id']}/municipalities",
            json={"name": "Lugo", "kind": "municipality"},
            headers=editor.headers,
        ),
    ]
    for attempt in attempts:
        assert (await attempt).status_code == 403
    assert (await registry_client.post("/districts", json={"name": unique("X")})).status_code == 401
    assert event_count(session) == before


async def test_unknown_district_404_and_bad_id_422(registry_client: httpx.AsyncClient) -> None:
    missing = await registry_client.get("/districts/00000000-0000-0000-0000-000000000000")
    assert missing.status_code == 404
    assert (await registry_client.get("/districts/not-a-uuid")).status_code == 422


async def test_list_is_paginated(registry_client: httpx.AsyncClient, admin_headers: dict[str, str]) -> None:
    prefix = unique("Pagina")
    for index in range(3):
        await create_district(registry_client, admin_headers, name=f"{prefix} {index}")
    first = await registry_client.get("/districts", params={"q": prefix, "limit": 2})
    assert [d["name"] for d in first.json()["items"]] == [f"{prefix} 0", f"{prefix} 1"]
    assert 'rel="next"' in first.headers["link"]
    second = await registry_client.get(
        "/districts", params={"q": prefix, "limit": 2, "cursor": first.json()["next_cursor"]}
    )
    assert [d["name"] for d in second.json()["items"]] == [f"{prefix} 2"]
    assert second.json()["next_cursor"] is None


async def test_null_on_a_required_field_is_a_422_and_changes_nothing(
    registry_client: httpx.AsyncClient, admin_headers: dict[str, str], session: Session
) -> None:
    district = await create_district(registry_client, admin_headers)
    before = event_count(session)
    response = await registry_client.patch(
        f"/districts/{district['id']}", json={"name": None, "valid_to": "2018-12-31"}, headers=admin_headers
    )
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert [e["path"] for e in response.json()["errors"]] == ["body.name"]
    assert event_count(session) == before
    assert (await registry_client.get(f"/districts/{district['id']}")).json()["name"] == district["name"]
    cleared = await registry_client.patch(
        f"/districts/{district['id']}", json={"health_authority": None}, headers=admin_headers
    )
    assert cleared.status_code == 200, cleared.text
    assert cleared.json()["health_authority"] is None


@pytest.mark.parametrize("on", ["0001-01-01", "9999-12-31", "1899-12-31"])
async def test_out_of_range_dates_in_queries_are_422(registry_client: httpx.AsyncClient, on: str) -> None:
    response = await registry_client.get("/districts", params={"on": on})
    assert response.status_code == 422
    assert response.json()["errors"][0]["path"] == "query.on"
