"""A World Café run end to end through the API: tables, rounds, notes, harvest, pollination, minutes."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

import httpx
import pytest
from sqlmodel import Session

from services.workshops.processes.models import Workshop
from shared.eventlog import read_stream
from tests.conftest import TestKey
from tests.workshops_sessions.conftest import stream_types

pytestmark = pytest.mark.anyio


async def test_world_cafe_end_to_end(
    workshops_client: httpx.AsyncClient,
    session: Session,
    create_workshop: Callable[..., Awaitable[Workshop]],
    create_district: Callable[[], Awaitable[uuid.UUID]],
    create_person: Callable[[uuid.UUID], Awaitable[str]],
    create_api_key: Callable[..., TestKey],
) -> None:
    district = await create_district()
    # Held last week, so its attendance can be taken.
    workshop = await create_workshop(
        method="world_cafe",
        district_id=district,
        title="Caring neighbourhoods",
        starts_at=datetime(2026, 11, 18, 15, 0, tzinfo=UTC),
        ends_at=datetime(2026, 11, 18, 18, 0, tzinfo=UTC),
    )
    later = await create_workshop(method="thematic_table", district_id=district, title="Frailty table")
    editor = create_api_key("district_editor", districts=[str(district)])
    base = f"/workshops/{workshop.id}"
    h = editor.headers

    host = await create_person(district)
    t1 = await workshops_client.post(
        f"{base}/cafe/tables", json={"name": "Table 1", "host_id": host}, headers=h
    )
    assert t1.status_code == 201, t1.text
    assert t1.json()["host_id"] == host
    t2 = await workshops_client.post(
        f"{base}/cafe/tables", json={"name": "Table 2", "theme": "Frailty"}, headers=h
    )
    duplicate = await workshops_client.post(f"{base}/cafe/tables", json={"name": "table 1"}, headers=h)
    assert duplicate.status_code == 409

    r1 = await workshops_client.post(
        f"{base}/cafe/rounds",
        json={"question": "What makes a place caring?", "duration_minutes": 25},
        headers=h,
    )
    r2 = await workshops_client.post(
        f"{base}/cafe/rounds", json={"question": "Who is missing?", "duration_minutes": 20}, headers=h
    )
    assert (r1.json()["number"], r2.json()["number"]) == (1, 2)
    taken = await workshops_client.post(
        f"{base}/cafe/rounds", json={"number": 2, "question": "Again?", "duration_minutes": 20}, headers=h
    )
    assert taken.status_code == 409
    too_long = await workshops_client.post(
        f"{base}/cafe/rounds", json={"question": "Forever?", "duration_minutes": 100000}, headers=h
    )
    assert too_long.status_code == 422

    table1, table2, round1, round2 = (r.json()["id"] for r in (t1, t2, r1, r2))
    for table, cafe_round, text in [
        (table1, round1, "Neighbours know first."),
        (table2, round1, "Services know last."),
        (table1, round2, "The shared map again."),
    ]:
        note = await workshops_client.post(
            f"{base}/cafe/notes",
            json={"table_id": table, "round_id": cafe_round, "text": text, "key_ideas": ["map"]},
            headers=h,
        )
        assert note.status_code == 201, note.text
    foreign = await workshops_client.post(
        f"{base}/cafe/notes", json={"table_id": str(uuid.uuid4()), "round_id": round1, "text": "x"}, headers=h
    )
    assert foreign.status_code == 422
    assert foreign.json()["errors"][0]["path"] == "body.table_id"
    of_table1 = (await workshops_client.get(f"{base}/cafe/notes", params={"table_id": table1})).json()
    assert [n["text"] for n in of_table1] == ["Neighbours know first.", "The shared map again."]

    harvest = await workshops_client.put(
        f"{base}/cafe/harvest",
        json={"text": "One thread: the map.", "key_ideas": ["shared map"], "themes": ["reti vive"]},
        headers=h,
    )
    assert harvest.status_code == 200, harvest.text
    assert (await workshops_client.get(f"{base}/cafe/harvest")).json()["themes"] == ["reti vive"]

    # Cross-pollination: table to table, and on to another workshop.
    inside = await workshops_client.post(
        f"{base}/pollination-links",
        json={
            "from": {"kind": "cafe_table", "id": table1},
            "to": {"kind": "cafe_table", "id": table2},
            "note": "map",
        },
        headers=h,
    )
    assert inside.status_code == 201, inside.text
    assert inside.json()["from"] == {"kind": "cafe_table", "id": table1}
    across = await workshops_client.post(
        f"{base}/pollination-links",
        json={"from": {"kind": "cafe_table", "id": table1}, "to": {"kind": "workshop", "id": str(later.id)}},
        headers=h,
    )
    assert across.status_code == 201
    assert across.json()["to_workshop_id"] == str(later.id)
    wrong_side = await workshops_client.post(
        f"{base}/pollination-links",
        json={"from": {"kind": "workshop", "id": str(later.id)}, "to": {"kind": "cafe_table", "id": table1}},
        headers=h,
    )
    assert wrong_side.status_code == 422
    assert wrong_side.json()["errors"][0]["path"] == "body.from.id"
    into_later = (await workshops_client.get(f"/workshops/{later.id}/pollination-links")).json()
    assert [link["id"] for link in into_later] == [across.json()["id"]]

    # Minutes: the attendance recorded by the processes domain wins over the reported figure.
    put = await workshops_client.put(
        f"{base}/minutes",
        json={"text": "Two rounds.", "attendees_count": 10, "contributions_count": 7},
        headers=h,
    )
    assert put.status_code == 200
    assert put.json()["attendees_count_source"] == "minutes"
    present = [await create_person(district), await create_person(district)]
    attendance = await workshops_client.put(
        f"{base}/attendance", json={"present": present, "anonymous_counts": {"citizen": 9}}, headers=h
    )
    assert attendance.status_code == 200, attendance.text
    shown = (await workshops_client.get(f"{base}/minutes")).json()
    assert (shown["attendees_count"], shown["attendees_count_source"]) == (11, "attendance")
    assert (shown["contributions_count"], shown["contributions_count_source"]) == (7, "minutes")

    # Open Space routes refuse a World Café.
    topic = await workshops_client.post(
        f"{base}/ost/topics", json={"title": "x", "slot_label": "1", "space": "A"}, headers=h
    )
    assert topic.status_code == 409

    assert stream_types(session, workshop.id) == [
        "workshop.scheduled",
        "workshop.cafe_table_added",
        "workshop.cafe_table_added",
        "workshop.cafe_round_added",
        "workshop.cafe_round_added",
        "workshop.cafe_note_added",
        "workshop.cafe_note_added",
        "workshop.cafe_note_added",
        "workshop.cafe_harvest_recorded",
        "workshop.pollination_linked",
        "workshop.pollination_linked",
        "workshop.minutes_recorded",
        "workshop.attendance_recorded",
    ]
    linked = read_stream(session, "workshop", str(workshop.id))[10].payload
    assert linked["from"] == {"kind": "cafe_table", "id": table1}
    assert linked["to_workshop_id"] == str(later.id)
    assert stream_types(session, later.id) == ["workshop.scheduled"]
