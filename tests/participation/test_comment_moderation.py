"""Flags and moderation of comments: once per person, who moderates, hidden text kept but shown to nobody."""

from __future__ import annotations

import threading
import uuid
from datetime import datetime, time, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, func, select

from services.workshops.participation import service as participation
from services.workshops.participation.comments import service as comments
from services.workshops.participation.comments.models import Comment, CommentReason
from services.workshops.participation.comments.schemas import CommentCreate, FlagCreate
from services.workshops.participation.models import Proposal
from services.workshops.participation.schemas import ProposalCreate
from services.workshops.processes.identity import service as identity_service
from services.workshops.processes.identity.schemas import PhaseCreate, ProcessCreate
from shared.auth.principal import Role
from shared.clients.registry import DistrictRef
from shared.db import Database
from shared.errors import ConflictError
from shared.eventlog import read_stream
from tests.participation.conftest import ROME, Citizen, Place, open_phase, today
from tests.workshops_processes.conftest import InMemoryRegistry


async def comment(
    place: Place, proposal_id: str, citizen: Citizen, body: str, **extra: Any
) -> dict[str, Any]:
    response = await place.workshops.post(
        f"/proposals/{proposal_id}/comments", json={"body": body} | extra, headers=citizen.headers
    )
    assert response.status_code == 201, response.text
    return dict(response.json())


async def flag(place: Place, comment_id: str, citizen: Citizen, reason: str = "offensive") -> Any:
    return await place.workshops.post(
        f"/comments/{comment_id}/flag",
        json={"reason": reason, "note": "Da controllare"},
        headers=citizen.headers,
    )


async def facilitator_of(place: Place, process_id: str) -> dict[str, str]:
    """A facilitator key of a person facilitating a workshop of the process."""
    person_id = await place.person("Fabio")
    starts = datetime.combine(today(), time(9), tzinfo=ROME)
    response = await place.workshops.post(
        f"/processes/{process_id}/workshops",
        json={
            "method": "open_space_technology",
            "title": "Laboratorio di ascolto",
            "starts_at": starts.isoformat(),
            "ends_at": (starts + timedelta(hours=3)).isoformat(),
            "facilitator_ids": [person_id],
        },
        headers=place.editor,
    )
    assert response.status_code == 201, response.text
    return place.create_key(Role.FACILITATOR, person_id=person_id).headers


@pytest.mark.anyio
async def test_a_participant_flags_a_comment_once_and_moderators_see_it_queued(
    place: Place, session: Session
) -> None:
    process = await place.process()
    anna, bruno, carla, dario = (
        await place.citizen(),
        await place.citizen("Bruno"),
        await place.citizen("Carla"),
        await place.citizen("Dario"),
    )
    proposal = await place.propose(process, anna)
    rude = await comment(place, proposal["id"], bruno, "Che idea **stupida**")
    calm = await comment(place, proposal["id"], dario, "Mi piace")
    assert (
        await place.workshops.post(f"/comments/{rude['id']}/flag", json={"reason": "spam"})
    ).status_code == 401
    first = await flag(place, rude["id"], carla)
    assert first.status_code == 200 and first.json() == {
        "comment_id": rude["id"],
        "flagged": True,
        "reason": "offensive",
    }
    again = await flag(place, rude["id"], carla, "spam")
    assert again.status_code == 409, "one flag per person per comment"
    assert (await flag(place, rude["id"], dario, "off_topic")).status_code == 200
    bad_reason = await flag(place, rude["id"], anna, "boring")
    assert bad_reason.status_code == 422 and bad_reason.json()["errors"][0]["path"] == "body.reason"
    seen = (await place.workshops.get(f"/comments/{rude['id']}", headers=carla.headers)).json()
    assert seen["flagged"] is True and seen["body"] == "Che idea **stupida**", (
        "flags hide nothing by themselves"
    )

    queue = await place.workshops.get(f"/processes/{process}/moderation/comments", headers=place.editor)
    assert queue.status_code == 200, queue.text
    items = queue.json()["items"]
    assert [i["id"] for i in items] == [rude["id"]], "only flagged (or hidden) comments are queued"
    assert calm["id"] not in {i["id"] for i in items}
    assert items[0]["flag_count"] == 2 and [f["reason"] for f in items[0]["flags"]] == [
        "offensive",
        "off_topic",
    ]
    assert items[0]["author_id"] == bruno.person_id and items[0]["body"] == "Che idea **stupida**"
    assert carla.person_id not in str(items[0]["flags"]), "moderators see why, not who flagged"
    events = read_stream(session, "comment", rude["id"])
    assert [e.type for e in events] == ["comment.created", "comment.flagged", "comment.flagged"]
    assert events[2].payload["flag_count"] == 2 and "Da controllare" not in str(events[2].payload)


@pytest.mark.anyio
async def test_district_editors_and_the_process_facilitators_moderate_nobody_else(place: Place) -> None:
    process = await place.process()
    anna, bruno, carla = await place.citizen(), await place.citizen("Bruno"), await place.citizen("Carla")
    proposal = await place.propose(process, anna)
    made = await comment(place, proposal["id"], bruno, "Commento da moderare")
    await flag(place, made["id"], carla)
    queue = f"/processes/{process}/moderation/comments"
    hide = f"/comments/{made['id']}/hide"
    body = {"reason": "offensive", "note": "Regola 3"}
    other_district = await Place(place.registry, place.workshops, place.create_key, place.admin).setup()
    other_process = await other_district.process()
    elsewhere_facilitator = await facilitator_of(place, await place.process())
    refused = {
        "anonymous": ({}, 401),
        "participant": (carla.headers, 403),
        "the comment's author": (bruno.headers, 403),
        "another district's editor": (other_district.editor, 403),
        "another process's facilitator": (elsewhere_facilitator, 403),
    }
    for who, (headers, status) in refused.items():
        assert (await place.workshops.get(queue, headers=headers)).status_code == status, who
        assert (await place.workshops.post(hide, json=body, headers=headers)).status_code == status, who
    assert (
        await place.workshops.get(f"/processes/{other_process}/moderation/comments", headers=place.editor)
    ).status_code == 403, "an editor moderates their own district only"

    facilitator = await facilitator_of(place, process)
    listed = await place.workshops.get(queue, headers=facilitator)
    assert listed.status_code == 200 and [i["id"] for i in listed.json()["items"]] == [made["id"]]
    hidden = await place.workshops.post(hide, json=body, headers={**facilitator, "If-Match": '"2"'})
    assert hidden.status_code == 200, hidden.text
    assert hidden.json()["state"] == "hidden" and hidden.json()["hidden_reason"] == "offensive"
    assert hidden.headers["ETag"] == '"3"'
    assert (await place.workshops.post(hide, json=body, headers=place.editor)).status_code == 409
    restore = f"/comments/{made['id']}/restore"
    stale = await place.workshops.post(restore, json={}, headers={**place.editor, "If-Match": '"2"'})
    assert stale.status_code == 412
    restored = await place.workshops.post(restore, json={"note": "Va bene"}, headers=place.editor)
    assert restored.status_code == 200 and restored.json()["state"] == "visible"
    assert restored.json()["flag_count"] == 0 and len(restored.json()["flags"]) == 1, "flags kept, closed"
    assert (await place.workshops.get(queue, headers=place.editor)).json()["items"] == [], (
        "nothing left to do"
    )
    assert (await place.workshops.post(restore, json={}, headers=place.editor)).status_code == 409


@pytest.mark.anyio
async def test_a_hidden_comment_is_a_placeholder_for_everybody_and_kept_for_the_queue(
    place: Place, session: Session
) -> None:
    process = await place.process()
    anna, bruno = await place.citizen(), await place.citizen("Bruno")
    proposal = await place.propose(process, anna)
    made = await comment(place, proposal["id"], bruno, "Il numero di Mario è 333 1234567")
    hidden = await place.workshops.post(
        f"/comments/{made['id']}/hide", json={"reason": "personal_data"}, headers=place.editor
    )
    assert hidden.status_code == 200, hidden.text

    placeholder = {
        "id": made["id"],
        "state": "hidden",
        "parent_id": None,
        "author_id": None,
        "mine": False,
        "body": None,
        "body_html": None,
        "editable": False,
        "flagged": False,
    }
    url = f"/proposals/{proposal['id']}/comments"
    for who, headers in {
        "anonymous": {},
        "a participant": anna.headers,
        "its author": bruno.headers,
        "a moderator outside the queue": place.editor,
        "an administrator": place.admin,
    }.items():
        (item,) = (await place.workshops.get(url, headers=headers)).json()["items"]
        assert {k: item.get(k) for k in placeholder} == placeholder, who
        one = (await place.workshops.get(f"/comments/{made['id']}", headers=headers)).json()
        assert "333 1234567" not in str(one) and "333 1234567" not in str(item), who

    queued = (
        await place.workshops.get(
            f"/processes/{process}/moderation/comments", params={"state": "hidden"}, headers=place.editor
        )
    ).json()["items"]
    assert [(i["id"], i["body"], i["author_id"]) for i in queued] == [
        (made["id"], "Il numero di Mario è 333 1234567", bruno.person_id)
    ]
    flagged_only = await place.workshops.get(
        f"/processes/{process}/moderation/comments", params={"state": "flagged"}, headers=place.editor
    )
    assert flagged_only.json()["items"] == []
    assert (await flag(place, made["id"], anna)).status_code == 409, "a hidden comment takes no flags"
    assert (
        await place.workshops.patch(
            f"/comments/{made['id']}", json={"body": "Scusate"}, headers=bruno.headers
        )
    ).status_code == 409
    reply = await place.workshops.post(
        url, json={"body": "Eh?", "parent_id": made["id"]}, headers=anna.headers
    )
    assert reply.status_code == 422 and reply.json()["errors"][0]["path"] == "body.parent_id"
    events = read_stream(session, "comment", made["id"])
    assert [e.type for e in events] == ["comment.created", "comment.hidden"]
    assert events[1].payload["reason"] == "personal_data" and "333 1234567" not in str(events[1].payload)


@pytest.mark.anyio
async def test_erasure_blanks_the_author_of_proposals_and_comments_and_keeps_the_content(
    place: Place, session: Session
) -> None:
    process = await place.process()
    anna, bruno, carla = await place.citizen(), await place.citizen("Bruno"), await place.citizen("Carla")
    proposal = await place.propose(process, anna)
    made = await comment(place, proposal["id"], bruno, "Resta anche dopo di me")
    await flag(place, made["id"], carla)
    before = [e.payload for e in read_stream(session, "comment", made["id"])]
    for person_id in (anna.person_id, bruno.person_id):
        erased = await place.registry.delete(f"/people/{person_id}", headers=place.admin)
        assert erased.status_code == 200, erased.text

    got = (await place.workshops.get(f"/comments/{made['id']}", headers=place.admin)).json()
    assert got["author_id"] is None and got["body"] == "Resta anche dopo di me"
    listed = (await place.workshops.get(f"/proposals/{proposal['id']}/comments", headers=place.editor)).json()
    assert [(c["author_id"], c["body"]) for c in listed["items"]] == [(None, "Resta anche dopo di me")]
    queued = (
        await place.workshops.get(f"/processes/{process}/moderation/comments", headers=place.editor)
    ).json()
    assert [(i["author_id"], i["body"]) for i in queued["items"]] == [(None, "Resta anche dopo di me")]
    shown = (await place.workshops.get(f"/proposals/{proposal['id']}", headers=place.admin)).json()
    assert (
        shown["author_id"] is None
        and shown["title"] == proposal["title"]
        and shown["body"] == proposal["body"]
    )
    listed_proposals = (
        await place.workshops.get(f"/processes/{process}/proposals", headers=place.editor)
    ).json()
    assert [p["author_id"] for p in listed_proposals["items"]] == [None]
    # Nothing in the log is rewritten: the events stay as written (ids only, never names).
    assert [e.payload for e in read_stream(session, "comment", made["id"])] == before


COMMENTERS = 12


def test_concurrent_comments_and_flags_are_counted_exactly(committing_engine: Engine) -> None:
    """Many committed transactions comment on one proposal and flag one comment at once (some flag twice)."""
    database = Database(committing_engine)
    registry = InMemoryRegistry()
    district_id = uuid.uuid4()
    registry.districts[str(district_id)] = DistrictRef(id=str(district_id), name="Concorrenza")
    with database.transaction() as session:
        process = identity_service.create_process(
            session=session,
            registry=registry,
            data=ProcessCreate(
                district_id=district_id,
                title="Molti commenti",
                status="active",  # type: ignore[arg-type]
                phases=[PhaseCreate.model_validate(open_phase())],
            ),
        )
        proposal = participation.create_proposal(
            session=session,
            process_id=process.id,
            person_id=str(uuid.uuid4()),
            data=ProposalCreate(title="Un pulmino", theme="reti_vive"),
        )
        target = comments.create_comment(
            session=session,
            proposal_id=proposal.id,
            person_id=str(uuid.uuid4()),
            data=CommentCreate(body="Primo"),
        )
        proposal_id, target_id = proposal.id, target.id
    people = [str(uuid.uuid4()) for _ in range(COMMENTERS)]
    # Each person comments once and flags the first comment; the first three try to flag it twice.
    attempts = (
        [(p, "comment") for p in people] + [(p, "flag") for p in people] + [(p, "flag") for p in people[:3]]
    )
    barrier = threading.Barrier(len(attempts))
    outcomes: list[str] = []
    lock = threading.Lock()

    def act(person_id: str, action: str) -> None:
        barrier.wait()
        try:
            with database.transaction() as session:
                if action == "comment":
                    comments.create_comment(
                        session=session,
                        proposal_id=proposal_id,
                        person_id=person_id,
                        data=CommentCreate(body="Sì"),
                    )
                else:
                    comments.flag_comment(
                        session=session,
                        comment_id=target_id,
                        person_id=person_id,
                        data=FlagCreate(reason=CommentReason.SPAM),
                    )
            result = action
        except ConflictError:
            result = "duplicate"
        except Exception as exc:  # pragma: no cover - shown in the assertion
            result = f"error: {exc!r}"
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=act, args=a) for a in attempts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert sorted(outcomes) == sorted(["comment"] * COMMENTERS + ["flag"] * COMMENTERS + ["duplicate"] * 3), (
        outcomes
    )
    with database.session(write=False) as session:
        row = session.get(Proposal, proposal_id)
        assert row is not None
        rows = session.exec(select(func.count()).where(Comment.proposal_id == proposal_id)).one()
        assert row.comment_count == rows == COMMENTERS + 1
        flagged = session.get(Comment, target_id)
        assert flagged is not None
        assert flagged.flag_count == COMMENTERS
        stream = read_stream(session, "comment", str(target_id))
        assert flagged.version == len(stream) == 1 + COMMENTERS
        assert sorted(e.payload["flag_count"] for e in stream[1:]) == list(range(1, COMMENTERS + 1))
