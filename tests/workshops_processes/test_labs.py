"""Regional labs (issue 22.6): the meetings and working groups of an edition, with participants by category."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import Engine, inspect
from sqlmodel import Session, SQLModel

import services.workshops.processes.labs.models  # noqa: F401  (registers the tables)
from shared.auth.principal import Role
from shared.eventlog import read_stream
from tests.workshops_processes.conftest import World

pytestmark = pytest.mark.anyio


async def _edition(world: World) -> str:
    programme = await world.client.post("/programmes", json={"name": "Community Lab"}, headers=world.admin)
    assert programme.status_code == 201, programme.text
    edition = await world.client.post(
        f"/programmes/{programme.json()['id']}/editions",
        json={"name": "Community Lab 2013"},
        headers=world.admin,
    )
    assert edition.status_code == 201, edition.text
    return str(edition.json()["id"])


async def _group(world: World, edition_id: str, **fields: Any) -> dict[str, Any]:
    body = {"name": "Gruppo di lavoro 1", "topic": "Soggetti e metodi", **fields}
    response = await world.client.post(f"/editions/{edition_id}/lab-groups", json=body, headers=world.admin)
    assert response.status_code == 201, response.text
    return dict(response.json())


async def test_five_meetings_and_two_groups_of_an_edition(world: World, session: Session) -> None:
    edition_id = await _edition(world)
    district = await world.district()
    director, head, ctss = [await world.person(district) for _ in range(3)]
    first = await _group(
        world,
        edition_id,
        members=[
            {"person_id": director, "recipient": "district_director"},
            {"person_id": head, "recipient": "ufficio_di_piano_head"},
        ],
    )
    second = await _group(
        world,
        edition_id,
        name="Gruppo di lavoro 2",
        members=[{"person_id": ctss, "recipient": "ctss_office"}],
    )
    assert first["members"] == 2 and {c["recipient"] for c in first["recipients"]} == {
        "district_director",
        "ufficio_di_piano_head",
    }
    meetings = []
    for number, day in enumerate(("2013-03-05", "2013-04-09", "2013-05-14", "2013-06-11", "2013-10-15")):
        participants = [{"person_id": director, "recipient": "district_director"}]
        if number % 2 == 0:
            participants.append({"person_id": ctss, "recipient": "ctss_office"})
        response = await world.client.post(
            f"/editions/{edition_id}/lab-meetings",
            json={
                "held_on": day,
                "place": "Bologna",
                "topic": f"Incontro {number + 1}",
                "lab_group_ids": [first["id"], second["id"]],
                "participants": participants,
            },
            headers=world.admin,
        )
        assert response.status_code == 201, response.text
        meetings.append(response.json())
    listed = await world.client.get(f"/editions/{edition_id}/lab-meetings")
    assert listed.status_code == 200
    assert [m["held_on"] for m in listed.json()["items"]] == [m["held_on"] for m in meetings]
    assert [m["participants"] for m in listed.json()["items"]] == [2, 1, 2, 1, 2]
    groups = await world.client.get(f"/editions/{edition_id}/lab-groups")
    assert [g["name"] for g in groups.json()["items"]] == ["Gruppo di lavoro 1", "Gruppo di lavoro 2"]
    one = await world.client.get(f"/lab-meetings/{meetings[0]['id']}")
    assert one.json()["lab_group_ids"] == [first["id"], second["id"]]
    assert one.json()["recipients"] == [
        {"recipient": "ctss_office", "people": 1},
        {"recipient": "district_director", "people": 1},
    ]

    # Who took part is for regional administrators; the events carry ids and categories only.
    people = await world.client.get(f"/lab-meetings/{meetings[0]['id']}/participants", headers=world.admin)
    assert people.status_code == 200
    assert {(p["person_id"], p["recipient"]) for p in people.json()["people"]} == {
        (director, "district_director"),
        (ctss, "ctss_office"),
    }
    stream = read_stream(session, "lab_meeting", meetings[0]["id"])
    assert [e.type for e in stream] == ["lab_meeting.scheduled", "lab_meeting.participants_recorded"]
    assert stream[0].payload["edition_id"] == edition_id
    assert {p["person_id"] for p in stream[1].payload["participants"]} == {director, ctss}
    group_stream = read_stream(session, "lab_group", first["id"])
    assert [e.type for e in group_stream] == ["lab_group.created", "lab_group.members_set"]


async def test_participants_are_read_and_written_by_regional_admins_only(world: World) -> None:
    edition_id = await _edition(world)
    district = await world.district()
    person = await world.person(district)
    group = await _group(world, edition_id, members=[{"person_id": person, "recipient": "tutor"}])
    meeting = await world.client.post(
        f"/editions/{edition_id}/lab-meetings",
        json={"held_on": "2013-03-05", "topic": "Primo incontro"},
        headers=world.admin,
    )
    assert meeting.status_code == 201, meeting.text
    meeting_id = meeting.json()["id"]
    others = {
        "district editor": world.editor(district),
        "facilitator": world.facilitator(person),
        "integration": world.make_key(Role.INTEGRATION).headers,
    }
    body = {"participants": [{"person_id": person, "recipient": "tutor"}]}
    for who, headers in others.items():
        for path in (f"/lab-meetings/{meeting_id}/participants", f"/lab-groups/{group['id']}/members"):
            read = await world.client.get(path, headers=headers)
            assert read.status_code == 403, (who, path, read.text)
        write = await world.client.put(f"/lab-meetings/{meeting_id}/participants", json=body, headers=headers)
        assert write.status_code == 403, (who, write.text)
        created = await world.client.post(
            f"/editions/{edition_id}/lab-meetings",
            json={"held_on": "2013-04-09", "topic": "x"},
            headers=headers,
        )
        assert created.status_code == 403, (who, created.text)
    assert (await world.client.get(f"/lab-meetings/{meeting_id}/participants")).status_code == 401
    assert (await world.client.get(f"/lab-groups/{group['id']}/members")).status_code == 401

    stale = await world.client.put(
        f"/lab-meetings/{meeting_id}/participants", json=body, headers={**world.admin, "If-Match": '"99"'}
    )
    assert stale.status_code == 412
    done = await world.client.put(
        f"/lab-meetings/{meeting_id}/participants",
        json=body,
        headers={**world.admin, "If-Match": meeting.headers["etag"]},
    )
    assert done.status_code == 200, done.text
    assert done.json()["people"] == [{"person_id": person, "recipient": "tutor"}]
    assert (await world.client.get(f"/lab-meetings/{meeting_id}")).json()["participants"] == 1
    members = await world.client.put(
        f"/lab-groups/{group['id']}/members", json={"members": []}, headers=world.admin
    )
    assert members.status_code == 200 and members.json()["people"] == []


async def test_bad_references_are_field_errors(world: World) -> None:
    edition_id = await _edition(world)
    other_edition = await _edition(world)
    foreign = await _group(world, other_edition)
    missing = "00000000-0000-4000-8000-000000000000"
    cases = {
        "body.lab_group_ids[0]": {"lab_group_ids": [foreign["id"]]},
        "body.participants[0].person_id": {"participants": [{"person_id": missing, "recipient": "other"}]},
    }
    for path, fields in cases.items():
        response = await world.client.post(
            f"/editions/{edition_id}/lab-meetings",
            json={"held_on": "2013-03-05", "topic": "Primo incontro", **fields},
            headers=world.admin,
        )
        assert response.status_code == 422, (path, response.text)
        assert response.json()["errors"][0]["path"] == path
    wrong_category = await world.client.post(
        f"/editions/{edition_id}/lab-groups",
        json={"name": "G", "members": [{"person_id": missing, "recipient": "mayor"}]},
        headers=world.admin,
    )
    assert wrong_category.status_code == 422
    no_edition = await world.client.post(
        f"/editions/{missing}/lab-meetings", json={"held_on": "2013-03-05", "topic": "x"}, headers=world.admin
    )
    assert no_edition.status_code == 404
    assert (await world.client.get(f"/lab-meetings/{missing}")).status_code == 404


def test_the_migration_makes_the_tables_of_the_models(engine: Engine) -> None:
    inspector = inspect(engine)
    schema = "workshops" if engine.dialect.name == "postgresql" else None
    names = ("lab_meetings", "lab_meeting_participants", "lab_groups", "lab_group_members")
    for table in SQLModel.metadata.sorted_tables:
        if table.name in names:
            live = {c["name"] for c in inspector.get_columns(table.name, schema=schema)}
            assert live == {c.name for c in table.columns}, table.name
