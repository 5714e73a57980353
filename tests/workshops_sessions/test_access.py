"""Who may write inside a workshop: its facilitators and its district's editors; nobody else, and no event."""

from __future__ import annotations

import json
import uuid
from collections.abc import Awaitable, Callable

import httpx
import pytest
from sqlmodel import Session

from services.workshops.processes.models import Workshop
from tests.conftest import TestKey
from tests.workshops_sessions.conftest import stream_types

pytestmark = pytest.mark.anyio

WRITES = [
    ("put", "/agenda", {"items": [{"duration_minutes": 30, "title": "Welcome"}]}),
    ("post", "/ost/topics", {"title": "Loneliness", "slot_label": "1", "space": "Room A"}),
    ("put", "/minutes", {"text": "Closing report."}),
    (
        "post",
        "/pollination-links",
        {"from": {"kind": "workshop", "id": "{w}"}, "to": {"kind": "workshop", "id": "{o}"}},
    ),
]


def _body(body: dict[str, object], workshop_id: str, other_id: str = "") -> dict[str, object]:
    return json.loads(json.dumps(body).replace("{w}", workshop_id).replace("{o}", other_id))


async def test_only_facilitators_and_district_editors_write(
    workshops_client: httpx.AsyncClient,
    session: Session,
    create_workshop: Callable[..., Awaitable[Workshop]],
    create_district: Callable[[], Awaitable[uuid.UUID]],
    create_person: Callable[[uuid.UUID], Awaitable[str]],
    create_api_key: Callable[..., TestKey],
) -> None:
    district, other_district = await create_district(), await create_district()
    facilitator_id = await create_person(district)
    workshop = await create_workshop(district_id=district, facilitator_ids=[facilitator_id])
    target = str((await create_workshop(district_id=district)).id)
    base = f"/workshops/{workshop.id}"

    denied = {
        "editor of another district": (
            create_api_key("district_editor", districts=[str(other_district)]),
            403,
        ),
        "facilitator of other workshops": (create_api_key("facilitator", person_id=str(uuid.uuid4())), 403),
        "integration": (create_api_key("integration"), 403),
    }
    for method, path, body in WRITES:
        for who, (key, status) in denied.items():
            response = await workshops_client.request(
                method, base + path, json=_body(body, str(workshop.id), target), headers=key.headers
            )
            assert response.status_code == status, (who, path, response.text)
        anonymous = await workshops_client.request(
            method, base + path, json=_body(body, str(workshop.id), target)
        )
        assert anonymous.status_code == 401
    # A denied join never reveals whether the topic exists.
    ghost = await workshops_client.post(
        f"{base}/ost/topics/{uuid.uuid4()}/joins",
        json={"person_id": str(uuid.uuid4())},
        headers=denied["editor of another district"][0].headers,
    )
    assert ghost.status_code == 403
    assert stream_types(session, workshop.id) == ["workshop.scheduled"]

    allowed = {
        "facilitator": create_api_key("facilitator", person_id=facilitator_id),
        "district editor": create_api_key("district_editor", districts=[str(district)]),
    }
    for who, key in allowed.items():
        for method, path, body in WRITES:
            if path == "/ost/topics":
                body = {**body, "space": f"Room of the {who}"}
            response = await workshops_client.request(
                method, base + path, json=_body(body, str(workshop.id), target), headers=key.headers
            )
            assert response.status_code in (200, 201), (who, path, response.text)
    assert len(stream_types(session, workshop.id)) == 1 + 2 * len(WRITES)

    # Reads are open, and show no participant ids to anonymous callers.
    assert (await workshops_client.get(f"{base}/agenda")).status_code == 200
    assert (await workshops_client.get(f"{base}/minutes")).status_code == 200
    assert (await workshops_client.get(f"/workshops/{uuid.uuid4()}/agenda")).status_code == 404


async def test_concurrent_edit_of_the_same_workshop_is_refused(
    workshops_client: httpx.AsyncClient,
    create_workshop: Callable[..., Awaitable[Workshop]],
    admin_headers: dict[str, str],
) -> None:
    workshop = await create_workshop(method="world_cafe")
    base = f"/workshops/{workshop.id}"
    first = await workshops_client.get(f"{base}/agenda")
    etag = first.headers["ETag"]
    table = await workshops_client.post(
        f"{base}/cafe/tables", json={"name": "Table 1"}, headers=admin_headers
    )
    assert table.status_code == 201
    # The agenda was read before the table was added: the workshop moved on, so the edit is stale.
    stale = await workshops_client.put(
        f"{base}/minutes", json={"text": "late"}, headers={**admin_headers, "If-Match": etag}
    )
    assert stale.status_code == 412
    fresh = await workshops_client.put(
        f"{base}/minutes", json={"text": "ok"}, headers={**admin_headers, "If-Match": table.headers["ETag"]}
    )
    assert fresh.status_code == 200


async def test_a_cancelled_workshop_takes_no_more_session_records(
    workshops_client: httpx.AsyncClient,
    session: Session,
    create_workshop: Callable[..., Awaitable[Workshop]],
    admin_headers: dict[str, str],
) -> None:
    workshop = await create_workshop(method="open_space_technology")
    base = f"/workshops/{workshop.id}"
    cancelled = await workshops_client.post(
        f"{base}/status", json={"status": "cancelled", "reason": "Allerta meteo"}, headers=admin_headers
    )
    assert cancelled.status_code == 200, cancelled.text
    before = stream_types(session, workshop.id)
    for method, path, body in WRITES[:3]:
        response = await workshops_client.request(method, base + path, json=body, headers=admin_headers)
        assert response.status_code == 409, (path, response.text)
    assert stream_types(session, workshop.id) == before
    assert (await workshops_client.get(f"{base}/ost/stays", headers=admin_headers)).status_code == 200


async def test_sessions_and_processes_share_the_workshops_etag(
    workshops_client: httpx.AsyncClient,
    session: Session,
    create_workshop: Callable[..., Awaitable[Workshop]],
    admin_headers: dict[str, str],
) -> None:
    workshop = await create_workshop(method="world_cafe")
    base = f"/workshops/{workshop.id}"
    agenda = {"items": [{"duration_minutes": 30, "title": "Welcome"}]}
    put = await workshops_client.put(f"{base}/agenda", json=agenda, headers=admin_headers)
    assert put.headers["ETag"] == (await workshops_client.get(base)).headers["ETag"]

    # The processes domain changes the workshop: an agenda edit based on the old ETag is stale.
    patched = await workshops_client.patch(
        base,
        json={"title": "World Café, new title"},
        headers={**admin_headers, "If-Match": put.headers["ETag"]},
    )
    assert patched.status_code == 200, patched.text
    stale = await workshops_client.put(
        f"{base}/agenda", json=agenda, headers={**admin_headers, "If-Match": put.headers["ETag"]}
    )
    assert stale.status_code == 412
    fresh = await workshops_client.put(
        f"{base}/agenda", json=agenda, headers={**admin_headers, "If-Match": patched.headers["ETag"]}
    )
    assert fresh.status_code == 200
    assert stream_types(session, workshop.id) == [
        "workshop.scheduled",
        "workshop.agenda_set",
        "workshop.updated",
        "workshop.agenda_set",
    ]


async def test_a_retried_creation_is_replayed_not_repeated(
    workshops_client: httpx.AsyncClient,
    session: Session,
    create_workshop: Callable[..., Awaitable[Workshop]],
    admin_headers: dict[str, str],
) -> None:
    workshop = await create_workshop(method="world_cafe")
    url = f"/workshops/{workshop.id}/cafe/rounds"
    headers = {**admin_headers, "Idempotency-Key": "round-1"}
    body = {"question": "What makes a place caring?", "duration_minutes": 25}
    first = await workshops_client.post(url, json=body, headers=headers)
    again = await workshops_client.post(url, json=body, headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json() and again.headers["Location"] == first.headers["Location"]
    assert again.headers.get("Idempotent-Replayed") == "true"
    other = await workshops_client.post(url, json={**body, "duration_minutes": 30}, headers=headers)
    assert other.status_code == 422
    assert stream_types(session, workshop.id) == ["workshop.scheduled", "workshop.cafe_round_added"]
