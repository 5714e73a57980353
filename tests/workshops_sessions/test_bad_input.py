"""Bad input inside a workshop is a 422 with a field path (or a 404 for unknown ids), never a 500 or a write."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import pytest
from sqlmodel import Session

from services.workshops.processes.models import Workshop
from tests.workshops_sessions.conftest import stream_types

pytestmark = pytest.mark.anyio

NUL = "nul\x00here"
UNKNOWN = "00000000-0000-4000-8000-000000000000"

OST_CASES: list[tuple[str, str, Any, str]] = [
    ("put", "/agenda", {"items": [{"duration_minutes": 5, "title": "x"}] * 101}, "body.items"),
    ("put", "/agenda", {"items": [{"duration_minutes": 0, "title": "x"}]}, "body.items[0].duration_minutes"),
    ("put", "/agenda", {"items": [{"duration_minutes": 5, "title": "x", "starts_at": "2026-12-05T09:00:00"}]}, "body.items[0].starts_at"),
    ("put", "/agenda", {"items": [{"duration_minutes": 5, "title": "x"}], "extra": 1}, "body.extra"),
    ("put", "/agenda", {"items": [{"starts_at": "2026-12-04T09:00:00Z", "duration_minutes": 5, "title": "x"}]}, "body.items[0].starts_at"),
    ("post", "/ost/topics", {"title": "t", "space": "A"}, "body"),
    ("post", "/ost/topics", {"title": "t", "space": "A", "slot_label": NUL}, "body.slot_label"),
    ("post", "/ost/topics", {"title": "t", "space": "A", "slot_starts_at": "2026-12-05T10:00:00Z", "slot_ends_at": "2026-12-05T09:00:00Z"}, "body"),
    ("post", "/ost/topics", {"title": "t", "space": "A", "slot_label": "1", "convener_id": "someone"}, "body.convener_id"),
    ("post", f"/ost/topics/{UNKNOWN}/joins", {"person_id": UNKNOWN, "participant_code": "b-1"}, "body"),
    ("post", f"/ost/topics/{UNKNOWN}/joins", {"participant_code": "badge 1"}, "body.participant_code"),
    ("post", "/ost/topics/not-a-uuid/joins", {"participant_code": "b-1"}, "path.topic_id"),
    ("put", f"/ost/topics/{UNKNOWN}/report", {"text": "r", "key_points": [NUL]}, "body.key_points[0]"),
    ("put", "/minutes", {"text": "m", "attendees_count": -1}, "body.attendees_count"),
    ("put", "/minutes", {"text": "m", "decisions": ["d"] * 101}, "body.decisions"),
    ("put", "/minutes", {"text": ""}, "body.text"),
    ("post", "/pollination-links", {"from": {"kind": "invention", "id": UNKNOWN}, "to": {"kind": "workshop", "id": UNKNOWN}}, "body.from.kind"),
    ("post", "/pollination-links", {"from": {"kind": "workshop", "id": UNKNOWN}, "to": {"kind": "workshop", "id": UNKNOWN}, "note": NUL}, "body.note"),
]  # fmt: skip


async def test_bad_input_is_a_422_with_its_field(
    workshops_client: httpx.AsyncClient,
    session: Session,
    create_workshop: Callable[..., Awaitable[Workshop]],
    admin_headers: dict[str, str],
) -> None:
    workshop = await create_workshop(method="open_space_technology")
    cafe = await create_workshop(method="world_cafe", district_id=workshop.district_id)
    cases = [(workshop, *case) for case in OST_CASES] + [
        (cafe, "post", "/cafe/rounds", {"question": "q", "duration_minutes": 241}, "body.duration_minutes"),
        (cafe, "post", "/cafe/tables", {"name": "t", "theme": NUL}, "body.theme"),
        (cafe, "post", "/cafe/notes", {"table_id": "x", "round_id": UNKNOWN, "text": "n"}, "body.table_id"),
        (
            cafe,
            "post",
            "/cafe/notes",
            {"table_id": UNKNOWN, "round_id": UNKNOWN, "text": "n"},
            "body.table_id",
        ),
        (cafe, "put", "/cafe/harvest", {"text": "h", "themes": ["t"] * 21}, "body.themes"),
    ]
    for target, method, path, body, field in cases:
        response = await workshops_client.request(
            method, f"/workshops/{target.id}{path}", json=body, headers=admin_headers
        )
        assert response.status_code == 422, (path, body, response.text)
        paths = [error["path"] for error in response.json()["errors"]]
        assert any(p == field or p.startswith(field + ".") for p in paths), (path, field, paths)
    assert stream_types(session, workshop.id) == ["workshop.scheduled"]
    assert stream_types(session, cafe.id) == ["workshop.scheduled"]

    unknown_topic = await workshops_client.put(
        f"/workshops/{workshop.id}/ost/topics/{UNKNOWN}/report", json={"text": "r"}, headers=admin_headers
    )
    assert unknown_topic.status_code == 404
    unknown_workshop = await workshops_client.put(
        f"/workshops/{UNKNOWN}/minutes", json={"text": "m"}, headers=admin_headers
    )
    assert unknown_workshop.status_code == 404
