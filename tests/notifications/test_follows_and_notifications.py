"""Follows over the API, and the worker turning workshops events into in-app notifications."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest
from sqlmodel import Session, select

from services.registry.notifications.models import Notification
from shared.auth.principal import Role
from shared.eventlog import read_stream
from tests.conftest import TestDatabase
from tests.notifications.conftest import People, Workshop, drain

pytestmark = pytest.mark.anyio


@pytest.fixture
def people(db: TestDatabase, registry_client: httpx.AsyncClient) -> People:
    return People(db, registry_client)


async def _notifications(
    client: httpx.AsyncClient, headers: dict[str, str], **params: Any
) -> list[dict[str, Any]]:
    response = await client.get("/me/notifications", params=params, headers=headers)
    assert response.status_code == 200, response.text
    return list(response.json()["items"])


async def test_follow_list_and_unfollow_a_process_with_events_carrying_ids_only(
    people: People, registry_client: httpx.AsyncClient, session: Session
) -> None:
    giulia = await people.person("Giulia")
    process_id = str(uuid.uuid4())
    body = {"target_type": "process", "target_id": process_id}
    created = await registry_client.post("/me/follows", json=body, headers=giulia.headers)
    assert created.status_code == 201, created.text
    follow = created.json()
    assert follow["person_id"] == giulia.person_id and follow["source"] == "person"
    again = await registry_client.post("/me/follows", json=body, headers=giulia.headers)
    assert again.status_code == 200 and again.json()["id"] == follow["id"], "following twice is one follow"
    listed = await registry_client.get("/me/follows", headers=giulia.headers)
    assert [f["target_id"] for f in listed.json()["items"]] == [process_id]

    removed = await registry_client.delete(f"/me/follows/{follow['id']}", headers=giulia.headers)
    assert removed.status_code == 204
    assert (await registry_client.get("/me/follows", headers=giulia.headers)).json()["items"] == []
    events = read_stream(session, "follow", giulia.person_id)
    assert [e.type for e in events] == ["follow.started", "follow.stopped"]
    for event in events:
        assert event.payload == {
            "follow_id": follow["id"],
            "person_id": giulia.person_id,
            "target_type": "process",
            "target_id": process_id,
            "source": "person",
        }
        assert giulia.email not in str(event.payload) and "Giulia" not in str(event.payload)


async def test_only_the_person_and_admins_reach_a_persons_follows_and_notifications(
    people: People, registry_client: httpx.AsyncClient
) -> None:
    giulia, marco = await people.person("Giulia"), await people.person("Marco")
    body = {"target_type": "proposal", "target_id": str(uuid.uuid4())}
    own = await registry_client.post(f"/people/{giulia.person_id}/follows", json=body, headers=giulia.headers)
    assert own.status_code == 201
    for path in ("follows", "notifications", "notification-settings"):
        other = await registry_client.get(f"/people/{giulia.person_id}/{path}", headers=marco.headers)
        assert other.status_code == 403, path
        anonymous = await registry_client.get(f"/people/{giulia.person_id}/{path}")
        assert anonymous.status_code == 401, path
        admin = await registry_client.get(f"/people/{giulia.person_id}/{path}", headers=people.admin)
        assert admin.status_code == 200, path
    stolen = await registry_client.delete(f"/me/follows/{own.json()['id']}", headers=marco.headers)
    assert stolen.status_code == 404, "someone else's follow is not found under /me"
    editor = people.key(Role.DISTRICT_EDITOR, districts=[await people.district()])  # no person
    assert (await registry_client.get("/me/notifications", headers=editor)).status_code == 403
    assert (await registry_client.post("/me/follows", json=body, headers=editor)).status_code == 403


async def test_answers_promotions_comments_and_phase_openings_notify_the_right_people(
    people: People, registry_client: httpx.AsyncClient, db: TestDatabase, make_worker: Any
) -> None:
    author, follower, bystander = (
        await people.person("Giulia"),
        await people.person("Marco"),
        await people.person("Lucia"),
    )
    workshop = Workshop(db, await people.district())
    worker = make_worker(smtp=None)
    await registry_client.post(
        "/me/follows",
        json={"target_type": "process", "target_id": workshop.process_id},
        headers=follower.headers,
    )
    phase_id = workshop.open_phase(open_to_proposals=True)
    proposal_id = workshop.propose(author.person_id)
    drain(worker)
    # The author follows their own proposal; the follower follows it too.
    author_follows = (await registry_client.get("/me/follows", headers=author.headers)).json()["items"]
    assert [(f["target_id"], f["source"]) for f in author_follows] == [(proposal_id, "author")]
    await registry_client.post(
        "/me/follows", json={"target_type": "proposal", "target_id": proposal_id}, headers=follower.headers
    )
    workshop.comment(proposal_id, follower.person_id)
    workshop.comment(proposal_id, author.person_id)  # the author's own comment notifies nobody
    workshop.answer(proposal_id, state="in valutazione", category="evaluating")
    workshop.promote(proposal_id)
    drain(worker)

    mine = await _notifications(registry_client, author.headers)
    assert [n["kind"] for n in mine] == ["proposal_promoted", "proposal_answered", "proposal_commented"]
    assert mine[1]["message"] == (
        "L'Ufficio di Piano ha risposto alla proposta «Più panchine nei parchi»: in valutazione."
    )
    assert mine[1]["data"]["answer_category"] == "evaluating"
    assert mine[2]["message"] == "Nuovo commento sulla tua proposta «Più panchine nei parchi»."
    assert all(n["proposal_id"] == proposal_id and n["process_id"] == workshop.process_id for n in mine)
    theirs = await _notifications(registry_client, follower.headers)
    assert [n["kind"] for n in theirs] == ["proposal_promoted", "proposal_answered", "phase_opened"]
    assert theirs[2]["phase_id"] == phase_id
    assert theirs[2]["message"] == (
        "Si apre la fase «Raccolta delle proposte» del percorso «Anziani al centro»: puoi presentare le tue "
        "proposte (dal 1 marzo 2027 al 30 aprile 2027)."
    )
    assert await _notifications(registry_client, bystander.headers) == []


async def test_each_event_notifies_once_and_a_phase_is_announced_once(
    people: People, registry_client: httpx.AsyncClient, db: TestDatabase, make_worker: Any, session: Session
) -> None:
    follower = await people.person("Marco")
    workshop = Workshop(db, await people.district())
    await registry_client.post(
        "/me/follows",
        json={"target_type": "process", "target_id": workshop.process_id},
        headers=follower.headers,
    )
    phase_id = workshop.open_phase()
    with db.transaction() as tx:
        from tests.notifications.conftest import emit

        emit(
            tx,
            "process.phase_changed",
            workshop.process_id,
            process_id=workshop.process_id,
            district_id=workshop.district_id,
            phase_id=phase_id,
            changes={"open_to_proposals": True},
        )
    first, second = make_worker(smtp=None), make_worker(smtp=None)
    drain(first)
    drain(second)
    drain(first)
    rows = session.exec(
        select(Notification).where(Notification.person_id == uuid.UUID(follower.person_id))
    ).all()
    assert [r.kind for r in rows] == ["phase_opened"]


async def test_unread_filter_pagination_and_marking_read_and_unread(
    people: People, registry_client: httpx.AsyncClient, db: TestDatabase, make_worker: Any
) -> None:
    author = await people.person("Giulia")
    workshop = Workshop(db, await people.district())
    proposals = [workshop.propose(author.person_id, title=f"Proposta {n}") for n in range(3)]
    commenter = await people.person("Marco")
    for proposal_id in proposals:
        workshop.comment(proposal_id, commenter.person_id)
    drain(make_worker(smtp=None))

    seen: list[str] = []
    cursor = None
    while True:
        params: dict[str, Any] = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        page = (await registry_client.get("/me/notifications", params=params, headers=author.headers)).json()
        seen += [n["data"]["proposal_title"] for n in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert seen == ["Proposta 2", "Proposta 1", "Proposta 0"], "newest first, each once"

    ids = [n["id"] for n in await _notifications(registry_client, author.headers)]
    marked = await registry_client.post(
        "/me/notifications/read", json={"notification_ids": ids[:2]}, headers=author.headers
    )
    assert marked.json() == {"changed": 2}
    unread = await _notifications(registry_client, author.headers, unread="true")
    assert [n["id"] for n in unread] == ids[2:]
    assert all(n["read"] for n in await _notifications(registry_client, author.headers, unread="false"))
    # Someone else's ids change nothing.
    foreign = await registry_client.post(
        "/me/notifications/read", json={"notification_ids": ids, "read": False}, headers=commenter.headers
    )
    assert foreign.json() == {"changed": 0}
    back = await registry_client.post(
        "/me/notifications/read", json={"notification_ids": [ids[0]], "read": False}, headers=author.headers
    )
    assert back.json() == {"changed": 1}
    everything = await registry_client.post(
        "/me/notifications/read", json={"all": True}, headers=author.headers
    )
    assert everything.json() == {"changed": 2}
    assert await _notifications(registry_client, author.headers, unread="true") == []
    empty = await registry_client.post("/me/notifications/read", json={}, headers=author.headers)
    assert empty.status_code == 422 and empty.json()["errors"][0]["path"] == "body.notification_ids"


async def test_erased_people_get_no_notifications_and_lose_their_follows(
    people: People, registry_client: httpx.AsyncClient, db: TestDatabase, make_worker: Any, session: Session
) -> None:
    author = await people.person("Giulia")
    workshop = Workshop(db, await people.district())
    proposal_id = workshop.propose(author.person_id)
    workshop.answer(proposal_id)
    worker = make_worker(smtp=None)
    drain(worker)
    assert len(await _notifications(registry_client, author.headers)) == 1
    erased = await registry_client.delete(f"/people/{author.person_id}", headers=people.admin)
    assert erased.status_code == 200
    workshop.promote(proposal_id)
    drain(worker)
    person = uuid.UUID(author.person_id)
    assert session.exec(select(Notification).where(Notification.person_id == person)).all() == []
    listed = await registry_client.get(f"/people/{author.person_id}/follows", headers=people.admin)
    assert listed.json()["items"] == []
