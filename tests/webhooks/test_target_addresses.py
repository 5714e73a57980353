"""Webhook targets cannot reach inside the network (SSRF): at subscription time and again at delivery."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from sqlmodel import Session

from services.reporting.app import create_app
from shared.net import TargetRefused, check_host, pin_target, target_url_problem
from tests.webhooks.conftest import Receiver, append_event, create_subscription, run_until

INTERNAL_TARGETS = [
    "https://169.254.169.254/latest/meta-data/",
    "https://10.0.0.1/",
    "https://172.16.5.4/hook",
    "https://192.168.1.10/hook",
    "https://100.64.0.1/hook",
    "https://[fd00::1]/",
    "https://[fe80::1]/",
    "https://[::ffff:10.0.0.1]/",
    "https://[::ffff:127.0.0.1]/",
    "https://[64:ff9b::a9fe:a9fe]/",
    "https://[::]/",
    "https://0.0.0.0/",
    "https://224.0.0.1/",
    "https://240.0.0.1/",
    "https://0x7f000001/",
    "https://2130706433/",
    "https://0177.0.0.1/",
    "https://127.1/",
    "https://0xa9.0xfe.0xa9.0xfe/",
    "https://metadata.google.internal/computeMetadata/v1/",
    "https://localhost/",
    "https://intranet/",
    "https://printer.local/",
    "http://127.0.0.1:5432/",
    "http://[::1]:9000/x",
]


@pytest.fixture
async def strict_client(settings: Any, db: Any) -> AsyncIterator[httpx.AsyncClient]:
    """Reporting with the production default: no loopback targets."""
    app = create_app(settings=settings.model_copy(update={"webhook_allow_http_loopback": False}), database=db)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://reporting.test"
    ) as client:
        yield client


@pytest.mark.anyio
@pytest.mark.parametrize("url", INTERNAL_TARGETS)
async def test_internal_targets_are_refused_with_the_field_path(
    strict_client: httpx.AsyncClient, admin_headers: dict[str, str], url: str
) -> None:
    body = {"url": url, "event_types": ["priority.*"], "district_id": str(uuid.uuid4())}
    response = await strict_client.post("/webhooks/subscriptions", json=body, headers=admin_headers)
    assert response.status_code == 422, response.text
    (error,) = response.json()["errors"]
    assert error["path"] == "body.url"
    assert "cannot be reached" in error["message"] or "loopback" in error["message"]


@pytest.mark.anyio
async def test_updating_a_subscription_to_an_internal_target_is_refused(
    strict_client: httpx.AsyncClient, admin_headers: dict[str, str]
) -> None:
    created = await create_subscription(strict_client, admin_headers, "https://hooks.example.org/x")
    path = f"/webhooks/subscriptions/{created['id']}"
    response = await strict_client.patch(
        path, json={"url": "https://[::ffff:169.254.169.254]/"}, headers=admin_headers
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["path"] == "body.url"
    assert (await strict_client.get(path, headers=admin_headers)).json()[
        "url"
    ] == "https://hooks.example.org/x"


def test_names_that_resolve_inside_the_network_are_refused() -> None:
    def resolver(addresses: list[str]) -> Any:
        return lambda host, port: addresses

    with pytest.raises(TargetRefused, match=r"resolves to 10\.1\.2\.3"):
        check_host(
            "hooks.example.org", 443, resolver=resolver(["93.184.215.14", "10.1.2.3"]), allow_loopback=False
        )
    with pytest.raises(TargetRefused, match="link-local"):
        check_host("rebind.example.org", 443, resolver=resolver(["169.254.169.254"]), allow_loopback=False)
    assert check_host(
        "hooks.example.org", 443, resolver=resolver(["93.184.215.14"]), allow_loopback=False
    ) == ["93.184.215.14"]
    problem = target_url_problem(
        "https://hooks.example.org/x", allow_http_loopback=False, resolver=resolver(["192.168.0.7"])
    )
    assert problem is not None and "192.168.0.7" in problem


def test_delivery_connects_to_the_address_it_checked() -> None:
    pinned = pin_target(
        "https://hooks.example.org:8443/x?y=1", resolver=lambda h, p: ["93.184.215.14"], allow_loopback=False
    )
    assert pinned.url == "https://93.184.215.14:8443/x?y=1"
    assert pinned.host == "hooks.example.org"


@pytest.mark.anyio
async def test_a_name_rebound_inside_the_network_after_subscribing_is_not_delivered(
    reporting_client: httpx.AsyncClient,
    admin_headers: dict[str, str],
    session: Session,
    receiver: Receiver,
    make_dispatcher: Any,
) -> None:
    """Accepted while it resolved nowhere; at delivery it resolves to a private address: refused, nothing sent."""
    created = await create_subscription(reporting_client, admin_headers, "https://hooks.example.org/x")
    append_event(session, "priority.validated", created["district_id"], sitting_date="2026-11-20")
    session.commit()
    dispatcher = make_dispatcher(resolver=lambda host, port: ["10.0.0.9"], max_attempts=1)
    deliveries = f"/webhooks/subscriptions/{created['id']}/deliveries"
    for _ in range(5):
        dispatcher.run_once()
    listed = (await reporting_client.get(deliveries, headers=admin_headers)).json()["items"]
    assert len(listed) == 1 and listed[0]["status"] == "failed"
    detail = (await reporting_client.get(f"{deliveries}/{listed[0]['id']}", headers=admin_headers)).json()
    assert "target refused" in detail["attempt_log"][0]["error"]
    assert "10.0.0.9" in detail["attempt_log"][0]["error"]
    assert receiver.requests == []


@pytest.mark.anyio
async def test_a_loopback_name_is_delivered_to_the_checked_address_with_its_host_header(
    reporting_client: httpx.AsyncClient,
    admin_headers: dict[str, str],
    session: Session,
    receiver: Receiver,
    make_dispatcher: Any,
) -> None:
    url = receiver.url.replace("127.0.0.1", "localhost")
    created = await create_subscription(reporting_client, admin_headers, url)
    append_event(session, "priority.validated", created["district_id"], sitting_date="2026-11-20")
    session.commit()
    dispatcher = make_dispatcher()
    run_until(dispatcher, lambda: len(receiver.final_log) >= 1)
    assert receiver.requests[0].headers["host"].startswith("localhost:")
