"""Deliveries to a real HTTP receiver on loopback: signatures, body, filters, order, retries, log, ping."""

from __future__ import annotations

import time
import uuid
from datetime import timedelta
from typing import Any

import httpx
import pytest
from prometheus_client import REGISTRY, generate_latest
from sqlmodel import Session
from standardwebhooks import Webhook, WebhookVerificationError

from services.reporting.webhooks import events as ev
from services.reporting.webhooks.dispatcher import backoff_delay, parse_retry_after
from services.reporting.webhooks.models import WebhookDelivery, WebhookSubscription
from shared.auth.principal import Role
from shared.db import utcnow
from shared.eventlog import read_stream
from tests.webhooks.conftest import Receiver, append_event, create_subscription, run_until

pytestmark = pytest.mark.anyio


def _delivered(outcome: str) -> float:
    value = REGISTRY.get_sample_value("communitylab_webhook_deliveries_total", {"outcome": outcome})
    return value or 0.0


async def _subscribe(
    client: httpx.AsyncClient, create_api_key: Any, receiver: Receiver, **overrides: Any
) -> tuple[dict[str, Any], dict[str, str]]:
    key = create_api_key(Role.INTEGRATION)
    return await create_subscription(client, key.headers, receiver.url, **overrides), key.headers


async def _log(
    client: httpx.AsyncClient, headers: dict[str, str], sub: dict[str, Any]
) -> list[dict[str, Any]]:
    response = await client.get(f"/webhooks/subscriptions/{sub['id']}/deliveries?limit=500", headers=headers)
    assert response.status_code == 200
    return list(response.json()["items"])


async def _detail(
    client: httpx.AsyncClient, headers: dict[str, str], sub: dict[str, Any], delivery_id: str
) -> dict[str, Any]:
    response = await client.get(
        f"/webhooks/subscriptions/{sub['id']}/deliveries/{delivery_id}", headers=headers
    )
    assert response.status_code == 200
    return dict(response.json())


async def test_deliveries_verify_with_standardwebhooks_and_carry_the_event(
    reporting_client: httpx.AsyncClient,
    create_api_key: Any,
    session: Session,
    receiver: Receiver,
    make_dispatcher: Any,
) -> None:
    district = str(uuid.uuid4())
    sub, _ = await _subscribe(
        reporting_client, create_api_key, receiver, event_types=["priority.*"], district_id=district
    )
    priority_id = str(uuid.uuid4())
    validated = append_event(
        session,
        "priority.validated",
        district,
        stream_id=priority_id,
        sitting_date="2026-11-20",
        motivation="ok",
    )
    append_event(session, "workshop.scheduled", district)  # another type
    append_event(session, "priority.proposed", str(uuid.uuid4()))  # another district
    session.commit()
    dispatcher = make_dispatcher()
    run_until(dispatcher, lambda: len(receiver.final_log) >= 1)
    dispatcher.run_once()
    assert len(receiver.requests) == 1
    (request,) = receiver.requests
    payload = Webhook(sub["secret"]).verify(request.body, request.headers)
    assert payload["type"] == "priority.validated"
    assert payload["timestamp"].endswith("Z")
    data = payload["data"]
    assert data["event_id"] == str(validated.event_id)
    assert data["position"] == validated.position
    assert data["stream_type"] == "priority" and data["stream_id"] == priority_id
    assert data["district_id"] == district and data["priority_id"] == priority_id
    assert data["sitting_date"] == "2026-11-20"
    assert request.headers["webhook-id"].startswith("msg_")
    assert abs(int(request.headers["webhook-timestamp"]) - time.time()) < 30
    with pytest.raises(WebhookVerificationError):
        Webhook("whsec_" + "QUJD" * 8).verify(request.body, request.headers)
    tampered = request.body.replace(b"priority.validated", b"priority.rejected")
    with pytest.raises(WebhookVerificationError):
        Webhook(sub["secret"]).verify(tampered, request.headers)


async def test_a_receiver_failing_twice_gets_the_event_exactly_once(
    reporting_client: httpx.AsyncClient,
    create_api_key: Any,
    session: Session,
    receiver: Receiver,
    make_dispatcher: Any,
) -> None:
    sub, headers = await _subscribe(reporting_client, create_api_key, receiver)
    receiver.script = [500, ("sleep", 3.0, 200)]  # a 500, then a timeout, then 200
    before = {o: _delivered(o) for o in ("succeeded", "retrying")}
    event = append_event(session, "priority.submitted", sub["district_id"], year=2026)
    session.commit()
    dispatcher = make_dispatcher(timeout_seconds=1.0)
    run_until(dispatcher, lambda: len(receiver.final_log) >= 1, timeout=20)
    for _ in range(5):
        dispatcher.run_once()
    assert [r.json["data"]["event_id"] for r in receiver.final_log] == [str(event.event_id)]
    assert len({r.message_id for r in receiver.requests}) == 1
    (delivery,) = await _log(reporting_client, headers, sub)
    assert delivery["status"] == "succeeded" and delivery["attempts"] == 3
    attempts = (await _detail(reporting_client, headers, sub, delivery["id"]))["attempt_log"]
    assert [a["status_code"] for a in attempts] == [500, None, 200]
    assert attempts[1]["error"].startswith("timeout")
    assert attempts[1]["latency_ms"] >= 900
    assert '"received"' in attempts[2]["response_excerpt"]
    refreshed = await reporting_client.get(f"/webhooks/subscriptions/{sub['id']}", headers=headers)
    assert refreshed.json()["failing_since"] is None
    # The worker counted the three attempts, as /metrics shows them.
    assert _delivered("succeeded") - before["succeeded"] == 1
    assert _delivered("retrying") - before["retrying"] == 2
    text = generate_latest().decode()
    assert 'communitylab_webhook_delivery_seconds_count{outcome="retrying"}' in text


async def test_client_errors_are_not_retried(
    reporting_client: httpx.AsyncClient,
    create_api_key: Any,
    session: Session,
    receiver: Receiver,
    make_dispatcher: Any,
) -> None:
    sub, headers = await _subscribe(reporting_client, create_api_key, receiver)
    receiver.script = [410]
    append_event(session, "priority.started", sub["district_id"])
    second = append_event(session, "priority.reported", sub["district_id"], outcome="done")
    session.commit()
    dispatcher = make_dispatcher()
    run_until(dispatcher, lambda: len(receiver.final_log) >= 1)
    time.sleep(0.3)
    for _ in range(5):
        dispatcher.run_once()
    assert [r.status for r in receiver.requests] == [410, 200]
    assert receiver.final_log[0].json["data"]["event_id"] == str(second.event_id)
    first_delivery, second_delivery = await _log(reporting_client, headers, sub)
    assert first_delivery["status"] == "failed" and first_delivery["attempts"] == 1
    assert first_delivery["last_status_code"] == 410
    assert second_delivery["status"] == "succeeded"


async def test_429_retry_after_is_honoured(
    reporting_client: httpx.AsyncClient,
    create_api_key: Any,
    session: Session,
    receiver: Receiver,
    make_dispatcher: Any,
) -> None:
    sub, _ = await _subscribe(reporting_client, create_api_key, receiver)
    receiver.script = [(429, {"Retry-After": "2"})]
    append_event(session, "priority.assigned", sub["district_id"])
    session.commit()
    dispatcher = make_dispatcher()
    run_until(dispatcher, lambda: len(receiver.final_log) >= 1, timeout=15)
    first, second = receiver.requests
    assert first.status == 429 and second.status == 200
    # The backoff alone would have retried after at most 0.2 s.
    assert second.at - first.at >= 1.9


async def test_per_subscription_order_waits_for_the_previous_delivery(
    reporting_client: httpx.AsyncClient,
    create_api_key: Any,
    session: Session,
    receiver: Receiver,
    make_dispatcher: Any,
) -> None:
    sub, _ = await _subscribe(reporting_client, create_api_key, receiver)
    receiver.script = [503, 503, 502]
    appended = [append_event(session, "priority.proposed", sub["district_id"], n=n) for n in range(5)]
    session.commit()
    dispatcher = make_dispatcher()
    run_until(dispatcher, lambda: len(receiver.final_log) >= 5, timeout=20)
    # No later event went out while the first was being retried.
    assert [r.json["data"]["n"] for r in receiver.requests] == [0, 0, 0, 0, 1, 2, 3, 4]
    assert [r.json["data"]["position"] for r in receiver.final_log] == [e.position for e in appended]


async def test_a_subscription_failing_too_long_is_disabled_with_a_reason(
    reporting_client: httpx.AsyncClient,
    create_api_key: Any,
    session: Session,
    receiver: Receiver,
    make_dispatcher: Any,
) -> None:
    sub, headers = await _subscribe(reporting_client, create_api_key, receiver)
    receiver.default = 500
    append_event(session, "priority.proposed", sub["district_id"])
    session.commit()
    dispatcher = make_dispatcher(disable_after=timedelta(seconds=0.5), max_attempts=100)

    def disabled() -> bool:
        row = session.get(WebhookSubscription, uuid.UUID(sub["id"]))
        assert row is not None
        session.refresh(row)
        return row.enabled is False

    run_until(dispatcher, disabled, timeout=15)
    seen = len(receiver.requests)
    time.sleep(0.3)
    dispatcher.run_once()
    assert len(receiver.requests) == seen  # nothing more is sent to a disabled subscription
    body = (await reporting_client.get(f"/webhooks/subscriptions/{sub['id']}", headers=headers)).json()
    assert body["enabled"] is False
    assert "failing since" in body["disabled_reason"] and "HTTP 500" in body["disabled_reason"]
    assert body["disabled_at"] is not None
    types = [e.type for e in read_stream(session, ev.STREAM_TYPE, sub["id"])]
    assert types[-1] == ev.SUBSCRIPTION_DISABLED
    # The owner fixes the receiver and enables again: the pending delivery goes out.
    receiver.default = 200
    enabled = await reporting_client.patch(
        f"/webhooks/subscriptions/{sub['id']}", json={"enabled": True}, headers=headers
    )
    assert enabled.status_code == 200 and enabled.json()["disabled_reason"] is None
    run_until(dispatcher, lambda: len(receiver.final_log) == 1)


async def test_ping_and_manual_redelivery(
    reporting_client: httpx.AsyncClient,
    create_api_key: Any,
    session: Session,
    receiver: Receiver,
    make_dispatcher: Any,
) -> None:
    sub, headers = await _subscribe(reporting_client, create_api_key, receiver)
    ping = await reporting_client.post(f"/webhooks/subscriptions/{sub['id']}/ping", headers=headers)
    assert ping.status_code == 201
    assert ping.headers["Location"].endswith(ping.json()["id"])
    dispatcher = make_dispatcher()
    run_until(dispatcher, lambda: len(receiver.final_log) == 1)
    pinged = receiver.final_log[0]
    assert Webhook(sub["secret"]).verify(pinged.body, pinged.headers)["type"] == ev.PING
    assert pinged.json["data"]["subscription_id"] == sub["id"]

    again = await reporting_client.post(
        f"/webhooks/subscriptions/{sub['id']}/deliveries/{ping.json()['id']}/redeliver", headers=headers
    )
    assert again.status_code == 201 and again.json()["redelivery_of"] == ping.json()["id"]
    run_until(dispatcher, lambda: len(receiver.final_log) == 2)
    assert receiver.final_log[1].message_id == pinged.message_id  # same webhook-id: receivers can dedupe
    assert receiver.final_log[1].body == pinged.body

    missing = await reporting_client.post(
        f"/webhooks/subscriptions/{sub['id']}/deliveries/{uuid.uuid4()}/redeliver", headers=headers
    )
    assert missing.status_code == 404

    start = (utcnow() - timedelta(minutes=5)).isoformat()
    end = (utcnow() + timedelta(minutes=5)).isoformat()
    ranged = await reporting_client.post(
        f"/webhooks/subscriptions/{sub['id']}/redeliveries",
        json={"created_from": start, "created_to": end},
        headers=headers,
    )
    assert ranged.status_code == 202 and ranged.json()["queued"] == 2
    run_until(dispatcher, lambda: len(receiver.final_log) == 4)
    only_failed = await reporting_client.post(
        f"/webhooks/subscriptions/{sub['id']}/redeliveries",
        json={"created_from": start, "created_to": end, "only_failed": True},
        headers=headers,
    )
    assert only_failed.json()["queued"] == 0
    empty = await reporting_client.post(
        f"/webhooks/subscriptions/{sub['id']}/redeliveries",
        json={"created_from": end, "created_to": start},
        headers=headers,
    )
    assert empty.status_code == 422


async def test_rotation_overlap_signs_with_both_secrets(
    reporting_client: httpx.AsyncClient,
    create_api_key: Any,
    session: Session,
    receiver: Receiver,
    make_dispatcher: Any,
) -> None:
    sub, headers = await _subscribe(reporting_client, create_api_key, receiver)
    rotated = await reporting_client.post(
        f"/webhooks/subscriptions/{sub['id']}/rotate-secret", json={"overlap_seconds": 600}, headers=headers
    )
    new_secret = rotated.json()["secret"]
    append_event(session, "priority.validated", sub["district_id"])
    session.commit()
    dispatcher = make_dispatcher()
    run_until(dispatcher, lambda: len(receiver.final_log) == 1)
    request = receiver.final_log[0]
    signatures = request.headers["webhook-signature"].split(" ")
    assert len(signatures) == 2 and all(s.startswith("v1,") for s in signatures)
    Webhook(new_secret).verify(request.body, request.headers)
    Webhook(sub["secret"]).verify(request.body, request.headers)

    # Without an overlap, only the newest secret signs.
    final = await reporting_client.post(
        f"/webhooks/subscriptions/{sub['id']}/rotate-secret", json={"overlap_seconds": 0}, headers=headers
    )
    append_event(session, "priority.validated", sub["district_id"])
    session.commit()
    run_until(dispatcher, lambda: len(receiver.final_log) == 2)
    request = receiver.final_log[1]
    assert len(request.headers["webhook-signature"].split(" ")) == 1
    Webhook(final.json()["secret"]).verify(request.body, request.headers)
    with pytest.raises(WebhookVerificationError):
        Webhook(new_secret).verify(request.body, request.headers)


async def test_events_before_the_subscription_are_not_sent(
    reporting_client: httpx.AsyncClient,
    create_api_key: Any,
    session: Session,
    receiver: Receiver,
    make_dispatcher: Any,
) -> None:
    district = str(uuid.uuid4())
    append_event(session, "priority.proposed", district, n="old")
    session.commit()
    sub, headers = await _subscribe(reporting_client, create_api_key, receiver, district_id=district)
    append_event(session, "priority.proposed", district, n="new")
    session.commit()
    dispatcher = make_dispatcher()
    run_until(dispatcher, lambda: len(receiver.final_log) == 1)
    dispatcher.run_once()
    assert [r.json["data"]["n"] for r in receiver.requests] == ["new"]
    assert session.get(WebhookDelivery, uuid.UUID((await _log(reporting_client, headers, sub))[0]["id"]))


def test_backoff_grows_with_jitter_and_retry_after_parses() -> None:
    assert backoff_delay(1, base=2, cap=100, rng=lambda: 0.0) == 1
    assert backoff_delay(1, base=2, cap=100, rng=lambda: 1.0) == 2
    assert backoff_delay(4, base=2, cap=100, rng=lambda: 1.0) == 16
    assert backoff_delay(30, base=2, cap=100, rng=lambda: 1.0) == 100
    now = utcnow()
    assert parse_retry_after("7", now) == 7
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", now) == 0
    later = (now + timedelta(seconds=30)).strftime("%a, %d %b %Y %H:%M:%S GMT")
    assert 28 <= (parse_retry_after(later, now) or 0) <= 31
    assert parse_retry_after("soon", now) is None
