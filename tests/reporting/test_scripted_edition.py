"""The scripted edition: diary and dashboard numbers match the script, live and after a full rebuild."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlmodel import Session, select

from services.reporting.consumer import catch_up, rebuild
from services.reporting.models import Checkpoint
from shared.eventlog import last_position
from tests.reporting.conftest import EventScript
from tests.reporting.scripted import DASHBOARD_E1, DIARY_A, Edition, build

pytestmark = pytest.mark.anyio


def assert_diary_a(diary: dict[str, Any]) -> None:
    assert diary["summary"] == DIARY_A["summary"]
    assert diary["workshops"]["by_method"] == DIARY_A["workshops_by_method"]
    assert diary["participation"] == DIARY_A["participation"]
    assert diary["inventions"]["by_theme"] == DIARY_A["inventions_by_theme"]
    assert diary["priorities"]["by_status"] == DIARY_A["priorities_by_status"]
    assert diary["priorities"]["by_outcome"] == DIARY_A["priorities_by_outcome"]
    fiducia = next(q for q in diary["evaluation"]["questions"] if q["question"] == "fiducia")
    relations = next(q for q in diary["evaluation"]["questions"] if q["question"] == "nuove_relazioni")
    assert diary["evaluation"]["responses"] == 2
    assert fiducia["mean"] == 3.0 and fiducia["answers"] == 2
    assert fiducia["distribution"] == {"2": 1, "4": 1}  # a rating question has its distribution too
    assert relations["distribution"] == {"molto": 1, "poco": 1}
    handed = diary["inventions"]["items_by_theme"]["reti_vive"][0]
    assert handed["title"] == "Portierato sociale" and handed["handovers"][0]["on"] == "2019-05-01"
    assert [p["title"] for p in diary["processes"]] == ["Aggiungi un posto al tavolo"]
    assert diary["processes"][0]["identity_card"]["purpose"] == "Coinvolgere la comunità nel Piano di Zona"
    assert "contacts" not in diary["processes"][0]["identity_card"]


def assert_dashboard_e1(dashboard: dict[str, Any], edition: Edition) -> None:
    for key in (
        "districts_total",
        "districts_participating",
        "people_involved",
        "per_10000_residents",
        "people_by_category",
        "workshops_by_method",
        "workshops_by_month",
        "inventions_by_theme",
        "priorities_by_status",
        "priorities_by_outcome",
    ):
        assert dashboard[key] == DASHBOARD_E1[key], key
    rows = {row["id"]: row for row in dashboard["districts"]}
    for name, (people, per_10000, taking_part) in DASHBOARD_E1["per_district"].items():
        row = rows[edition[name]]
        assert (row["people_involved"], row["per_10000_residents"], row["participating"]) == (
            people,
            per_10000,
            taking_part,
        ), name
    comparison = {c["name"]: c for c in dashboard["comparison"]}
    for name, figures in DASHBOARD_E1["comparison"].items():
        for key, value in figures.items():
            assert comparison[name][key] == value, (name, key)
    fiducia = next(q for q in dashboard["evaluation"]["questions"] if q["question"] == "fiducia")
    assert fiducia["mean"] == 3.67 and dashboard["evaluation"]["responses"] == 3


async def reports(client: httpx.AsyncClient, edition: Edition) -> dict[str, Any]:
    """Every report of the scripted edition, as JSON."""
    out: dict[str, Any] = {}
    for name in ("A", "B", "C"):
        response = await client.get(f"/districts/{edition[name]}/diary", params={"edition": edition["E1"]})
        assert response.status_code == 200, response.text
        out[f"diary_{name}"] = response.json()
    for edition_key in ("E0", "E1"):
        response = await client.get("/dashboard", params={"edition": edition[edition_key]})
        assert response.status_code == 200, response.text
        out[f"dashboard_{edition_key}"] = response.json()
    for process in ("PA", "PB", "P0"):
        response = await client.get(f"/processes/{edition[process]}/timeline")
        assert response.status_code == 200, response.text
        out[f"timeline_{process}"] = response.json()
    for dataset in ("districts", "processes", "workshops", "inventions", "priorities"):
        out[f"csv_{dataset}"] = (await client.get(f"/opendata/{dataset}.csv")).text
    return out


async def test_scripted_edition_live_then_rebuilt(
    session: Session, script: EventScript, reporting_client: httpx.AsyncClient
) -> None:
    batches: list[int] = []

    def consume() -> None:
        # Live consumption in small batches between the stages of the script.
        batches.append(catch_up(session, batch_size=7).applied)

    edition = build(script, consume)
    assert sum(batches) == last_position(session) and all(batches)

    live = await reports(reporting_client, edition)
    assert_diary_a(live["diary_A"])
    assert_dashboard_e1(live["dashboard_E1"], edition)
    assert live["diary_B"]["participation"]["per_10000_residents"] == 2.0
    assert live["diary_C"]["summary"]["processes"] == 0

    result = rebuild(session, batch_size=1000)
    assert result.applied == last_position(session)
    rebuilt = await reports(reporting_client, edition)
    assert rebuilt == live
    assert_diary_a(rebuilt["diary_A"])


async def test_replay_does_not_double_count(
    session: Session, script: EventScript, reporting_client: httpx.AsyncClient
) -> None:
    edition = build(script)
    catch_up(session)
    before = await reports(reporting_client, edition)
    # Rewind every checkpoint: every event is applied a second time on top of the existing rows.
    for checkpoint in session.exec(select(Checkpoint)):
        checkpoint.position = 0
    session.flush()
    again = catch_up(session, batch_size=5)
    assert again.applied == last_position(session)
    after = await reports(reporting_client, edition)
    assert after == before
    assert_diary_a(after["diary_A"])


async def test_catch_up_skips_what_it_has_applied(session: Session, script: EventScript) -> None:
    build(script)
    first = catch_up(session)
    assert first.applied == last_position(session) and first.position == last_position(session)
    second = catch_up(session)
    assert second.applied == 0 and second.position == first.position
    positions = {c.projection: c.position for c in session.exec(select(Checkpoint))}
    assert positions == {
        name: first.position
        for name in (
            "catalogue",
            "participation",
            "outcomes",
            "proposals",
            "timeline",
            "architecture",
            "attachments",
            "courses",
            "cases",
            "manual",
            "learning",
        )
    }
