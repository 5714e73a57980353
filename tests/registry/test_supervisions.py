"""Supervisions (issue 22.2): cases from processes or workshops brought to supervisors; notes private.

The registry app reaches the real workshops app over its in-process HTTP bridge (both on the test transaction),
so the case's process and workshop, and the session's edition, are checked as in production.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from sqlmodel import Session

from shared.auth.principal import Role
from shared.clients.asgi_bridge import ASGIBridgeTransport
from shared.clients.workshops import WorkshopsClient
from shared.eventlog import read_stream
from tests.conftest import TestKey
from tests.registry.conftest import create_district, create_person

pytestmark = pytest.mark.anyio

NOTE = "Il facilitatore fatica a tenere insieme il tavolo: restituire le domande prima delle soluzioni."


@dataclass
class Setting:
    registry: httpx.AsyncClient
    workshops: httpx.AsyncClient
    admin: dict[str, str]
    key: Callable[..., TestKey]
    district_id: str
    edition_id: str
    process_id: str
    workshop_id: str
    facilitator_id: str
    supervisor_id: str
    other_facilitator_id: str


@pytest.fixture
async def setting(
    make_client: Callable[..., httpx.AsyncClient],
    admin_headers: dict[str, str],
    create_api_key: Callable[..., TestKey],
) -> AsyncIterator[Setting]:
    async with make_client("workshops") as workshops:
        bridge = WorkshopsClient("http://workshops.test", transport=ASGIBridgeTransport(workshops.app))  # type: ignore[attr-defined]
        async with make_client("registry", workshops=bridge) as registry:
            district = await create_district(registry, admin_headers)
            programme = await workshops.post(
                "/programmes", json={"name": "Community Lab"}, headers=admin_headers
            )
            assert programme.status_code == 201, programme.text
            edition = await workshops.post(
                f"/programmes/{programme.json()['id']}/editions",
                json={"name": "Community Lab 2018-2019", "district_ids": [district["id"]]},
                headers=admin_headers,
            )
            assert edition.status_code == 201, edition.text
            process = await workshops.post(
                "/processes",
                json={
                    "district_id": district["id"],
                    "edition_id": edition.json()["id"],
                    "title": "Aggiungi un posto al tavolo",
                    "started_on": "2018-10-01",
                    "status": "active",
                },
                headers=admin_headers,
            )
            assert process.status_code == 201, process.text
            workshop = await workshops.post(
                f"/processes/{process.json()['id']}/workshops",
                json={
                    "method": "world_cafe",
                    "title": "World Café",
                    "starts_at": "2018-11-20T09:00:00+01:00",
                    "ends_at": "2018-11-20T12:30:00+01:00",
                },
                headers=admin_headers,
            )
            assert workshop.status_code == 201, workshop.text
            people = [
                (await create_person(registry, admin_headers, [district["id"]]))["id"] for _ in range(3)
            ]
            for person_id, kind in ((people[0], "facilitator"), (people[2], "tutor")):
                profile = await registry.post(
                    "/facilitators",
                    json={"person_id": person_id, "kind": kind, "district_ids": [district["id"]]},
                    headers=admin_headers,
                )
                assert profile.status_code == 201, profile.text
            yield Setting(
                registry=registry,
                workshops=workshops,
                admin=admin_headers,
                key=create_api_key,
                district_id=district["id"],
                edition_id=edition.json()["id"],
                process_id=process.json()["id"],
                workshop_id=workshop.json()["id"],
                facilitator_id=people[0],
                supervisor_id=people[1],
                other_facilitator_id=people[2],
            )


async def _supervision(s: Setting, **fields: Any) -> dict[str, Any]:
    body = {
        "held_on": "2019-03-14",
        "place": "Bologna",
        "edition_id": s.edition_id,
        "supervisor_person_ids": [s.supervisor_id],
        **fields,
    }
    response = await s.registry.post("/supervisions", json=body, headers=s.admin)
    assert response.status_code == 201, response.text
    return dict(response.json())


async def _case(s: Setting, supervision_id: str, headers: dict[str, str], **fields: Any) -> httpx.Response:
    body = {
        "supervision_id": supervision_id,
        "facilitator_id": s.facilitator_id,
        "process_id": s.process_id,
        "workshop_id": s.workshop_id,
        "title": "Un tavolo che non decolla",
        **fields,
    }
    return await s.registry.post("/supervision-cases", json=body, headers=headers)


async def test_a_facilitator_brings_a_case_from_a_workshop_and_the_supervisor_notes_it(
    setting: Setting, session: Session
) -> None:
    s = setting
    supervision = await _supervision(s)
    assert supervision["supervisor_person_ids"] == [s.supervisor_id]
    facilitator = s.key(Role.FACILITATOR, person_id=s.facilitator_id).headers
    case = await _case(s, supervision["id"], facilitator)
    assert case.status_code == 201, case.text
    body = case.json()
    assert body["subject_kind"] == "workshop"
    assert body["workshop_id"] == s.workshop_id
    assert body["district_id"] == s.district_id and body["edition_id"] == s.edition_id

    supervisor = s.key(Role.FACILITATOR, person_id=s.supervisor_id).headers
    note = await s.registry.post(
        f"/supervision-cases/{body['id']}/notes", json={"body": NOTE}, headers=supervisor
    )
    assert note.status_code == 201, note.text
    assert note.json()["author_id"] == s.supervisor_id

    for reader in (facilitator, supervisor, s.admin):
        notes = await s.registry.get(f"/supervision-cases/{body['id']}/notes", headers=reader)
        assert notes.status_code == 200, notes.text
        assert [n["body"] for n in notes.json()["items"]] == [NOTE]
    read = await s.registry.get(f"/supervisions/{supervision['id']}", headers=facilitator)
    assert read.status_code == 200, read.text
    assert [(c["id"], c["notes"]) for c in read.json()["cases"]] == [(body["id"], 1)]

    # The events carry ids and say a note was added, never its text.
    stream = read_stream(session, "supervision", supervision["id"])
    assert [e.type for e in stream] == [
        "supervision.scheduled",
        "supervision.case_brought",
        "supervision.note_added",
    ]
    assert stream[1].district_id == s.district_id
    assert stream[2].payload["note_id"] == note.json()["id"]
    assert all(NOTE not in str(e.payload) and "body" not in e.payload for e in stream)


async def test_a_case_from_the_whole_process(setting: Setting) -> None:
    s = setting
    supervision = await _supervision(s)
    case = await _case(s, supervision["id"], s.admin, workshop_id=None)
    assert case.status_code == 201, case.text
    assert case.json()["subject_kind"] == "process" and case.json()["workshop_id"] is None


async def test_notes_are_private_to_the_case_participants_and_regional_admins(setting: Setting) -> None:
    s = setting
    supervision = await _supervision(s)
    case = (await _case(s, supervision["id"], s.admin)).json()
    other_case = await _case(s, supervision["id"], s.admin, facilitator_id=s.other_facilitator_id)
    assert other_case.status_code == 201, other_case.text
    added = await s.registry.post(
        f"/supervision-cases/{case['id']}/notes", json={"body": NOTE}, headers=s.admin
    )
    assert added.status_code == 201, added.text

    notes = f"/supervision-cases/{case['id']}/notes"
    outsider = await create_person(s.registry, s.admin, [s.district_id])
    refused = {
        "district editor": s.key(Role.DISTRICT_EDITOR, districts=[s.district_id]).headers,
        "integration": s.key(Role.INTEGRATION).headers,
        "another facilitator of the session": s.key(
            Role.FACILITATOR, person_id=s.other_facilitator_id
        ).headers,
        "a facilitator outside the session": s.key(Role.FACILITATOR, person_id=outsider["id"]).headers,
    }
    for who, headers in refused.items():
        read = await s.registry.get(notes, headers=headers)
        assert read.status_code == 403, (who, read.text)
        assert NOTE not in read.text
        write = await s.registry.post(notes, json={"body": "x"}, headers=headers)
        assert write.status_code == 403, (who, write.text)
    anonymous = await s.registry.get(notes)
    assert anonymous.status_code == 401 and NOTE not in anonymous.text
    assert (await s.registry.post(notes, json={"body": "x"})).status_code == 401

    # The facilitator of the other case takes part in the session (reads it), not in this case's notes.
    other = s.key(Role.FACILITATOR, person_id=s.other_facilitator_id).headers
    assert (await s.registry.get(f"/supervisions/{supervision['id']}", headers=other)).status_code == 200
    editor = s.key(Role.DISTRICT_EDITOR, districts=[s.district_id]).headers
    assert (await s.registry.get(f"/supervisions/{supervision['id']}", headers=editor)).status_code == 403
    assert (await s.registry.get(f"/supervision-cases/{case['id']}", headers=editor)).status_code == 403
    assert (await s.registry.get(f"/supervisions/{supervision['id']}")).status_code == 401
    listed = await s.registry.get("/supervisions", headers=editor)
    assert listed.status_code == 200 and listed.json()["items"] == []
    mine = await s.registry.get("/supervisions", headers=other)
    assert [x["id"] for x in mine.json()["items"]] == [supervision["id"]]
    assert (await s.registry.get("/supervisions")).status_code == 401


async def test_who_may_schedule_and_bring_cases(setting: Setting) -> None:
    s = setting
    facilitator = s.key(Role.FACILITATOR, person_id=s.facilitator_id).headers
    body = {"held_on": "2019-03-14", "supervisor_person_ids": [s.supervisor_id]}
    assert (await s.registry.post("/supervisions", json=body, headers=facilitator)).status_code == 403
    editor = s.key(Role.DISTRICT_EDITOR, districts=[s.district_id]).headers
    assert (await s.registry.post("/supervisions", json=body, headers=editor)).status_code == 403
    supervision = await _supervision(s)
    # A facilitator brings their own case, not someone else's; editors bring none.
    other = s.key(Role.FACILITATOR, person_id=s.other_facilitator_id).headers
    assert (await _case(s, supervision["id"], other)).status_code == 403
    assert (await _case(s, supervision["id"], editor)).status_code == 403


async def test_bad_references_are_field_errors(setting: Setting) -> None:
    s = setting
    missing = "00000000-0000-4000-8000-000000000000"
    bad = await s.registry.post(
        "/supervisions",
        json={"held_on": "2019-03-14", "edition_id": missing, "supervisor_person_ids": [missing]},
        headers=s.admin,
    )
    assert bad.status_code == 422 and bad.json()["errors"][0]["path"] == "body.supervisor_person_ids[0]"
    no_edition = await s.registry.post(
        "/supervisions",
        json={"held_on": "2019-03-14", "edition_id": missing, "supervisor_person_ids": [s.supervisor_id]},
        headers=s.admin,
    )
    assert no_edition.status_code == 422 and no_edition.json()["errors"][0]["path"] == "body.edition_id"
    supervision = await _supervision(s)
    cases = {
        "body.facilitator_id": {"facilitator_id": s.supervisor_id},  # not a facilitator or tutor
        "body.process_id": {"process_id": missing},
        "body.workshop_id": {"workshop_id": missing},
    }
    for path, fields in cases.items():
        response = await _case(s, supervision["id"], s.admin, **fields)
        assert response.status_code == 422, (path, response.text)
        assert response.json()["errors"][0]["path"] == path
    other_process = await s.workshops.post(
        "/processes",
        json={"district_id": s.district_id, "title": "Un altro processo", "status": "active"},
        headers=s.admin,
    )
    assert other_process.status_code == 201, other_process.text
    mismatch = await _case(s, supervision["id"], s.admin, process_id=other_process.json()["id"])
    assert mismatch.status_code == 422 and mismatch.json()["errors"][0]["path"] == "body.workshop_id"
    assert (await _case(s, missing, s.admin)).status_code == 404
    empty = await s.registry.post(
        f"/supervision-cases/{(await _case(s, supervision['id'], s.admin)).json()['id']}/notes",
        json={"body": ""},
        headers=s.admin,
    )
    assert empty.status_code == 422


async def test_erasing_the_facilitator_empties_the_notes_but_keeps_the_count(setting: Setting) -> None:
    s = setting
    supervision = await _supervision(s)
    case = (await _case(s, supervision["id"], s.admin)).json()
    added = await s.registry.post(
        f"/supervision-cases/{case['id']}/notes", json={"body": NOTE}, headers=s.admin
    )
    assert added.status_code == 201, added.text
    erased = await s.registry.delete(f"/people/{s.facilitator_id}", headers=s.admin)
    assert erased.status_code == 200, erased.text
    notes = await s.registry.get(f"/supervision-cases/{case['id']}/notes", headers=s.admin)
    assert [n["body"] for n in notes.json()["items"]] == [""]
    read = (await s.registry.get(f"/supervision-cases/{case['id']}", headers=s.admin)).json()
    assert read["title"] == "" and read["notes"] == 1
