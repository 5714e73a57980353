"""Dates far outside the programme's time and numbers sent as text or booleans are 422 naming the field."""

from __future__ import annotations

import pytest
from sqlmodel import Session

from shared.eventlog import last_position
from tests.workshops_processes.conftest import World

pytestmark = pytest.mark.anyio


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("starts_at", "0001-01-01T00:00:00+01:00"),
        ("starts_at", "9999-12-31T23:00:00Z"),
        ("ends_at", "9999-12-31T23:59:59+14:00"),
        ("starts_at", "1899-12-31T23:00:00Z"),
    ],
)
async def test_out_of_range_times_are_422_with_the_field_and_write_nothing(
    world: World, session: Session, field: str, value: str
) -> None:
    district = await world.district()
    process = await world.process(district)
    before = last_position(session)
    response = await world.schedule(process["id"], **{field: value})
    assert response.status_code == 422, response.text
    paths = [error["path"] for error in response.json()["errors"]]
    assert f"body.{field}" in paths
    assert last_position(session) == before


@pytest.mark.parametrize("capacity", ["1", "40", True, 1.5])
async def test_numbers_are_strict(world: World, capacity: object) -> None:
    district = await world.district()
    process = await world.process(district)
    response = await world.schedule(process["id"], capacity=capacity)
    assert response.status_code == 422, response.text
    assert response.json()["errors"][0]["path"] == "body.capacity"
    accepted = await world.schedule(process["id"], capacity=40)
    assert accepted.status_code == 201, accepted.text


@pytest.mark.parametrize("as_of", ["0001-01-01T00:00:00+01:00", "9999-12-31T23:00:00Z"])
async def test_out_of_range_query_times_are_422(world: World, as_of: str) -> None:
    district = await world.district()
    process = await world.process(district)
    response = await world.client.get(f"/processes/{process['id']}", params={"as_of": as_of})
    assert response.status_code == 422, response.text
    assert response.json()["errors"][0]["path"] == "query.as_of"


async def test_out_of_range_calendar_bounds_are_422(world: World) -> None:
    district = await world.district()
    for name in ("from", "to"):
        response = await world.client.get(
            f"/districts/{district}/calendar", params={name: "9999-12-31T23:00:00Z"}
        )
        assert response.status_code == 422, response.text
        assert response.json()["errors"][0]["path"] == f"query.{name}"
