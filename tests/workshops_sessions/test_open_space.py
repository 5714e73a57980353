"""An Open Space workshop run end to end through the API: agenda, marketplace, moves, reports, minutes."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from datetime import datetime

import httpx
import pytest
from sqlmodel import Session

from services.workshops.processes.models import Workshop
from shared.eventlog import read_stream
from tests.conftest import TestKey
from tests.workshops_sessions.conftest import STARTS_AT, stream_types

pytestmark = pytest.mark.anyio


async def test_open_space_workshop_end_to_end(
    workshops_client: httpx.AsyncClient,
    session: Session,
    create_workshop: Callable[..., Awaitable[Workshop]],
    create_district: Callable[[], Awaitable[uuid.UUID]],
    create_person: Callable[[uuid.UUID], Awaitable[str]],
    create_api_key: Callable[..., TestKey],
) -> None:
    district = await create_district()
    facilitator_id = await create_person(district)
    workshop = await create_workshop(
        method="open_space_technology", district_id=district, facilitator_ids=[facilitator_id]
    )
    key = create_api_key("facilitator", person_id=facilitator_id)
    base = f"/workshops/{workshop.id}"
    version = workshop.version

    # Agenda: starts chain from the workshop start; If-Match is honoured.
    agenda = {
        "items": [
            {"duration_minutes": 30, "title": "Welcome and marketplace", "facilitator_id": facilitator_id},
            {"duration_minutes": 90, "title": "Parallel sessions", "description": "two slots"},
            {"starts_at": "2026-12-05T12:00:00Z", "duration_minutes": 60, "title": "Instant reports"},
        ]
    }
    stale = await workshops_client.put(
        f"{base}/agenda", json=agenda, headers={**key.headers, "If-Match": '"99"'}
    )
    assert stale.status_code == 412
    put = await workshops_client.put(
        f"{base}/agenda", json=agenda, headers={**key.headers, "If-Match": f'"{version}"'}
    )
    assert put.status_code == 200, put.text
    assert put.headers["ETag"] == f'"{version + 1}"'
    public = await workshops_client.get(f"{base}/agenda")  # anonymous read
    assert public.status_code == 200
    items = public.json()["items"]
    assert [i["position"] for i in items] == [1, 2, 3]
    assert datetime.fromisoformat(items[0]["starts_at"]) == STARTS_AT
    assert datetime.fromisoformat(items[1]["starts_at"]) == datetime.fromisoformat(items[0]["ends_at"])
    assert items[2]["starts_at"].startswith("2026-12-05T12:00:00")
    # The agenda is published in the workshop's iCalendar DESCRIPTION (times in Europe/Rome).
    calendar = await workshops_client.get(f"/processes/{workshop.process_id}/calendar.ics")
    assert calendar.status_code == 200
    unfolded = calendar.text.replace("\r\n ", "")
    assert "Agenda:\\n09:30-10:00 Welcome and marketplace\\n10:00-11:30 Parallel sessions" in unfolded
    too_late = await workshops_client.put(
        f"{base}/agenda", json={"items": [{"duration_minutes": 600, "title": "All day"}]}, headers=key.headers
    )
    assert too_late.status_code == 422
    assert too_late.json()["errors"][0]["path"] == "body.items[0].duration_minutes"

    # Marketplace: three topics, then a slot/space clash named in the 409.
    async def propose(title: str, slot: str, space: str, convener: str | None = None) -> httpx.Response:
        body = {"title": title, "slot_label": slot, "space": space}
        if convener:
            body["convener_id"] = convener
        return await workshops_client.post(f"{base}/ost/topics", json=body, headers=key.headers)

    person = await create_person(district)
    loneliness = await propose("Loneliness in villages", "morning-1", "Room A", convener=person)
    assert loneliness.status_code == 201, loneliness.text
    assert loneliness.headers["Location"] == f"{base}/ost/topics/{loneliness.json()['id']}"
    assert loneliness.json()["convener_id"] == person
    transport = await propose("Transport to services", "morning-1", "Room B")
    assert transport.json()["anonymous_convener"] is True
    carers = await propose("Young carers", "morning-2", "Room A")
    assert carers.status_code == 201
    clash = await propose("Housing", "Morning-1", " room a")
    assert clash.status_code == 409
    assert clash.json()["conflicting_topic_id"] == loneliness.json()["id"]
    assert "Loneliness in villages" in clash.json()["detail"]
    timed = await workshops_client.post(
        f"{base}/ost/topics",
        json={
            "title": "Out of hours",
            "slot_starts_at": "2026-12-05T20:00:00Z",
            "slot_ends_at": "2026-12-05T21:00:00Z",
            "space": "Garden",
        },
        headers=key.headers,
    )
    assert timed.status_code == 422

    stranger = await workshops_client.post(
        f"{base}/ost/topics",
        json={
            "title": "Ghosts",
            "slot_label": "morning-2",
            "space": "Room C",
            "convener_id": str(uuid.uuid4()),
        },
        headers=key.headers,
    )
    assert stranger.status_code == 422
    assert stranger.json()["errors"][0]["path"] == "body.convener_id"

    a, b, c = (r.json()["id"] for r in (loneliness, transport, carers))

    # Law of two feet: moving is joins and leaves, never an error.
    async def move(action: str, topic: str, **who: str) -> dict[str, object]:
        response = await workshops_client.post(
            f"{base}/ost/topics/{topic}/{action}", json=who, headers=key.headers
        )
        assert response.status_code == 200, response.text
        return response.json()

    unknown = await workshops_client.post(
        f"{base}/ost/topics/{a}/joins", json={"person_id": str(uuid.uuid4())}, headers=key.headers
    )
    assert unknown.status_code == 422 and unknown.json()["errors"][0]["path"] == "body.person_id"
    assert (await move("joins", a, person_id=person))["recorded"] is True
    moved = await move("joins", b, person_id=person)
    assert moved["left_topic_ids"] == [a] and moved["recorded"] is True
    assert (await move("joins", b, person_id=person))["recorded"] is False
    later = await move("joins", c, person_id=person)  # another slot: stays in b as well
    assert later["left_topic_ids"] == []
    assert (await move("joins", a, participant_code="badge-7"))["recorded"] is True
    assert (await move("leaves", a, participant_code="badge-7"))["recorded"] is True
    assert (await move("leaves", a, participant_code="badge-7"))["recorded"] is False

    anonymous_view = (await workshops_client.get(f"{base}/ost/topics")).json()
    counts = {t["id"]: t["participant_count"] for t in anonymous_view}
    assert counts == {a: 0, b: 1, c: 1}
    assert all(t["participants"] is None for t in anonymous_view)
    facilitator_view = await workshops_client.get(f"{base}/ost/topics/{b}", headers=key.headers)
    assert [p["person_id"] for p in facilitator_view.json()["participants"]] == [person]

    stays = await workshops_client.get(f"{base}/ost/stays", headers=key.headers)
    assert [(x["topic_id"], x["left_reason"]) for x in stays.json()] == [
        (a, "moved"),
        (b, None),
        (c, None),
        (a, "left"),
    ]
    assert (await workshops_client.get(f"{base}/ost/stays")).status_code == 401

    # Instant reports.
    report = {
        "text": "Pharmacies notice first.",
        "key_points": ["pharmacies"],
        "proposals": ["a village map"],
    }
    filed = await workshops_client.put(f"{base}/ost/topics/{a}/report", json=report, headers=key.headers)
    assert filed.status_code == 200, filed.text
    assert filed.json()["report"]["proposals"] == ["a village map"]
    assert (await workshops_client.get(f"{base}/ost/topics/{a}")).json()["report"]["text"] == report["text"]

    # Café routes refuse an Open Space workshop.
    cafe = await workshops_client.post(f"{base}/cafe/tables", json={"name": "Table 1"}, headers=key.headers)
    assert cafe.status_code == 409

    # Minutes: attendees as reported (no attendance taken), contributions computed from the topics.
    minutes = await workshops_client.put(
        f"{base}/minutes",
        json={
            "text": "Three topics.",
            "attendees_count": 21,
            "decisions": ["map"],
            "follow_ups": [{"text": "mail"}],
        },
        headers=key.headers,
    )
    assert minutes.status_code == 200, minutes.text
    shown = (await workshops_client.get(f"{base}/minutes")).json()
    assert shown["attendees_count"] == 21 and shown["attendees_count_source"] == "minutes"
    assert shown["contributions_count"] == 3 and shown["contributions_count_source"] == "computed"
    assert shown["links"]["outcomes"] == f"{base}/outcomes"

    # Every change is in the workshop's stream, in order, and the row's version follows it.
    assert stream_types(session, workshop.id) == [
        "workshop.scheduled",
        "workshop.agenda_set",
        "workshop.ost_topic_proposed",
        "workshop.ost_topic_proposed",
        "workshop.ost_topic_proposed",
        "workshop.ost_joined",
        "workshop.ost_left",
        "workshop.ost_joined",
        "workshop.ost_joined",
        "workshop.ost_joined",
        "workshop.ost_left",
        "workshop.ost_report_filed",
        "workshop.minutes_recorded",
    ]
    recorded = read_stream(session, "workshop", str(workshop.id))
    moved_event = recorded[6]
    assert moved_event.payload["reason"] == "moved" and moved_event.payload["moved_to_topic_id"] == b
    assert all(e.district_id == str(workshop.district_id) for e in recorded)
    assert all(e.payload["workshop_id"] == str(workshop.id) for e in recorded[1:])
    assert (await workshops_client.get(f"{base}/minutes")).headers["ETag"] == f'"{recorded[-1].version}"'
