"""The case library: editors write a district's cases as drafts, publish them, everybody reads published ones."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from sqlmodel import Session

from shared.eventlog import read_stream
from tests.knowledge.conftest import KnowledgeWorld

pytestmark = pytest.mark.anyio


def _body(district: str, **fields: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "district_id": district,
        "side": "social",
        "title": f"Il centro per le famiglie {uuid.uuid4().hex[:6]}",
        "summary": "Un centro per le famiglie che si apre al quartiere.",
        "story": "Operatori e genitori hanno ripensato insieme gli orari e gli spazi del centro.",
        "lines": ["subjects", "methodological_solutions"],
        "questions": ["Chi parla per le famiglie che non vengono?", "Come restano aperti gli spazi?"],
        "guidance": [
            {"line": "subjects", "text": "Invitare le famiglie che i servizi non vedono, tramite le scuole."},
            {"line": "methodological_solutions", "text": "Interviste ai gruppi di interesse all'avvio."},
        ],
    }
    body.update(fields)
    return body


async def test_a_draft_is_read_by_its_writers_only_and_published_by_everybody(
    world: KnowledgeWorld, session: Session
) -> None:
    district = await world.district(f"Reggio Emilia {uuid.uuid4().hex[:6]}")
    other = await world.district(f"Parma {uuid.uuid4().hex[:6]}")
    process = await world.process(district)
    editor = world.editor(district)
    edition = await world.edition(f"Community Lab {uuid.uuid4().hex[:6]}")
    meeting = await world.client.post(
        f"/editions/{edition['id']}/lab-meetings",
        json={"held_on": "2013-03-05", "place": "Bologna", "topic": "Studio di caso"},
        headers=world.admin,
    )
    assert meeting.status_code == 201, meeting.text
    lab_meeting = meeting.json()["id"]
    created = await world.client.post(
        "/cases",
        json=_body(district, process_ids=[process["id"]], lab_meeting_ids=[lab_meeting]),
        headers=editor,
    )
    assert created.status_code == 201, created.text
    case = created.json()
    assert case["status"] == "draft" and case["process_ids"] == [process["id"]]
    assert case["lab_meeting_ids"] == [lab_meeting]
    assert [g["line"] for g in case["guidance"]] == ["subjects", "methodological_solutions"]
    assert created.headers["location"] == f"/cases/{case['id']}"

    # A draft: not found for anonymous callers nor for another district's editor, and not listed for them.
    for headers in ({}, world.editor(other)):
        assert (await world.client.get(f"/cases/{case['id']}", headers=headers)).status_code == 404
        listed = await world.client.get("/cases", params={"district_id": district}, headers=headers)
        assert listed.status_code == 200 and listed.json()["items"] == []
    assert (await world.client.get(f"/cases/{case['id']}", headers=editor)).status_code == 200
    # Its texts are not in the log while it is a draft.
    events = read_stream(session, "case", case["id"])
    assert [e.type for e in events] == ["case.created"] and events[0].payload["content"] is None

    published = await world.client.post(
        f"/cases/{case['id']}/status",
        json={"status": "published"},
        headers={**editor, "If-Match": f'"{case["version"]}"'},
    )
    assert published.status_code == 200, published.text
    assert published.json()["status"] == "published" and published.json()["published_at"]
    anonymous = await world.client.get(f"/cases/{case['id']}")
    assert anonymous.status_code == 200 and anonymous.json()["questions"] == _body(district)["questions"]
    by_line = await world.client.get("/cases", params={"line": "methodological_solutions"})
    assert case["id"] in {c["id"] for c in by_line.json()["items"]}
    by_other_line = await world.client.get(
        "/cases", params={"line": "institutional_architectures", "district_id": district}
    )
    assert by_other_line.json()["items"] == []
    by_process = await world.client.get("/cases", params={"process_id": process["id"]})
    assert [c["id"] for c in by_process.json()["items"]] == [case["id"]]
    events = read_stream(session, "case", case["id"])
    assert events[-1].type == "case.published"
    content = events[-1].payload["content"]
    assert content["title"] == case["title"] and len(content["guidance"]) == 2
    assert events[-1].district_id == district


async def test_only_the_districts_editors_write_and_references_are_checked(world: KnowledgeWorld) -> None:
    district = await world.district(f"Lugo {uuid.uuid4().hex[:6]}")
    other = await world.district(f"Faenza {uuid.uuid4().hex[:6]}")
    foreign_process = await world.process(other)
    person = await world.person(district, actor_category="social_worker")
    refused = await world.client.post("/cases", json=_body(district), headers=world.editor(other))
    assert refused.status_code == 403, refused.text
    assert (await world.client.post("/cases", json=_body(district))).status_code == 401
    facilitator = await world.client.post("/cases", json=_body(district), headers=world.facilitator(person))
    assert facilitator.status_code == 403
    # Another district's process may not be named by this district's editor; an unknown one is a 422.
    crossing = await world.client.post(
        "/cases", json=_body(district, process_ids=[foreign_process["id"]]), headers=world.editor(district)
    )
    assert crossing.status_code == 403, crossing.text
    unknown = await world.client.post(
        "/cases", json=_body(district, process_ids=[str(uuid.uuid4())]), headers=world.editor(district)
    )
    assert unknown.status_code == 422 and unknown.json()["errors"][0]["path"] == "body.process_ids.0"
    bad_line = await world.client.post(
        "/cases", json=_body(district, lines=["subjects", "subjects"]), headers=world.editor(district)
    )
    assert bad_line.status_code == 422
    no_meeting = await world.client.post(
        "/cases", json=_body(district, lab_meeting_ids=[str(uuid.uuid4())]), headers=world.editor(district)
    )
    assert (
        no_meeting.status_code == 422 and no_meeting.json()["errors"][0]["path"] == "body.lab_meeting_ids.0"
    )
    nowhere = await world.client.post("/cases", json=_body(str(uuid.uuid4())), headers=world.admin)
    assert nowhere.status_code == 422, nowhere.text


async def test_changes_need_the_current_etag_and_publishing_needs_guidance(world: KnowledgeWorld) -> None:
    district = await world.district(f"Carpi {uuid.uuid4().hex[:6]}")
    editor = world.editor(district)
    created = await world.client.post("/cases", json=_body(district, guidance=[]), headers=editor)
    assert created.status_code == 201, created.text
    case = created.json()
    early = await world.client.post(
        f"/cases/{case['id']}/status", json={"status": "published"}, headers=editor
    )
    assert early.status_code == 422 and early.json()["errors"][0]["path"] == "body.status"
    changed = await world.client.patch(
        f"/cases/{case['id']}",
        json={"guidance": [{"line": "institutional_architectures", "text": "Un tavolo stabile con l'AUSL."}]},
        headers={**editor, "If-Match": f'"{case["version"]}"'},
    )
    assert changed.status_code == 200, changed.text
    assert [g["line"] for g in changed.json()["guidance"]] == ["institutional_architectures"]
    stale = await world.client.patch(
        f"/cases/{case['id']}",
        json={"summary": "Scritto su una copia vecchia."},
        headers={**editor, "If-Match": f'"{case["version"]}"'},
    )
    assert stale.status_code == 412
    same = await world.client.patch(f"/cases/{case['id']}", json={"side": "social"}, headers=editor)
    assert same.status_code == 409
    nulled = await world.client.patch(f"/cases/{case['id']}", json={"title": None}, headers=editor)
    assert nulled.status_code == 422
    outsider = await world.client.patch(
        f"/cases/{case['id']}", json={"summary": "x"}, headers=world.editor(await world.district("Mirandola"))
    )
    assert outsider.status_code == 404  # a draft of another district is not even found
    published = await world.client.post(
        f"/cases/{case['id']}/status", json={"status": "published"}, headers=editor
    )
    assert published.status_code == 200
    again = await world.client.post(
        f"/cases/{case['id']}/status", json={"status": "published"}, headers=editor
    )
    assert again.status_code == 409
    back = await world.client.post(f"/cases/{case['id']}/status", json={"status": "draft"}, headers=editor)
    assert back.status_code == 200 and back.json()["status"] == "draft"
    assert (await world.client.get(f"/cases/{case['id']}")).status_code == 404
