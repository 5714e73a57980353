"""Every service answers health, readiness and errors the same way."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest

from shared.deps import PrincipalDep

pytestmark = pytest.mark.anyio


def whoami(principal: PrincipalDep) -> dict[str, str | None]:
    """A probe route: who the key resolves to."""
    return {"actor_id": principal.actor_id}


SERVICES = ["registry", "workshops", "reporting"]


@pytest.mark.parametrize("service", SERVICES)
async def test_health_and_readiness(make_client: Callable[[str], httpx.AsyncClient], service: str) -> None:
    async with make_client(service) as client:
        health = await client.get("/healthz")
        ready = await client.get("/readyz")
    assert health.status_code == 200 and health.json()["status"] == "ok"
    assert ready.status_code == 200, ready.text
    assert ready.json()["checks"]["migrations"] == "at head"


@pytest.mark.parametrize("service", SERVICES)
async def test_unknown_route_is_problem_json_with_request_id(
    make_client: Callable[[str], httpx.AsyncClient], service: str
) -> None:
    async with make_client(service) as client:
        response = await client.get("/no-such-route", headers={"X-Request-ID": "abc-123"})
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["x-request-id"] == "abc-123"
    assert response.json()["request_id"] == "abc-123"


async def test_bad_key_is_401_problem(make_client: Callable[[str], httpx.AsyncClient]) -> None:
    async with make_client("registry") as client:
        response = await client.get("/healthz")
        assert response.status_code == 200
        client.app.add_api_route("/whoami-test", whoami)  # type: ignore[attr-defined]
        denied = await client.get("/whoami-test", headers={"Authorization": "Bearer clk_nope_nope"})
        anonymous = await client.get("/whoami-test")
    assert denied.status_code == 401
    assert denied.headers["content-type"] == "application/problem+json"
    assert denied.headers["www-authenticate"].startswith("Bearer")
    assert anonymous.json() == {"actor_id": None}


def test_production_refuses_the_default_secret() -> None:
    from pydantic import ValidationError

    from shared.config import Settings

    with pytest.raises(ValidationError, match="SECRET_KEY must be set"):
        Settings(environment="production")
    strong = "s" * 32
    assert Settings(environment="production", secret_key=strong).secret_key == strong


@pytest.mark.parametrize("secret", ["x", "a-real-secret", "s" * 31, "è" * 15])
def test_production_refuses_secrets_shorter_than_32_bytes(secret: str) -> None:
    from pydantic import ValidationError

    from shared.config import Settings

    with pytest.raises(ValidationError, match="at least 32 bytes"):
        Settings(environment="production", secret_key=secret)
    assert Settings(environment="development", secret_key=secret).secret_key == secret


def test_production_refuses_loopback_webhook_targets() -> None:
    from pydantic import ValidationError

    from shared.config import Settings

    assert Settings().webhook_allow_http_loopback is False
    with pytest.raises(ValidationError, match="WEBHOOK_ALLOW_HTTP_LOOPBACK"):
        Settings(environment="production", secret_key="s" * 40, webhook_allow_http_loopback=True)


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/inventions", {"process_id": "7f0c0000-0000-4000-8000-000000000000", "title": "x"}),
        ("/evaluation-responses", {"process_id": "7f0c0000-0000-4000-8000-000000000000"}),
        ("/processes/7f0c0000-0000-4000-8000-000000000000/phases", {"name": "ascolto"}),
    ],
)
async def test_anonymous_writes_are_401_before_any_lookup(
    make_client: Callable[[str], httpx.AsyncClient], path: str, body: dict[str, str]
) -> None:
    async with make_client("workshops") as client:
        response = await client.post(path, json=body)
    assert response.status_code == 401, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert "does not exist" not in response.text
