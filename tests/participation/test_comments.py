"""Comments on proposals: who may comment, one reply level, safe Markdown, the edit window, the proposal's lock."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import pytest
from sqlmodel import Session

from services.workshops.participation.comments import service as comments
from services.workshops.participation.comments.models import Comment
from services.workshops.participation.comments.schemas import CommentUpdate
from shared.errors import EditWindowClosedError
from shared.eventlog import read_stream
from tests.participation.conftest import Citizen, Place

pytestmark = pytest.mark.anyio


async def comment(
    place: Place,
    proposal_id: str,
    citizen: Citizen,
    body: str = "Ottima idea, **sono d'accordo**.",
    **extra: Any,
) -> dict[str, Any]:
    response = await place.workshops.post(
        f"/proposals/{proposal_id}/comments", json={"body": body} | extra, headers=citizen.headers
    )
    assert response.status_code == 201, response.text
    return dict(response.json())


async def test_participants_comment_and_reply_one_level_deep(place: Place, session: Session) -> None:
    process = await place.process()
    anna, bruno = await place.citizen(), await place.citizen("Bruno")
    proposal = await place.propose(process, anna)
    other = await place.propose(process, bruno, title="Più panchine")
    url = f"/proposals/{proposal['id']}/comments"
    assert (await place.workshops.post(url, json={"body": "Anonimo"})).status_code == 401
    no_person = await place.workshops.post(url, json={"body": "Chiave senza persona"}, headers=place.editor)
    assert no_person.status_code == 403, "a key linked to no person cannot comment"

    created = await place.workshops.post(
        url,
        json={"body": "Sono **d'accordo** <script>alert(1)</script> [x](javascript:alert(1))"},
        headers={**bruno.headers, "Idempotency-Key": "commento-1"},
    )
    assert created.status_code == 201, created.text
    first = created.json()
    assert created.headers["Location"] == f"/comments/{first['id']}" and created.headers["ETag"] == '"1"'
    assert first["mine"] is True and first["author_id"] == bruno.person_id and first["parent_id"] is None
    assert "<strong>d'accordo</strong>" in first["body_html"]
    assert "<script" not in first["body_html"] and "&lt;script&gt;" in first["body_html"], "raw HTML is text"
    assert "href" not in first["body_html"], "a javascript: link is no link"
    replayed = await place.workshops.post(
        url,
        json={"body": "Sono **d'accordo** <script>alert(1)</script> [x](javascript:alert(1))"},
        headers={**bruno.headers, "Idempotency-Key": "commento-1"},
    )
    assert replayed.status_code == 201 and replayed.json()["id"] == first["id"]

    reply = await comment(place, proposal["id"], anna, "Grazie!", parent_id=first["id"])
    assert reply["parent_id"] == first["id"]
    # A reply to a reply is refused, naming the field.
    deeper = await place.workshops.post(
        url, json={"body": "E io rispondo alla risposta", "parent_id": reply["id"]}, headers=bruno.headers
    )
    assert deeper.status_code == 422, deeper.text
    problem = deeper.json()
    assert deeper.headers["content-type"].startswith("application/problem+json")
    assert [e["path"] for e in problem["errors"]] == ["body.parent_id"]
    assert "one level deep" in problem["detail"]
    elsewhere = await place.workshops.post(
        f"/proposals/{other['id']}/comments",
        json={"body": "Qui?", "parent_id": first["id"]},
        headers=anna.headers,
    )
    assert elsewhere.status_code == 422 and elsewhere.json()["errors"][0]["path"] == "body.parent_id"
    blank = await place.workshops.post(url, json={"body": "   "}, headers=anna.headers)
    assert blank.status_code == 422 and blank.json()["errors"][0]["path"] == "body.body"

    anonymous = (await place.workshops.get(url)).json()["items"]
    assert [(c["id"], c["parent_id"]) for c in anonymous] == [(first["id"], None), (reply["id"], first["id"])]
    assert all(c["author_id"] is None and c["mine"] is False for c in anonymous), "anonymous: no author"
    editor = (await place.workshops.get(url, headers=place.editor)).json()["items"]
    assert [c["author_id"] for c in editor] == [bruno.person_id, anna.person_id]
    page = await place.workshops.get(url, params={"limit": 1})
    assert [c["id"] for c in page.json()["items"]] == [first["id"]] and page.json()["next_cursor"]

    events = read_stream(session, "comment", first["id"])
    assert [e.type for e in events] == ["comment.created"], "the idempotent replay wrote no second event"
    assert events[0].payload == {
        "comment_id": first["id"],
        "proposal_id": proposal["id"],
        "process_id": process,
        "district_id": place.district_id,
        "parent_id": None,
        "author_id": bruno.person_id,
    }
    assert read_stream(session, "comment", reply["id"])[0].payload["parent_id"] == first["id"]

    withdrawn = await place.workshops.post(f"/proposals/{other['id']}/withdraw", headers=bruno.headers)
    assert withdrawn.status_code == 200
    late = await place.workshops.post(
        f"/proposals/{other['id']}/comments", json={"body": "Troppo tardi"}, headers=anna.headers
    )
    assert late.status_code == 409, "a withdrawn proposal takes no comments"


async def test_the_first_comment_locks_the_proposals_editing(place: Place) -> None:
    process = await place.process()
    anna, bruno = await place.citizen(), await place.citizen("Bruno")
    proposal = await place.propose(process, anna)
    url = f"/proposals/{proposal['id']}"
    edited = await place.workshops.patch(url, json={"title": "Un pulmino sociale"}, headers=anna.headers)
    assert edited.status_code == 200 and edited.json()["editable"] is True
    await comment(place, proposal["id"], bruno)
    seen = (await place.workshops.get(url, headers=anna.headers)).json()
    assert seen["comment_count"] == 1 and seen["editable"] is False
    refused = await place.workshops.patch(url, json={"title": "Cambiata dopo"}, headers=anna.headers)
    assert refused.status_code == 409, refused.text
    assert refused.json()["comment_count"] == 1
    assert (await place.workshops.get(url)).json()["title"] == "Un pulmino sociale"


async def test_the_author_edits_within_the_window_with_if_match(place: Place, session: Session) -> None:
    process = await place.process(comment_edit_minutes=15)
    anna, bruno = await place.citizen(), await place.citizen("Bruno")
    proposal = await place.propose(process, anna)
    made = await comment(place, proposal["id"], bruno, "Prima versione")
    assert made["editable"] is True and made["editable_until"] is not None
    url = f"/comments/{made['id']}"
    got = await place.workshops.get(url)
    assert got.headers["ETag"] == '"1"' and got.json()["editable"] is False, "only the author may edit"
    assert (
        await place.workshops.patch(url, json={"body": "Di Anna"}, headers=anna.headers)
    ).status_code == 403
    stale = await place.workshops.patch(
        url, json={"body": "Seconda versione"}, headers={**bruno.headers, "If-Match": '"7"'}
    )
    assert stale.status_code == 412
    changed = await place.workshops.patch(
        url, json={"body": "Seconda *versione*"}, headers={**bruno.headers, "If-Match": '"1"'}
    )
    assert changed.status_code == 200, changed.text
    assert changed.headers["ETag"] == '"2"' and changed.json()["edited_at"] is not None
    assert changed.json()["body_html"] == "<p>Seconda <em>versione</em></p>\n"
    assert [e.type for e in read_stream(session, "comment", made["id"])] == [
        "comment.created",
        "comment.edited",
    ]
    assert "Seconda" not in str(read_stream(session, "comment", made["id"])[1].payload), "no text in events"

    # The window closes 15 minutes after writing: a clock past it is refused with its own problem type.
    row = session.get(Comment, uuid.UUID(made["id"]))
    assert row is not None
    with pytest.raises(EditWindowClosedError):
        comments.edit_comment(
            session=session,
            comment=row,
            person_id=bruno.person_id,
            data=CommentUpdate(body="Terza"),
            expected_version=row.version,
            now=row.created_at + timedelta(minutes=15, seconds=1),
        )
    still = comments.edit_comment(
        session=session,
        comment=row,
        person_id=bruno.person_id,
        data=CommentUpdate(body="Terza"),
        expected_version=row.version,
        now=row.created_at + timedelta(minutes=14, seconds=59),
    )
    assert still.body == "Terza" and still.version == 3

    # A process whose window is zero minutes: an edit over HTTP arrives after it closed.
    closed = await place.process(comment_edit_minutes=0)
    late_proposal = await place.propose(closed, anna)
    late = await comment(place, late_proposal["id"], bruno, "Definitivo")
    assert late["editable"] is False
    refused = await place.workshops.patch(
        f"/comments/{late['id']}", json={"body": "Ci ripenso"}, headers=bruno.headers
    )
    assert refused.status_code == 409, refused.text
    assert refused.json()["type"].endswith("/edit-window-closed")
    assert refused.json()["edit_window_minutes"] == 0
    assert (await place.workshops.get(f"/comments/{late['id']}")).json()["body"] == "Definitivo"
