"""Supervision and regional lab figures in the dashboard and open data: counts only, no person, no note."""

from __future__ import annotations

import csv
import io

import httpx
import pytest
from sqlmodel import Session

from services.reporting.consumer import catch_up
from tests.reporting.conftest import EventScript
from tests.reporting.opendata_world import SUPERVISION_NOTE, build_region

pytestmark = pytest.mark.anyio


async def test_supervision_and_lab_counts_per_edition_and_district(
    session: Session, script: EventScript, reporting_client: httpx.AsyncClient
) -> None:
    edition = build_region(script, session)
    dashboard = await reporting_client.get("/dashboard", params={"edition": edition["E1"]})
    assert dashboard.status_code == 200, dashboard.text
    body = dashboard.json()
    assert [
        (s["edition_id"], s["district_id"], s["sessions"], s["cases"], s["notes"])
        for s in body["supervisions"]
    ] == [(edition["E1"], edition["A"], 1, 1, 2)]
    (lab,) = body["regional_labs"]
    assert (lab["meetings"], lab["groups"], lab["participants"]) == (2, 2, 3)
    assert (lab["district_director"], lab["ufficio_di_piano_head"], lab["ctss_office"], lab["tutor"]) == (
        1,
        1,
        1,
        0,
    )
    assert (lab["first_meeting_on"], lab["last_meeting_on"]) == ("2018-11-05", "2019-02-11")
    # Another edition's dashboard shows none of them; the region's shows them all.
    other = (await reporting_client.get("/dashboard", params={"edition": edition["E0"]})).json()
    assert other["supervisions"] == [] and other["regional_labs"] == []
    region = (await reporting_client.get("/dashboard")).json()
    assert len(region["supervisions"]) == 1 and len(region["regional_labs"]) == 1

    texts = {
        d: (await reporting_client.get(f"/opendata/{d}.csv")).text
        for d in ("supervision_figures", "lab_figures")
    }
    (row,) = list(csv.DictReader(io.StringIO(texts["supervision_figures"])))
    assert (row["district_id"], row["sessions"], row["cases"], row["notes"]) == (edition["A"], "1", "1", "2")
    (lab_row,) = list(csv.DictReader(io.StringIO(texts["lab_figures"])))
    assert (lab_row["meetings"], lab_row["participants"], lab_row["district_director"]) == ("2", "3", "1")
    everything = "".join(texts.values()) + dashboard.text
    for person in ("supervisor", "lab_director"):
        assert edition[person] not in everything
    assert SUPERVISION_NOTE not in everything


async def test_a_session_without_cases_counts_for_its_edition(
    session: Session, script: EventScript, reporting_client: httpx.AsyncClient
) -> None:
    edition = build_region(script, session)
    lonely = "6f0e1d2c-3b4a-4958-8776-655443322110"
    script.emit(
        "supervision",
        lonely,
        "supervision.scheduled",
        {
            "supervision_id": lonely,
            "held_on": "2019-05-02",
            "edition_id": edition["E1"],
            "supervisor_ids": [],
        },
    )
    catch_up(session)
    rows = (await reporting_client.get("/dashboard", params={"edition": edition["E1"]})).json()[
        "supervisions"
    ]
    assert sorted(
        (r["district_id"], r["sessions"], r["cases"]) for r in rows if r["district_id"] is None
    ) == [(None, 1, 0)]
