"""Regressions schemathesis found: a body that is not even UTF-8 is a documented 422 problem, not a 400."""

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
