"""API keys over HTTP: admins create (secret once), list, rotate, revoke; rights per role; events without secrets."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from datetime import timedelta

import httpx
import pytest
from sqlalchemy import select
from sqlmodel import Session

from shared.auth.principal import Role
from shared.db import utcnow
from shared.eventlog import read_stream
from shared.platform.tables import api_keys, idempotency_keys
from tests.conftest import TestKey
from tests.webhooks.conftest import subscription_body

pytestmark = pytest.mark.anyio

DISTRICT = str(uuid.uuid4())


def _bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


async def _create(client: httpx.AsyncClient, headers: dict[str, str], **body: object) -> httpx.Response:
    return await client.post("/api-keys", json={"role": "integration", **body}, headers=headers)


async def test_admin_creates_a_key_shown_once_that_works_at_once(
    registry_client: httpx.AsyncClient,
    reporting_client: httpx.AsyncClient,
    admin_headers: dict[str, str],
    session: Session,
) -> None:
    created = await _create(
        registry_client,
        {**admin_headers, "Idempotency-Key": "k-1"},
        district_ids=[DISTRICT],
        label="Portale regionale",
        expires_at=(utcnow() + timedelta(days=90)).isoformat(),
    )
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["key"].startswith(f"clk_{body['key_id']}_")
    assert body["status"] == "active" and body["role"] == "integration" and body["district_ids"] == [DISTRICT]
    assert created.headers["location"] == f"/api-keys/{body['key_id']}"
    assert created.headers["cache-control"] == "no-store"

    # The new key works on every service at once, as an integration.
    own = await reporting_client.post(
        "/webhooks/subscriptions",
        json=subscription_body("https://hooks.example.org/x", district_id=DISTRICT),
        headers=_bearer(body["key"]),
    )
    assert own.status_code == 201, own.text
    refused = await registry_client.get("/api-keys", headers=_bearer(body["key"]))
    assert refused.status_code == 403

    # Never shown again: not by a read, not by a list, not by a replay, not stored in clear anywhere.
    read = (await registry_client.get(f"/api-keys/{body['key_id']}", headers=admin_headers)).json()
    assert "key" not in read and read["label"] == "Portale regionale" and read["last_used_at"] is not None
    listed = (await registry_client.get("/api-keys", headers=admin_headers)).json()
    assert body["key_id"] in {k["key_id"] for k in listed["items"]} and body["key"] not in json.dumps(listed)
    replay = await _create(
        registry_client,
        {**admin_headers, "Idempotency-Key": "k-1"},
        district_ids=[DISTRICT],
        label="Portale regionale",
        expires_at=body["expires_at"],
    )
    stored = session.exec(select(idempotency_keys.c.response_body)).all()  # type: ignore[call-overload]
    assert all(body["key"] not in row[0] for row in stored)
    secret_part = body["key"].split("_", 2)[2]
    row = session.exec(select(api_keys).where(api_keys.c.key_id == body["key_id"])).one()  # type: ignore[call-overload]
    assert secret_part not in json.dumps([str(v) for v in row])
    assert replay.status_code == 201 and replay.headers["idempotent-replayed"] == "true"
    assert replay.json()["key_id"] == body["key_id"] and replay.json()["key"] is None

    events = read_stream(session, "api_key", body["actor_id"])
    assert [e.type for e in events] == ["api_key.created"]
    assert events[0].payload["key_id"] == body["key_id"] and events[0].payload["role"] == "integration"
    assert body["key"] not in json.dumps(events[0].payload) and secret_part not in json.dumps(
        events[0].payload
    )


async def test_rotation_replaces_the_secret_and_keeps_the_subscriptions(
    registry_client: httpx.AsyncClient,
    reporting_client: httpx.AsyncClient,
    admin_headers: dict[str, str],
    session: Session,
) -> None:
    first = (await _create(registry_client, admin_headers, district_ids=[DISTRICT])).json()
    subscription = await reporting_client.post(
        "/webhooks/subscriptions",
        json=subscription_body("https://hooks.example.org/y", district_id=DISTRICT),
        headers=_bearer(first["key"]),
    )
    assert subscription.status_code == 201
    later = (utcnow() + timedelta(days=365)).replace(microsecond=0)
    rotated = await registry_client.post(
        f"/api-keys/{first['key_id']}/rotate", json={"expires_at": later.isoformat()}, headers=admin_headers
    )
    assert rotated.status_code == 200, rotated.text
    new = rotated.json()
    assert (
        new["key"] != first["key"]
        and new["key_id"] == first["key_id"]
        and new["actor_id"] == first["actor_id"]
    )
    assert new["expires_at"].startswith(later.isoformat()[:19])

    old = await reporting_client.get("/webhooks/subscriptions", headers=_bearer(first["key"]))
    assert old.status_code == 401
    mine = await reporting_client.get("/webhooks/subscriptions", headers=_bearer(new["key"]))
    assert [s["id"] for s in mine.json()["items"]] == [subscription.json()["id"]]  # still its own

    events = read_stream(session, "api_key", first["actor_id"])
    assert [e.type for e in events] == ["api_key.created", "api_key.rotated"]
    assert new["key"] not in json.dumps([e.payload for e in events])


async def test_integration_keys_see_only_their_own_subscriptions(
    registry_client: httpx.AsyncClient, reporting_client: httpx.AsyncClient, admin_headers: dict[str, str]
) -> None:
    one = (await _create(registry_client, admin_headers, district_ids=[DISTRICT])).json()
    two = (await _create(registry_client, admin_headers)).json()
    made = await reporting_client.post(
        "/webhooks/subscriptions",
        json=subscription_body("https://hooks.example.org/one", district_id=DISTRICT),
        headers=_bearer(one["key"]),
    )
    assert made.status_code == 201
    other_district = await reporting_client.post(
        "/webhooks/subscriptions",
        json=subscription_body("https://hooks.example.org/one", district_id=str(uuid.uuid4())),
        headers=_bearer(one["key"]),
    )
    assert other_district.status_code == 403  # limited to the key's districts
    seen_by_two = await reporting_client.get("/webhooks/subscriptions", headers=_bearer(two["key"]))
    assert seen_by_two.json()["items"] == []
    foreign = await reporting_client.get(
        f"/webhooks/subscriptions/{made.json()['id']}", headers=_bearer(two["key"])
    )
    assert foreign.status_code == 404


async def test_revoked_and_expired_keys_stop_working(
    registry_client: httpx.AsyncClient, admin_headers: dict[str, str], session: Session
) -> None:
    key = (await _create(registry_client, admin_headers, role="regional_admin")).json()
    assert (await registry_client.get("/api-keys", headers=_bearer(key["key"]))).status_code == 200
    revoked = await registry_client.post(f"/api-keys/{key['key_id']}/revoke", headers=admin_headers)
    assert revoked.status_code == 200 and revoked.json()["status"] == "revoked"
    assert (await registry_client.get("/api-keys", headers=_bearer(key["key"]))).status_code == 401
    again = await registry_client.post(f"/api-keys/{key['key_id']}/revoke", headers=admin_headers)
    assert again.status_code == 409
    rotate = await registry_client.post(f"/api-keys/{key['key_id']}/rotate", headers=admin_headers)
    assert rotate.status_code == 409
    assert [e.type for e in read_stream(session, "api_key", key["actor_id"])] == [
        "api_key.created",
        "api_key.revoked",
    ]
    past = await _create(
        registry_client, admin_headers, expires_at=(utcnow() - timedelta(hours=1)).isoformat()
    )
    assert past.status_code == 422 and past.json()["errors"][0]["path"] == "body.expires_at"

    statuses = {
        k["key_id"]: k["status"]
        for k in (await registry_client.get("/api-keys?status=revoked", headers=admin_headers)).json()[
            "items"
        ]
    }
    assert key["key_id"] in statuses and set(statuses.values()) == {"revoked"}
    missing = await registry_client.get("/api-keys/0123456789abcdef", headers=admin_headers)
    assert missing.status_code == 404


@pytest.mark.parametrize("role", [Role.DISTRICT_EDITOR, Role.FACILITATOR, Role.INTEGRATION, None])
async def test_only_regional_admins_manage_keys(
    registry_client: httpx.AsyncClient,
    create_api_key: Callable[..., TestKey],
    admin_headers: dict[str, str],
    session: Session,
    role: Role | None,
) -> None:
    target = (await _create(registry_client, admin_headers)).json()
    headers: dict[str, str] = {}
    if role is not None:
        headers = create_api_key(role, districts=[DISTRICT], person_id=str(uuid.uuid4())).headers
    expected = 401 if role is None else 403
    calls = [
        registry_client.post("/api-keys", json={"role": "regional_admin"}, headers=headers),
        registry_client.get("/api-keys", headers=headers),
        registry_client.get(f"/api-keys/{target['key_id']}", headers=headers),
        registry_client.post(f"/api-keys/{target['key_id']}/rotate", headers=headers),
        registry_client.post(f"/api-keys/{target['key_id']}/revoke", headers=headers),
    ]
    for call in calls:
        response = await call
        assert response.status_code == expected, response.text
    assert [e.type for e in read_stream(session, "api_key", target["actor_id"])] == ["api_key.created"]


async def test_role_rules_are_payload_errors(
    registry_client: httpx.AsyncClient, admin_headers: dict[str, str]
) -> None:
    editor = await registry_client.post("/api-keys", json={"role": "district_editor"}, headers=admin_headers)
    assert editor.status_code == 422
    facilitator = await registry_client.post("/api-keys", json={"role": "facilitator"}, headers=admin_headers)
    assert facilitator.status_code == 422
    participant = await registry_client.post("/api-keys", json={"role": "participant"}, headers=admin_headers)
    assert participant.status_code == 422
    ok = await registry_client.post(
        "/api-keys", json={"role": "district_editor", "district_ids": [DISTRICT]}, headers=admin_headers
    )
    assert ok.status_code == 201 and ok.json()["district_ids"] == [DISTRICT]


async def test_an_expired_key_is_refused_and_listed_as_expired(
    registry_client: httpx.AsyncClient, admin_headers: dict[str, str], session: Session
) -> None:
    key = (
        await _create(
            registry_client,
            admin_headers,
            role="regional_admin",
            expires_at=(utcnow() + timedelta(days=1)).isoformat(),
        )
    ).json()
    assert (await registry_client.get("/api-keys", headers=_bearer(key["key"]))).status_code == 200
    session.execute(
        api_keys.update()
        .where(api_keys.c.key_id == key["key_id"])
        .values(expires_at=utcnow() - timedelta(seconds=1))
    )
    session.commit()
    expired = await registry_client.get("/api-keys", headers=_bearer(key["key"]))
    assert expired.status_code == 401 and "expired" in expired.json()["detail"]
    listed = await registry_client.get("/api-keys?status=expired", headers=admin_headers)
    assert [k["key_id"] for k in listed.json()["items"]] == [key["key_id"]]
    assert (await registry_client.get(f"/api-keys/{key['key_id']}", headers=admin_headers)).json()[
        "status"
    ] == "expired"
