"""People: personal data only for keys that may see it, consent, erasure that keeps the log valid and clean."""

from __future__ import annotations

import json
from collections.abc import Callable

import httpx
import pytest
from sqlalchemy import select
from sqlmodel import Session

from shared.db import qualified
from shared.eventlog import read_stream, verify_chain
from shared.eventlog.tables import events
from shared.platform.tables import idempotency_keys
from tests.conftest import TestKey
from tests.registry.conftest import create_district, create_organisation, create_person, event_count

pytestmark = pytest.mark.anyio

PERSONAL = ("given_name", "family_name", "email", "phone")


async def test_register_and_read_with_and_without_personal_data(
    registry_client: httpx.AsyncClient,
    admin_headers: dict[str, str],
    create_api_key: Callable[..., TestKey],
    session: Session,
) -> None:
    district = await create_district(registry_client, admin_headers)
    organisation = await create_organisation(registry_client, admin_headers, [district["id"]])
    person = await create_person(
        registry_client,
        admin_headers,
        [district["id"]],
        organisation_ids=[organisation["id"]],
        phone="+39 051 123456",
    )
    assert person["email"].endswith("@example.org") and person["phone"] == "+39 051 123456"
    stream = read_stream(session, "person", person["id"])
    assert [e.type for e in stream] == ["person.registered"]
    assert stream[0].payload == {
        "person_id": person["id"],
        "actor_category": "social_worker",
        "organisation_ids": [organisation["id"]],
        "district_ids": [district["id"]],
    }
    integration = create_api_key("integration")
    for headers in ({}, integration.headers):
        seen = await registry_client.get(f"/people/{person['id']}", headers=headers)
        assert seen.status_code == 200
        body = seen.json()
        assert (
            body["id"] == person["id"]
            and body["actor_category"] == "social_worker"
            and body["erased"] is False
        )
        assert all(body[field] is None for field in PERSONAL)
        assert body["consents"] is None
        listed = await registry_client.get("/people", params={"district_id": district["id"]}, headers=headers)
        assert [p["id"] for p in listed.json()["items"]] == [person["id"]]
        assert listed.json()["items"][0]["family_name"] is None
        assert person["family_name"] not in listed.text and person["email"] not in listed.text
    # name search would reveal who is registered
    assert (await registry_client.get("/people", params={"q": "Giulia"})).status_code == 401
    assert (
        await registry_client.get("/people", params={"q": "Giulia"}, headers=integration.headers)
    ).status_code == 403
    editor = create_api_key("district_editor", districts=[district["id"]])
    seen = (await registry_client.get(f"/people/{person['id']}", headers=editor.headers)).json()
    assert seen["family_name"] == person["family_name"]


async def test_update_names_changed_fields_only(
    registry_client: httpx.AsyncClient, admin_headers: dict[str, str], session: Session
) -> None:
    district = await create_district(registry_client, admin_headers)
    person = await create_person(registry_client, admin_headers, [district["id"]])
    response = await registry_client.patch(
        f"/people/{person['id']}",
        json={"family_name": "Rossi", "email": "nuova@example.org"},
        headers={**admin_headers, "If-Match": '"1"'},
    )
    assert response.status_code == 200, response.text
    assert response.json()["family_name"] == "Rossi" and response.headers["etag"] == '"2"'
    last = read_stream(session, "person", person["id"])[-1]
    assert last.type == "person.updated"
    assert last.payload["changed_fields"] == ["family_name", "email"]
    assert "Rossi" not in json.dumps(last.payload)
    stale = await registry_client.patch(
        f"/people/{person['id']}", json={"phone": "+39 1"}, headers={**admin_headers, "If-Match": '"1"'}
    )
    assert stale.status_code == 412


async def test_consent_recorded_and_withdrawn(
    registry_client: httpx.AsyncClient, admin_headers: dict[str, str], session: Session
) -> None:
    district = await create_district(registry_client, admin_headers)
    person = await create_person(registry_client, admin_headers, [district["id"]])
    given = await registry_client.post(
        f"/people/{person['id']}/consents",
        json={"purpose": "workshop_contact", "given_at": "2018-03-01T09:00:00Z"},
        headers=admin_headers,
    )
    assert given.status_code == 201, given.text
    consent_id = given.json()["id"]
    early = await registry_client.post(
        f"/people/{person['id']}/consents/{consent_id}/withdraw",
        json={"withdrawn_at": "2017-01-01T00:00:00Z"},
        headers=admin_headers,
    )
    assert early.status_code == 422
    withdrawn = await registry_client.post(
        f"/people/{person['id']}/consents/{consent_id}/withdraw", json={}, headers=admin_headers
    )
    assert withdrawn.status_code == 200 and withdrawn.json()["withdrawn_at"] is not None
    twice = await registry_client.post(
        f"/people/{person['id']}/consents/{consent_id}/withdraw", json={}, headers=admin_headers
    )
    assert twice.status_code == 409
    consents = (await registry_client.get(f"/people/{person['id']}", headers=admin_headers)).json()[
        "consents"
    ]
    assert [(c["purpose"], c["withdrawn_at"] is not None) for c in consents] == [("workshop_contact", True)]
    types = [e.type for e in read_stream(session, "person", person["id"])]
    assert types == ["person.registered", "person.consent_recorded", "person.consent_withdrawn"]


async def test_erasure_keeps_placeholder_log_verifies_and_no_payload_ever_held_pii(
    registry_client: httpx.AsyncClient, admin_headers: dict[str, str], session: Session
) -> None:
    district = await create_district(registry_client, admin_headers)
    body = await registry_client.post(
        "/bodies", json={"district_id": district["id"], "kind": "ufficio_di_piano"}, headers=admin_headers
    )
    people = [
        await create_person(registry_client, {**admin_headers, "Idempotency-Key": f"p-{i}"}, [district["id"]])
        for i in range(3)
    ]
    erased = people[1]
    await registry_client.patch(
        f"/people/{erased['id']}", json={"phone": "+39 333 1234567"}, headers=admin_headers
    )
    member = await registry_client.post(
        f"/bodies/{body.json()['id']}/members",
        json={"person_id": erased["id"], "role": "staff", "valid_from": "2018-01-01"},
        headers=admin_headers,
    )
    assert member.status_code == 201
    response = await registry_client.delete(f"/people/{erased['id']}", headers=admin_headers)
    assert response.status_code == 200, response.text
    placeholder = response.json()
    assert placeholder["erased"] is True and placeholder["id"] == erased["id"]
    assert all(placeholder[field] is None for field in PERSONAL)
    again = await registry_client.get(f"/people/{erased['id']}", headers=admin_headers)
    assert again.status_code == 200 and again.json()["family_name"] is None
    assert again.json()["actor_category"] == "social_worker"
    last = read_stream(session, "person", erased["id"])[-1]
    assert (last.type, last.payload) == ("person.erased", {"person_id": erased["id"]})
    # erasing again changes nothing
    before = event_count(session)
    assert (await registry_client.delete(f"/people/{erased['id']}", headers=admin_headers)).status_code == 200
    assert event_count(session) == before
    # updates of an erased person are refused
    assert (
        await registry_client.patch(
            f"/people/{erased['id']}", json={"given_name": "X"}, headers=admin_headers
        )
    ).status_code == 409
    # the membership (by id) is still answerable
    members = await registry_client.get(f"/bodies/{body.json()['id']}/members", params={"on": "2019-01-01"})
    assert [m["person_id"] for m in members.json()["items"]] == [erased["id"]]
    # name search no longer finds the erased person, the others are still found
    found = await registry_client.get("/people", params={"q": erased["family_name"]}, headers=admin_headers)
    assert found.json()["items"] == []

    connection = session.connection()
    assert verify_chain(connection).ok
    all_payloads = json.dumps([dict(r.payload) for r in connection.execute(select(events.c.payload))])
    for person in people:
        for field in ("given_name", "family_name", "email"):
            assert person[field] not in all_payloads
    assert "333 1234567" not in all_payloads
    replays = " ".join(r.response_body for r in connection.execute(select(idempotency_keys.c.response_body)))
    assert erased["family_name"] not in replays and erased["email"] not in replays
    assert people[0]["family_name"] in replays  # other people's replays are kept


async def test_district_editor_limits(
    registry_client: httpx.AsyncClient,
    admin_headers: dict[str, str],
    create_api_key: Callable[..., TestKey],
    session: Session,
) -> None:
    mine = await create_district(registry_client, admin_headers)
    other = await create_district(registry_client, admin_headers)
    editor = create_api_key("district_editor", districts=[mine["id"]])
    own = await create_person(registry_client, editor.headers, [mine["id"]])
    foreign = await create_person(registry_client, admin_headers, [other["id"]])
    shared = await create_person(registry_client, admin_headers, [mine["id"], other["id"]])
    before = event_count(session)
    denied = [
        registry_client.post(
            "/people",
            json={
                "given_name": "A",
                "family_name": "B",
                "actor_category": "citizen",
                "district_ids": [other["id"]],
            },
            headers=editor.headers,
        ),
        registry_client.patch(f"/people/{foreign['id']}", json={"phone": "+39 1234"}, headers=editor.headers),
        registry_client.patch(f"/people/{shared['id']}", json={"phone": "+39 1234"}, headers=editor.headers),
        registry_client.patch(
            f"/people/{own['id']}", json={"district_ids": [other["id"]]}, headers=editor.headers
        ),
        registry_client.delete(f"/people/{foreign['id']}", headers=editor.headers),
        registry_client.post(
            "/organisations",
            json={"name": "Coop", "kind": "social_cooperative", "district_ids": [mine["id"], other["id"]]},
            headers=editor.headers,
        ),
        registry_client.post(
            "/bodies", json={"district_id": other["id"], "kind": "ufficio_di_piano"}, headers=editor.headers
        ),
    ]
    for attempt in denied:
        response = await attempt
        assert response.status_code == 403, response.text
    assert event_count(session) == before
    ok = await registry_client.patch(
        f"/people/{own['id']}", json={"phone": "+39 1234"}, headers=editor.headers
    )
    assert ok.status_code == 200
    erased = await registry_client.delete(f"/people/{own['id']}", headers=editor.headers)
    assert erased.status_code == 200 and erased.json()["erased"] is True
    anonymous = await registry_client.delete(f"/people/{foreign['id']}")
    assert anonymous.status_code == 401


async def test_bad_input_is_422(registry_client: httpx.AsyncClient, admin_headers: dict[str, str]) -> None:
    district = await create_district(registry_client, admin_headers)
    base = {
        "given_name": "A",
        "family_name": "B",
        "actor_category": "citizen",
        "district_ids": [district["id"]],
    }
    for change in (
        {"actor_category": "wizard"},
        {"email": "not-an-email"},
        {"district_ids": []},
        {"unknown": 1},
        {"given_name": "x" * 500},
        {"district_ids": ["00000000-0000-0000-0000-000000000000"]},
        {"organisation_ids": ["00000000-0000-0000-0000-000000000000"]},
    ):
        response = await registry_client.post("/people", json={**base, **change}, headers=admin_headers)
        assert response.status_code == 422, (change, response.text)
        assert response.json()["errors"][0]["path"].startswith("body")


async def test_an_email_already_registered_is_a_409_naming_the_person(
    registry_client: httpx.AsyncClient, admin_headers: dict[str, str], session: Session
) -> None:
    district = await create_district(registry_client, admin_headers)
    first = await create_person(
        registry_client, admin_headers, [district["id"]], email="Anna.Verdi@example.org"
    )
    before = event_count(session)
    again = {
        "given_name": "Anna",
        "family_name": "Verdi",
        "email": "anna.verdi@example.org",  # the same address, other case
        "actor_category": "citizen",
        "district_ids": [district["id"]],
    }
    clash = await registry_client.post("/people", json=again, headers=admin_headers)
    assert clash.status_code == 409
    problem = clash.json()
    assert problem["existing_person_id"] == first["id"] and first["id"] in problem["detail"]
    assert '"different_person": true' in problem["detail"]
    assert problem["errors"][0]["path"] == "body.email"
    assert event_count(session) == before  # nothing written

    # The caller says it is someone else sharing the address: registered.
    second = await registry_client.post(
        "/people", json={**again, "different_person": True}, headers=admin_headers
    )
    assert second.status_code == 201, second.text
    assert second.json()["id"] != first["id"] and "different_person" not in second.json()


def test_duplicate_email_lookup_uses_the_lower_case_index(session: Session, dialect: str) -> None:
    """Registration looks a duplicate e-mail up on every POST /people: by an index, not a scan of the registry."""
    lookup = (
        f"SELECT id FROM {qualified('people', 'registry', dialect)} WHERE lower(email) = 'anna@example.org'"
    )
    if dialect == "sqlite":
        plan = " ".join(
            str(row) for row in session.connection().exec_driver_sql(f"EXPLAIN QUERY PLAN {lookup}")
        )
    else:
        # A test table is small enough for the planner to prefer a scan; forbid it to see the index is usable.
        session.connection().exec_driver_sql("SET LOCAL enable_seqscan = off")
        plan = " ".join(str(row) for row in session.connection().exec_driver_sql(f"EXPLAIN {lookup}"))
    assert "ix_people_email_lower" in plan
