"""Subscriptions API: roles, ownership, URL rules, secrets shown once, ETags, idempotency, pagination."""

from __future__ import annotations

import base64
import uuid
from typing import Any

import httpx
import pytest

from services.reporting.app import create_app
from services.reporting.webhooks import events as ev
from shared.auth.principal import Role
from shared.eventlog import read_stream
from tests.webhooks.conftest import create_subscription, subscription_body

pytestmark = pytest.mark.anyio

URL = "https://hooks.example.org/communitylab"


async def test_integration_creates_subscription_and_sees_secret_once(
    reporting_client: httpx.AsyncClient, create_api_key: Any, session: Any
) -> None:
    key = create_api_key(Role.INTEGRATION)
    response = await reporting_client.post(
        "/webhooks/subscriptions", json=subscription_body(URL), headers=key.headers
    )
    assert response.status_code == 201, response.text
    created = response.json()
    assert response.headers["Location"] == f"/webhooks/subscriptions/{created['id']}"
    assert response.headers["ETag"] == '"1"'
    assert created["owner_id"] == key.actor_id
    assert created["secret"].startswith("whsec_")
    assert len(base64.b64decode(created["secret"].removeprefix("whsec_"))) == 32
    again = await reporting_client.get(
        response.headers["Location"],
        headers=key.headers,
    )
    assert again.status_code == 200
    assert "secret" not in again.json()
    assert again.headers["ETag"] == '"1"'
    (event,) = read_stream(session, ev.STREAM_TYPE, created["id"])
    assert event.type == ev.SUBSCRIPTION_CREATED
    assert "secret" not in event.payload and "url" not in event.payload
    assert created["secret"] not in str(event.payload)


@pytest.mark.parametrize("role", [Role.DISTRICT_EDITOR, Role.FACILITATOR])
async def test_other_roles_are_refused_and_nothing_is_written(
    reporting_client: httpx.AsyncClient, create_api_key: Any, session: Any, role: Role
) -> None:
    from shared.eventlog import last_position

    before = last_position(session)
    key = create_api_key(role, districts=[str(uuid.uuid4())], person_id=str(uuid.uuid4()))
    response = await reporting_client.post(
        "/webhooks/subscriptions", json=subscription_body(URL), headers=key.headers
    )
    assert response.status_code == 403
    anonymous = await reporting_client.post("/webhooks/subscriptions", json=subscription_body(URL))
    assert anonymous.status_code == 401
    assert last_position(session) == before


async def test_district_bound_integration_key_subscribes_only_to_its_districts(
    reporting_client: httpx.AsyncClient, create_api_key: Any
) -> None:
    own = str(uuid.uuid4())
    key = create_api_key(Role.INTEGRATION, districts=[own])
    other = await reporting_client.post(
        "/webhooks/subscriptions",
        json=subscription_body(URL, district_id=str(uuid.uuid4())),
        headers=key.headers,
    )
    assert other.status_code == 403
    every = await reporting_client.post(
        "/webhooks/subscriptions", json=subscription_body(URL, district_id=None), headers=key.headers
    )
    assert every.status_code == 403
    mine = await reporting_client.post(
        "/webhooks/subscriptions", json=subscription_body(URL, district_id=own), headers=key.headers
    )
    assert mine.status_code == 201


@pytest.mark.parametrize(
    ("url", "allowed"),
    [
        ("https://hooks.example.org/x", True),
        ("http://127.0.0.1:9000/x", True),
        ("http://localhost:9000/x", True),
        ("http://[::1]:9000/x", True),
        ("http://hooks.example.org/x", False),
        ("http://10.0.0.1/x", False),
        ("ftp://hooks.example.org/x", False),
        ("https://user:pw@hooks.example.org/x", False),
    ],
)
async def test_https_is_required_except_loopback(
    reporting_client: httpx.AsyncClient, admin_headers: dict[str, str], url: str, allowed: bool
) -> None:
    response = await reporting_client.post(
        "/webhooks/subscriptions", json=subscription_body(url), headers=admin_headers
    )
    if allowed:
        assert response.status_code == 201, response.text
    else:
        assert response.status_code == 422
        assert response.json()["errors"][0]["path"] == "body.url"


async def test_loopback_http_refused_when_settings_forbid_it(
    settings: Any, db: Any, admin_headers: dict[str, str]
) -> None:
    app = create_app(settings=settings.model_copy(update={"webhook_allow_http_loopback": False}), database=db)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://reporting.test"
    ) as client:
        response = await client.post(
            "/webhooks/subscriptions", json=subscription_body("http://127.0.0.1:9/x"), headers=admin_headers
        )
        assert response.status_code == 422
        assert response.json()["errors"][0]["path"] == "body.url"
        ok = await client.post("/webhooks/subscriptions", json=subscription_body(URL), headers=admin_headers)
        assert ok.status_code == 201


@pytest.mark.parametrize(
    "overrides",
    [
        {"event_types": []},
        {"event_types": ["priority"]},
        {"event_types": ["*.validated"]},
        {"event_types": ["Priority.*"]},
        {"event_types": ["x." + "a" * 200]},
        {"district_id": "not-a-uuid"},
        {"description": "d" * 501},
        {"url": "https://" + "a" * 2100},
        {"secret": "whsec_mine"},
    ],
)
async def test_bad_bodies_are_422(
    reporting_client: httpx.AsyncClient, admin_headers: dict[str, str], overrides: dict[str, Any]
) -> None:
    response = await reporting_client.post(
        "/webhooks/subscriptions", json=subscription_body(URL, **overrides), headers=admin_headers
    )
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")


async def test_integration_sees_and_manages_only_its_own(
    reporting_client: httpx.AsyncClient, create_api_key: Any
) -> None:
    alice, bob = create_api_key(Role.INTEGRATION), create_api_key(Role.INTEGRATION)
    admin = create_api_key(Role.REGIONAL_ADMIN)
    mine = await create_subscription(reporting_client, alice.headers, URL)
    theirs = await create_subscription(reporting_client, bob.headers, URL)
    path = f"/webhooks/subscriptions/{theirs['id']}"
    assert (await reporting_client.get(path, headers=alice.headers)).status_code == 404
    assert (
        await reporting_client.patch(path, json={"enabled": False}, headers=alice.headers)
    ).status_code == 404
    assert (await reporting_client.delete(path, headers=alice.headers)).status_code == 404
    assert (await reporting_client.post(f"{path}/ping", headers=alice.headers)).status_code == 404
    assert (await reporting_client.get(f"{path}/deliveries", headers=alice.headers)).status_code == 404
    listed = await reporting_client.get("/webhooks/subscriptions?limit=500", headers=alice.headers)
    ids = {item["id"] for item in listed.json()["items"]}
    assert mine["id"] in ids and theirs["id"] not in ids
    assert all(item["owner_id"] == alice.actor_id for item in listed.json()["items"])
    assert (await reporting_client.get(path, headers=admin.headers)).status_code == 200


async def test_patch_honours_if_match_and_enabling_clears_the_reason(
    reporting_client: httpx.AsyncClient, create_api_key: Any, session: Any
) -> None:
    key = create_api_key(Role.INTEGRATION)
    created = await create_subscription(reporting_client, key.headers, URL)
    path = f"/webhooks/subscriptions/{created['id']}"
    stale = await reporting_client.patch(
        path, json={"enabled": False}, headers={**key.headers, "If-Match": '"7"'}
    )
    assert stale.status_code == 412
    off = await reporting_client.patch(
        path, json={"enabled": False}, headers={**key.headers, "If-Match": '"1"'}
    )
    assert off.status_code == 200
    assert off.headers["ETag"] == '"2"'
    assert off.json()["enabled"] is False and off.json()["disabled_reason"] == "disabled by its owner"
    on = await reporting_client.patch(
        path, json={"enabled": True, "event_types": ["*"]}, headers={**key.headers, "If-Match": '"2"'}
    )
    assert on.status_code == 200
    assert on.json()["disabled_reason"] is None and on.json()["event_types"] == ["*"]
    bad = await reporting_client.patch(path, json={"url": "http://hooks.example.org/"}, headers=key.headers)
    assert bad.status_code == 422
    null = await reporting_client.patch(path, json={"event_types": None}, headers=key.headers)
    assert null.status_code == 422
    types = [e.type for e in read_stream(session, ev.STREAM_TYPE, created["id"])]
    assert types == [ev.SUBSCRIPTION_CREATED, ev.SUBSCRIPTION_UPDATED, ev.SUBSCRIPTION_UPDATED]


async def test_idempotency_key_replays_the_creation(
    reporting_client: httpx.AsyncClient, create_api_key: Any
) -> None:
    key = create_api_key(Role.INTEGRATION)
    headers = {**key.headers, "Idempotency-Key": f"create-{uuid.uuid4()}"}
    body = subscription_body(URL)
    first = await reporting_client.post("/webhooks/subscriptions", json=body, headers=headers)
    second = await reporting_client.post("/webhooks/subscriptions", json=body, headers=headers)
    assert first.status_code == second.status_code == 201
    assert first.json()["id"] == second.json()["id"]
    assert second.headers.get("Idempotent-Replayed") == "true"
    listed = await reporting_client.get("/webhooks/subscriptions", headers=key.headers)
    assert len(listed.json()["items"]) == 1
    other = await reporting_client.post(
        "/webhooks/subscriptions", json={**body, "description": "else"}, headers=headers
    )
    assert other.status_code == 422


async def test_cursor_pagination(reporting_client: httpx.AsyncClient, create_api_key: Any) -> None:
    key = create_api_key(Role.INTEGRATION)
    made = [(await create_subscription(reporting_client, key.headers, URL))["id"] for _ in range(3)]
    first = await reporting_client.get("/webhooks/subscriptions?limit=2", headers=key.headers)
    assert len(first.json()["items"]) == 2 and first.json()["next_cursor"]
    assert 'rel="next"' in first.headers["Link"]
    second = await reporting_client.get(
        f"/webhooks/subscriptions?limit=2&cursor={first.json()['next_cursor']}", headers=key.headers
    )
    assert second.json()["next_cursor"] is None
    seen = [i["id"] for i in first.json()["items"] + second.json()["items"]]
    assert sorted(seen) == sorted(made)
    bad = await reporting_client.get("/webhooks/subscriptions?cursor=%%%", headers=key.headers)
    assert bad.status_code == 422


async def test_rotation_returns_a_new_secret_with_an_overlap(
    reporting_client: httpx.AsyncClient, create_api_key: Any
) -> None:
    key = create_api_key(Role.INTEGRATION)
    created = await create_subscription(reporting_client, key.headers, URL)
    path = f"/webhooks/subscriptions/{created['id']}/rotate-secret"
    rotated = await reporting_client.post(path, json={"overlap_seconds": 3600}, headers=key.headers)
    assert rotated.status_code == 200
    assert rotated.json()["secret"].startswith("whsec_") and rotated.json()["secret"] != created["secret"]
    assert rotated.json()["previous_secret_expires_at"] is not None
    assert rotated.headers["Cache-Control"] == "no-store"
    too_long = await reporting_client.post(path, json={"overlap_seconds": 10**9}, headers=key.headers)
    assert too_long.status_code == 422


async def test_delete_removes_the_subscription(
    reporting_client: httpx.AsyncClient, create_api_key: Any
) -> None:
    key = create_api_key(Role.INTEGRATION)
    created = await create_subscription(reporting_client, key.headers, URL)
    path = f"/webhooks/subscriptions/{created['id']}"
    assert (await reporting_client.post(f"{path}/ping", headers=key.headers)).status_code == 201
    assert (await reporting_client.delete(path, headers=key.headers)).status_code == 204
    assert (await reporting_client.get(path, headers=key.headers)).status_code == 404
