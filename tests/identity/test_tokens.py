"""Access tokens from a loopback issuer: every bad token is a 401 with its reason, keys rotate, outages degrade.

Keys are made in-process and served by a real HTTP JWKS endpoint (tests/identity/jwks_server.py).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
import uuid
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from cryptography.hazmat.primitives import serialization
from sqlalchemy import select

from services.registry.identity.models import PersonIdentity
from services.registry.people.models import ConsentRecord, Person
from shared.config import Settings
from shared.eventlog.tables import events
from tests.conftest import TestDatabase
from tests.identity.conftest import ADMIN_GROUP, bearer, issuer_settings, spid_issuer
from tests.identity.jwks_server import JwksServer, SigningKey

pytestmark = pytest.mark.anyio

FISCAL_CODE = "RSSMRA80A01H501U"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _citizen(idp: JwksServer, **claims: Any) -> dict[str, Any]:
    return {
        "fiscal_number": f"TINIT-{FISCAL_CODE}",
        "given_name": "Mario",
        "family_name": "Rossi",
        "email": "mario.rossi@example.org",
    } | claims


def _assert_invalid_token(response: httpx.Response, reason: str) -> None:
    assert response.status_code == 401, response.text
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["reason"] == reason, problem
    challenge = response.headers["www-authenticate"]
    assert challenge.startswith("Bearer ")
    assert 'error="invalid_token"' in challenge
    assert "error_description=" in challenge


async def test_first_sign_in_registers_a_participant_with_consent_and_keeps_the_fiscal_code_in_the_registry(
    apps: dict[str, httpx.AsyncClient], idp: JwksServer, db: TestDatabase
) -> None:
    token = idp.token(_citizen(idp))
    me = await apps["registry"].get("/me", headers=bearer(token))
    assert me.status_code == 200, me.text
    body = me.json()
    assert body["kind"] == "person" and body["role"] == "participant"
    assert body["person"]["given_name"] == "Mario"
    # The person sees their own fiscal code (normalised from SPID's TINIT- form).
    assert [i["value"] for i in body["identities"]] == [FISCAL_CODE]
    person_id = body["person_id"]

    again = await apps["registry"].get("/me", headers=bearer(idp.token(_citizen(idp))))
    assert again.json()["person_id"] == person_id  # a new token of the same person: the same record

    with db.session() as session:
        person = session.get(Person, uuid.UUID(person_id))
        assert person is not None and person.actor_category.value == "citizen"
        consents = session.exec(select(ConsentRecord).where(ConsentRecord.person_id == person.id)).all()  # type: ignore[call-overload]
        assert [c[0].purpose for c in consents] == ["participation_sign_in"]
        identities = session.exec(select(PersonIdentity)).all()  # type: ignore[call-overload]
        assert [(i[0].namespace, i[0].value) for i in identities] == [("fiscal_number", FISCAL_CODE)]
        payloads = [json.dumps(row.payload) for row in session.connection().execute(select(events))]
    assert payloads and not any(FISCAL_CODE in p or "Mario" in p for p in payloads)

    # Other people see no fiscal code: the identities of a person are theirs and the admins'.
    other = await apps["registry"].get(
        f"/people/{person_id}/identities",
        headers=bearer(idp.token(_citizen(idp, fiscal_number="TINIT-BNCGLI85B41F205X"))),
    )
    assert other.status_code == 403
    public = await apps["registry"].get(f"/people/{person_id}")
    assert FISCAL_CODE not in public.text


@pytest.mark.parametrize(
    ("case", "reason"),
    [
        ("alg_none", "algorithm_not_allowed"),
        ("hs256_with_public_key", "algorithm_not_allowed"),
        ("unknown_kid", "unknown_key"),
        ("wrong_audience", "wrong_audience"),
        ("expired", "expired"),
        ("not_yet_valid", "not_yet_valid"),
        ("unknown_issuer", "unknown_issuer"),
        ("forged_signature", "bad_signature"),
        ("no_link_claim", "missing_claim"),
        ("garbage", "malformed"),
    ],
)
async def test_bad_tokens_are_401_invalid_token_with_a_reason(
    apps: dict[str, httpx.AsyncClient], idp: JwksServer, case: str, reason: str
) -> None:
    now = int(time.time())
    claims = _citizen(idp)
    key = idp.keys[0]
    if case == "alg_none":
        token = jwt_none(idp, claims)
    elif case == "hs256_with_public_key":
        # The classic confusion attack: HMAC "signed" with the RSA public key the JWKS publishes.
        pem = key.private.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        header = _b64(json.dumps({"alg": "HS256", "kid": key.kid, "typ": "JWT"}).encode())
        payload = _b64(
            json.dumps(
                {"iss": idp.issuer, "aud": "communitylab", "sub": "x", "exp": now + 300} | claims
            ).encode()
        )
        signature = _b64(hmac.new(pem, f"{header}.{payload}".encode(), hashlib.sha256).digest())
        token = f"{header}.{payload}.{signature}"
    elif case == "unknown_kid":
        token = idp.token(claims, key=SigningKey.rsa("not-published"))
    elif case == "wrong_audience":
        token = idp.token(claims, audience="another-api")
    elif case == "expired":
        token = idp.token(claims | {"iat": now - 900, "exp": now - 120})  # beyond the 60 s skew
    elif case == "not_yet_valid":
        token = idp.token(claims | {"nbf": now + 600})
    elif case == "unknown_issuer":
        token = idp.token(claims | {"iss": "https://idp.attacker.example"})
    elif case == "forged_signature":
        token = idp.token(claims, key=SigningKey.rsa(key.kid))  # the published kid, another private key
    elif case == "no_link_claim":
        token = idp.token({"given_name": "Mario"})
    else:
        token = "not.a.jwt"
    for service in ("registry", "workshops"):
        response = await apps[service].get(
            "/me" if service == "registry" else f"/priorities/{uuid.uuid4()}", headers=bearer(token)
        )
        _assert_invalid_token(response, reason)


def jwt_none(idp: JwksServer, claims: dict[str, Any]) -> str:
    """An unsigned token (``alg: none``)."""
    now = int(time.time())
    header = _b64(json.dumps({"alg": "none", "typ": "JWT"}).encode())
    payload = _b64(
        json.dumps({"iss": idp.issuer, "aud": "communitylab", "sub": "x", "exp": now + 300} | claims).encode()
    )
    return f"{header}.{payload}."


async def test_clock_skew_is_bounded(apps: dict[str, httpx.AsyncClient], idp: JwksServer) -> None:
    now = int(time.time())
    just_expired = idp.token(_citizen(idp) | {"iat": now - 400, "exp": now - 20})
    assert (await apps["registry"].get("/me", headers=bearer(just_expired))).status_code == 200
    long_expired = idp.token(_citizen(idp) | {"iat": now - 400, "exp": now - 90})
    _assert_invalid_token(await apps["registry"].get("/me", headers=bearer(long_expired)), "expired")


async def test_api_keys_keep_working_next_to_tokens(
    apps: dict[str, httpx.AsyncClient], create_api_key: Callable[..., Any]
) -> None:
    key = create_api_key("regional_admin")
    me = await apps["registry"].get("/me", headers=key.headers)
    assert me.status_code == 200, me.text
    assert me.json()["kind"] == "api_key" and me.json()["regional_admin"] is True
    bad_key = await apps["registry"].get("/me", headers=bearer("clk_nope_nope"))
    assert bad_key.status_code == 401 and bad_key.json()["detail"] == "unknown API key"


async def test_rotated_keys_are_fetched_once_for_an_unknown_kid_and_refetches_are_rate_limited(
    oidc_apps: Callable[[Settings], dict[str, httpx.AsyncClient]], settings: Settings, idp: JwksServer
) -> None:
    apps = oidc_apps(
        issuer_settings(settings, spid_issuer(idp.issuer)).model_copy(
            update={"oidc_jwks_min_refetch_seconds": 30.0}
        )
    )
    registry = apps["registry"]
    assert (await registry.get("/me", headers=bearer(idp.token(_citizen(idp))))).status_code == 200
    assert idp.jwks_fetches == 1
    assert (await registry.get("/me", headers=bearer(idp.token(_citizen(idp))))).status_code == 200
    assert idp.jwks_fetches == 1  # cached

    # The provider rotates: a new key signs, the old one is still published for tokens already issued.
    # Within the refetch interval an unknown kid is not looked up again (forged kids cannot hammer the IdP).
    new_key = SigningKey.rsa()
    idp.keys.insert(0, new_key)
    refused = await registry.get("/me", headers=bearer(idp.token(_citizen(idp), key=new_key)))
    _assert_invalid_token(refused, "unknown_key")
    assert idp.jwks_fetches == 1

    verifier = registry.app.state.token_verifier  # type: ignore[attr-defined]
    verifier._min_refetch = 0.0  # the interval has passed
    accepted = await registry.get("/me", headers=bearer(idp.token(_citizen(idp), key=new_key)))
    assert accepted.status_code == 200, accepted.text
    assert idp.jwks_fetches == 2
    old = await registry.get("/me", headers=bearer(idp.token(_citizen(idp), key=idp.keys[1])))
    assert old.status_code == 200


async def test_unreachable_jwks_cached_keys_keep_working_and_without_keys_it_is_503(
    oidc_apps: Callable[[Settings], dict[str, httpx.AsyncClient]], settings: Settings, idp: JwksServer
) -> None:
    configured = issuer_settings(settings, spid_issuer(idp.issuer)).model_copy(
        update={"oidc_jwks_cache_seconds": 0.001}
    )
    warm = oidc_apps(configured)["registry"]
    assert (await warm.get("/me", headers=bearer(idp.token(_citizen(idp))))).status_code == 200
    idp.up = False
    time.sleep(0.01)  # the cache is stale, the refetch fails: the cached keys still verify
    still = await warm.get("/me", headers=bearer(idp.token(_citizen(idp))))
    assert still.status_code == 200, still.text

    cold = oidc_apps(configured)["registry"]
    unavailable = await cold.get("/me", headers=bearer(idp.token(_citizen(idp))))
    assert unavailable.status_code == 503, unavailable.text
    assert unavailable.json()["type"].endswith("/identity-provider-unavailable")
    assert unavailable.headers["retry-after"]


async def test_issuer_not_trusted_to_register_people_needs_a_link_made_by_an_admin(
    oidc_apps: Callable[[Settings], dict[str, httpx.AsyncClient]],
    settings: Settings,
    idp: JwksServer,
    create_api_key: Callable[..., Any],
) -> None:
    staff = spid_issuer(idp.issuer).model_copy(update={"link_claim": "sub", "create_participants": False})
    apps = oidc_apps(issuer_settings(settings, staff))
    admin = create_api_key("regional_admin").headers
    token = idp.token({"sub": "kc-user-42"})
    district = (
        await apps["registry"].post("/districts", json={"name": "Distretto Sud-Est"}, headers=admin)
    ).json()["id"]
    refused = await apps["registry"].get("/me", headers=bearer(token))
    assert refused.status_code == 403 and refused.json()["reason"] == "not_registered"

    person = await apps["registry"].post(
        "/people",
        json={
            "given_name": "Lucia",
            "family_name": "Verdi",
            "actor_category": "planning_office_staff",
            "district_ids": [district],
        },
        headers=admin,
    )
    assert person.status_code == 201, person.text
    linked = await apps["registry"].post(
        f"/people/{person.json()['id']}/identities",
        json={"issuer": idp.issuer, "value": "kc-user-42"},
        headers=admin,
    )
    assert linked.status_code == 201, linked.text
    me = await apps["registry"].get("/me", headers=bearer(token))
    assert me.status_code == 200 and me.json()["person_id"] == person.json()["id"]
    # Workshops resolves the same person through the registry's HTTP API.
    workshops_me = await apps["workshops"].get(f"/priorities/{uuid.uuid4()}", headers=bearer(token))
    assert workshops_me.status_code == 404, workshops_me.text  # authenticated, then the priority is unknown


async def test_me_follows_memberships_and_grants_added_after_the_token_was_issued(
    apps: dict[str, httpx.AsyncClient], idp: JwksServer, db: TestDatabase
) -> None:
    registry = apps["registry"]
    admin = bearer(idp.token(_citizen(idp, fiscal_number="TINIT-DMNSRA70A41H223Y", groups=[ADMIN_GROUP])))
    admin_me = (await registry.get("/me", headers=admin)).json()
    assert (
        admin_me["regional_admin"] is True
        and {"action": "grants.manage", "district_id": None} in admin_me["permissions"]
    )

    citizen = bearer(idp.token(_citizen(idp)))  # one token, kept for the whole test
    me = (await registry.get("/me", headers=citizen)).json()
    assert me["memberships"] == [] and me["permissions"] == [] and me["role"] == "participant"
    person_id = me["person_id"]

    district = (
        await registry.post("/districts", json={"name": "Distretto di Scandiano"}, headers=admin)
    ).json()["id"]
    body = (
        await registry.post(
            "/bodies",
            json={"district_id": district, "kind": "ufficio_di_piano", "name": "UdP"},
            headers=admin,
        )
    ).json()["id"]
    added = await registry.post(
        f"/bodies/{body}/members",
        json={"person_id": person_id, "role": "staff", "valid_from": "2020-01-01"},
        headers=admin,
    )
    assert added.status_code == 201, added.text
    me = (await registry.get("/me", headers=citizen)).json()
    assert [(m["body_kind"], m["role"]) for m in me["memberships"]] == [("ufficio_di_piano", "staff")]
    assert {"action": "priorities.submit", "district_id": district} in me["permissions"]

    # Grants are made by regional admins, over the API, as events with ids only.
    forbidden = await registry.post(
        "/grants", json={"person_id": person_id, "role": "regional_admin"}, headers=citizen
    )
    assert forbidden.status_code == 403
    grant = await registry.post(
        "/grants",
        json={"person_id": person_id, "role": "district_editor", "district_id": district},
        headers=admin,
    )
    assert grant.status_code == 201, grant.text
    assert grant.headers["location"] == f"/grants/{grant.json()['id']}"
    me = (await registry.get("/me", headers=citizen)).json()
    assert me["role"] == "district_editor" and me["district_editor_of"] == [district]
    with db.session() as session:
        made = session.connection().execute(select(events).where(events.c.type == "grant.made")).one()
    assert made.payload == {
        "grant_id": grant.json()["id"],
        "person_id": person_id,
        "role": "district_editor",
        "district_id": district,
    }
    revoked = await registry.post(f"/grants/{grant.json()['id']}/revoke", headers=admin)
    assert revoked.status_code == 200 and revoked.json()["revoked_at"]
    assert (await registry.get("/me", headers=citizen)).json()["district_editor_of"] == []
    again = await registry.post(f"/grants/{grant.json()['id']}/revoke", headers=admin)
    assert again.status_code == 409


async def test_erasure_forgets_the_sign_in_identifiers(
    apps: dict[str, httpx.AsyncClient], idp: JwksServer, db: TestDatabase, admin_headers: dict[str, str]
) -> None:
    me = await apps["registry"].get("/me", headers=bearer(idp.token(_citizen(idp))))
    person_id = me.json()["person_id"]
    erased = await apps["registry"].delete(f"/people/{person_id}", headers=admin_headers)
    assert erased.status_code == 200, erased.text
    with db.session() as session:
        stored = session.exec(select(PersonIdentity)).all()  # type: ignore[call-overload]
        assert [row[0].value for row in stored if str(row[0].person_id) == person_id] == []
    # Signing in again is a new start: the erased placeholder is never linked back to the fiscal code.
    again = await apps["registry"].get("/me", headers=bearer(idp.token(_citizen(idp))))
    assert again.status_code == 200 and again.json()["person_id"] != person_id
