"""Rights that follow the registry for people signed in with tokens, and CORS for the front ends."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest

from shared.config import Settings
from tests.identity.conftest import bearer, issuer_settings, spid_issuer
from tests.identity.jwks_server import JwksServer

pytestmark = pytest.mark.anyio

FRONT_END = "https://partecipa.example"


def _person_token(idp: JwksServer, fiscal_code: str) -> dict[str, str]:
    return bearer(
        idp.token({"fiscal_number": f"TINIT-{fiscal_code}", "given_name": "Ada", "family_name": "Neri"})
    )


async def test_priority_steps_follow_memberships_for_signed_in_people(
    apps: dict[str, httpx.AsyncClient], idp: JwksServer, create_api_key: Callable[..., Any]
) -> None:
    registry, workshops = apps["registry"], apps["workshops"]
    admin = create_api_key("regional_admin").headers
    planner = _person_token(idp, "PLNNNA80A41H223Z")
    outsider = _person_token(idp, "TSDRRA75B12A944K")
    planner_id = (await registry.get("/me", headers=planner)).json()["person_id"]
    await registry.get("/me", headers=outsider)

    district = (
        await registry.post("/districts", json={"name": "Distretto di Castelnovo"}, headers=admin)
    ).json()["id"]
    proposed = await workshops.post(
        "/priorities",
        json={"district_id": district, "source": "ufficio_di_piano", "title": "Trasporto sociale"},
        headers=admin,
    )
    assert proposed.status_code == 201, proposed.text
    pid = proposed.json()["id"]

    not_member = await workshops.post(f"/priorities/{pid}/submit", json={"year": 2026}, headers=planner)
    assert not_member.status_code == 403, not_member.text
    body = (
        await registry.post(
            "/bodies",
            json={"district_id": district, "kind": "ufficio_di_piano", "name": "UdP"},
            headers=admin,
        )
    ).json()["id"]
    member = await registry.post(
        f"/bodies/{body}/members",
        json={"person_id": planner_id, "role": "coordinator", "valid_from": "2020-01-01"},
        headers=admin,
    )
    assert member.status_code == 201, member.text
    # A membership is not an editor grant: other steps still need the district's editors.
    assign = await workshops.post(
        f"/priorities/{pid}/assign", json={"project_table_workshop_ids": []}, headers=planner
    )
    assert assign.status_code in (403, 422), assign.text
    refused = await workshops.post(f"/priorities/{pid}/submit", json={"year": 2026}, headers=outsider)
    assert refused.status_code == 403
    submitted = await workshops.post(f"/priorities/{pid}/submit", json={"year": 2026}, headers=planner)
    assert submitted.status_code == 200, submitted.text
    assert submitted.json()["state"] == "submitted"


async def test_participants_cannot_write_district_data(
    apps: dict[str, httpx.AsyncClient], idp: JwksServer
) -> None:
    citizen = _person_token(idp, "CTZNNA90C41F839W")
    created = await apps["registry"].post("/districts", json={"name": "Distretto abusivo"}, headers=citizen)
    assert created.status_code == 403, created.text


async def test_cors_preflight_and_exposed_headers(
    oidc_apps: Callable[[Settings], dict[str, httpx.AsyncClient]], settings: Settings, idp: JwksServer
) -> None:
    apps = oidc_apps(issuer_settings(settings, spid_issuer(idp.issuer), cors_origins=[FRONT_END]))
    for client in apps.values():
        preflight = await client.options(
            "/me",
            headers={
                "Origin": FRONT_END,
                "Access-Control-Request-Method": "POST",
                "Access-Control-Request-Headers": "authorization, content-type, if-match, idempotency-key",
            },
        )
        assert preflight.status_code == 200, preflight.text
        assert preflight.headers["access-control-allow-origin"] == FRONT_END
        assert "POST" in preflight.headers["access-control-allow-methods"]
        allowed = preflight.headers["access-control-allow-headers"].lower()
        assert {"authorization", "if-match", "idempotency-key"} <= {h.strip() for h in allowed.split(",")}
        assert "access-control-allow-credentials" not in preflight.headers
        assert int(preflight.headers["access-control-max-age"]) == 600

        foreign = await client.options(
            "/me", headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"}
        )
        assert foreign.status_code == 400
        assert "access-control-allow-origin" not in foreign.headers

    simple = await apps["registry"].get("/healthz", headers={"Origin": FRONT_END})
    assert simple.headers["access-control-allow-origin"] == FRONT_END
    exposed = {h.strip().lower() for h in simple.headers["access-control-expose-headers"].split(",")}
    assert {"etag", "location", "link", "ratelimit"} <= exposed
    # Errors carry the headers too, so a front end can read the problem document.
    denied = await apps["registry"].get("/me", headers={"Origin": FRONT_END})
    assert denied.status_code == 401 and denied.headers["access-control-allow-origin"] == FRONT_END


async def test_no_cors_headers_without_configured_origins(apps: dict[str, httpx.AsyncClient]) -> None:
    response = await apps["registry"].get("/healthz", headers={"Origin": FRONT_END})
    assert "access-control-allow-origin" not in response.headers
