"""`communitylab seed`: the region's 38 districts, loaded idempotently with stable ids."""

from __future__ import annotations

import csv

import httpx
import pytest
from sqlmodel import Session

from services.cli import build_parser
from services.registry.districts.service import DATA_DIR, seed_districts, seeded_district_id
from shared.eventlog import read_all
from tests.registry.conftest import event_count

pytestmark = pytest.mark.anyio


def test_seed_creates_38_districts_then_changes_nothing(session: Session) -> None:
    before = event_count(session)
    first = seed_districts(session=session)
    assert (first.created, first.updated, first.unchanged) == (38, 0, 0)
    after_first = event_count(session)
    # one district.created and one district.population_set per district
    assert after_first - before == 76
    second = seed_districts(session=session)
    assert (second.created, second.updated, second.unchanged) == (0, 0, 38)
    assert event_count(session) == after_first


async def test_seeded_districts_keep_blank_codes_and_carry_boundaries(
    registry_client: httpx.AsyncClient, session: Session
) -> None:
    seed_districts(session=session)
    session.commit()
    with (DATA_DIR / "districts_emilia_romagna.csv").open(encoding="utf-8") as handle:
        rows = {row["name"]: row for row in csv.DictReader(handle)}
    piacenza = await registry_client.get(f"/districts/{seeded_district_id('Città di Piacenza')}")
    assert piacenza.status_code == 200
    assert piacenza.json()["regional_code"] is None  # blank in the source: never invented
    assert piacenza.json()["health_authority"] == "AUSL Piacenza"
    forli = (await registry_client.get(f"/districts/{seeded_district_id('Forlì')}")).json()
    assert forli["regional_code"] == rows["Forlì"]["regional_code"] == "038"
    assert forli["population"] == [{"year": 2016, "population": 187641}]
    assert forli["boundary"]["type"] in ("Polygon", "MultiPolygon")
    listing = await registry_client.get("/districts", params={"limit": 100})
    seeded = {str(seeded_district_id(name)) for name in rows}
    assert seeded <= {d["id"] for d in listing.json()["items"]}
    total = sum(
        p["population"] for d in listing.json()["items"] if d["id"] in seeded for p in d["population"]
    )
    assert total == 4_446_354
    created = [e for e in read_all(session, types=["district.created"], limit=1000) if e.stream_id in seeded]
    assert len(created) == 38
    assert all(e.payload["boundary"] is not None for e in created)


def test_seed_command_is_registered() -> None:
    args = build_parser().parse_args(["seed"])
    assert args.func.__name__ == "cmd_seed"
