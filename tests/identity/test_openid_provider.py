"""The priority cycle with people's own tokens from a real OpenID Provider (oidc-provider), keys rotating.

The provider runs on loopback (tests/identity/provider); tokens come from its real endpoints: the planner and
the Comitato member sign in with the authorization-code flow and PKCE (SPID-style claims), an integration
uses the client-credentials grant of a staff realm.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import httpx
import jwt
import pytest
from sqlalchemy import select

from shared.config import OidcIssuer, Settings
from shared.eventlog.tables import events
from tests.conftest import TestDatabase
from tests.identity.conftest import bearer, issuer_settings
from tests.identity.openid_provider import (
    ADMIN_GROUP,
    AUDIENCE,
    OTHER_AUDIENCE,
    OpenIdProvider,
    missing_reason,
)

pytestmark = pytest.mark.anyio


@pytest.fixture(scope="module")
def provider() -> Iterator[OpenIdProvider]:
    if (reason := missing_reason()) is not None:
        pytest.skip(reason)
    running = OpenIdProvider.start()
    try:
        yield running
    finally:
        running.stop()


@pytest.fixture
def provider_apps(
    oidc_apps: Callable[[Settings], dict[str, httpx.AsyncClient]],
    settings: Settings,
    provider: OpenIdProvider,
) -> dict[str, httpx.AsyncClient]:
    spid = OidcIssuer(
        issuer=provider.issuers["spid"],
        audience=AUDIENCE,
        link_claim="fiscal_number",
        create_participants=True,
    )
    staff = OidcIssuer(
        issuer=provider.issuers["staff"], audience=AUDIENCE, link_claim="sub", admin_groups=[ADMIN_GROUP]
    )
    return oidc_apps(issuer_settings(settings, spid, staff))


def _kid(token: str) -> str:
    return str(jwt.get_unverified_header(token)["kid"])


async def test_priority_cycle_with_the_planners_and_the_comitato_members_own_tokens(
    provider_apps: dict[str, httpx.AsyncClient],
    provider: OpenIdProvider,
    create_api_key: Callable[..., Any],
    db: TestDatabase,
) -> None:
    registry, workshops = provider_apps["registry"], provider_apps["workshops"]
    admin = create_api_key("regional_admin").headers
    planner = bearer(provider.sign_in("planner"))
    planner_me = await registry.get("/me", headers=planner)
    assert planner_me.status_code == 200, planner_me.text
    planner_id = planner_me.json()["person_id"]
    assert planner_me.json()["person"]["family_name"] == "Pianta"
    assert planner_me.json()["identities"][0]["value"] == "PNTLCU80A41H223K"

    district = (
        await registry.post("/districts", json={"name": "Distretto di Correggio"}, headers=admin)
    ).json()["id"]
    bodies = {}
    for kind in ("ufficio_di_piano", "comitato_di_distretto"):
        made = await registry.post(
            "/bodies", json={"district_id": district, "kind": kind, "name": kind}, headers=admin
        )
        bodies[kind] = made.json()["id"]
    added = await registry.post(
        f"/bodies/{bodies['ufficio_di_piano']}/members",
        json={"person_id": planner_id, "role": "staff", "valid_from": "2020-01-01"},
        headers=admin,
    )
    assert added.status_code == 201, added.text
    # The planner's token was issued before the membership: /me shows it anyway.
    me = (await registry.get("/me", headers=planner)).json()
    assert {"action": "priorities.submit", "district_id": district} in me["permissions"]

    proposed = await workshops.post(
        "/priorities",
        json={"district_id": district, "source": "ufficio_di_piano", "title": "Contrastare la solitudine"},
        headers=admin,
    )
    assert proposed.status_code == 201, proposed.text
    pid = proposed.json()["id"]
    submitted = await workshops.post(f"/priorities/{pid}/submit", json={"year": 2026}, headers=planner)
    assert submitted.status_code == 200, submitted.text
    assert submitted.json()["state"] == "submitted"
    decision = {"sitting_date": "2026-03-12", "motivation": "Coerente con il Piano di Zona"}
    planner_validates = await workshops.post(f"/priorities/{pid}/validate", json=decision, headers=planner)
    assert planner_validates.status_code == 403, planner_validates.text

    # The provider rotates its signing key mid-cycle; the Comitato member signs in with the new key.
    old_kid = _kid(planner["Authorization"].removeprefix("Bearer "))
    kids = provider.rotate("spid")
    assert kids[1] == old_kid
    comitato_token = provider.sign_in("comitato")
    assert _kid(comitato_token) == kids[0] != old_kid
    comitato = bearer(comitato_token)
    # Workshops verifies the new key (fetching the rotated JWKS) and resolves the person via the registry.
    assert (await workshops.get(f"/priorities/{pid}", headers=comitato)).status_code == 200
    comitato_person = (await registry.get("/me", headers=comitato)).json()["person_id"]
    added = await registry.post(
        f"/bodies/{bodies['comitato_di_distretto']}/members",
        json={"person_id": comitato_person, "role": "delegate", "valid_from": "2020-01-01"},
        headers=admin,
    )
    assert added.status_code == 201, added.text
    validated = await workshops.post(f"/priorities/{pid}/validate", json=decision, headers=comitato)
    assert validated.status_code == 200, validated.text
    assert validated.json()["state"] == "validated"
    # Tokens signed with the previous key are still good (it is still published).
    assert (await registry.get("/me", headers=planner)).status_code == 200

    with db.session() as session:
        rows = (
            session.connection()
            .execute(
                select(events.c.type, events.c.actor_id, events.c.payload).where(events.c.stream_id == pid)
            )
            .all()
        )
    actors = {row.type: row.actor_id for row in rows}
    assert actors["priority.submitted"] == planner_id
    assert actors["priority.validated"] == comitato_person
    assert not any("PNTLCU80A41H223K" in str(row.payload) for row in rows)


async def test_client_credentials_token_of_a_staff_realm(
    provider_apps: dict[str, httpx.AsyncClient], provider: OpenIdProvider, create_api_key: Callable[..., Any]
) -> None:
    registry = provider_apps["registry"]
    admin = create_api_key("regional_admin").headers
    token = provider.client_credentials()
    unlinked = await registry.get("/me", headers=bearer(token))
    assert unlinked.status_code == 403 and unlinked.json()["reason"] == "not_registered"

    district = (await registry.post("/districts", json={"name": "Distretto Ovest"}, headers=admin)).json()[
        "id"
    ]
    person = await registry.post(
        "/people",
        json={
            "given_name": "Bot",
            "family_name": "Operativo",
            "actor_category": "administrator",
            "district_ids": [district],
        },
        headers=admin,
    )
    link = await registry.post(
        f"/people/{person.json()['id']}/identities",
        json={"issuer": provider.issuers["staff"], "value": "ops-bot"},
        headers=admin,
    )
    assert link.status_code == 201, link.text
    me = await registry.get("/me", headers=bearer(token))
    assert me.status_code == 200, me.text
    assert me.json()["regional_admin"] is True  # from the realm's group claim

    other = await registry.get("/me", headers=bearer(provider.client_credentials(resource=OTHER_AUDIENCE)))
    assert other.status_code == 401 and other.json()["reason"] == "wrong_audience"
    assert 'error="invalid_token"' in other.headers["www-authenticate"]

    provider.rotate("staff")
    rotated = provider.client_credentials()
    assert _kid(rotated) != _kid(token)
    assert (await registry.get("/me", headers=bearer(rotated))).status_code == 200
    assert (await registry.get("/me", headers=bearer(token))).status_code == 200
