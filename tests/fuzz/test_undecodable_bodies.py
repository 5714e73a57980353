"""Regressions schemathesis found: undecodable bodies and unparsable URLs are documented 422 problems."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest
from sqlmodel import Session

from shared.eventlog import last_position

pytestmark = pytest.mark.anyio


@pytest.mark.parametrize(
    ("service", "path"),
    [("registry", "/districts"), ("workshops", "/processes"), ("workshops", "/programmes")],
)
async def test_undecodable_json_body_is_422_problem_and_writes_nothing(
    make_client: Callable[[str], httpx.AsyncClient],
    admin_headers: dict[str, str],
    session: Session,
    service: str,
    path: str,
) -> None:
    before = last_position(session)
    async with make_client(service) as client:
        response = await client.post(
            path,
            content=b"\xf1\x89\xba\xbb\x1cp\xff-\xfe?D",
            headers={**admin_headers, "Content-Type": "application/json"},
        )
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    problem = response.json()
    assert problem["status"] == 422
    assert problem["errors"][0]["path"] == "body"
    assert last_position(session) == before
    # Every route documents 422, so the answer matches the OpenAPI document.
    operation = client.app.openapi()["paths"][path]["post"]  # type: ignore[attr-defined]
    assert "422" in operation["responses"]


@pytest.mark.parametrize("url", ["https://L[ÆÉ'J", "https://[::1", "http://]x["])
async def test_webhook_url_that_urlsplit_refuses_is_422_not_500(
    make_client: Callable[[str], httpx.AsyncClient], admin_headers: dict[str, str], session: Session, url: str
) -> None:
    async with make_client("reporting") as client:
        response = await client.post(
            "/webhooks/subscriptions", json={"url": url, "event_types": ["*"]}, headers=admin_headers
        )
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["errors"][0]["path"] == "body.url"
