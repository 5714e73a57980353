"""Official answers in the process's own states, merges, and promotion to a priority with provenance both ways."""

from __future__ import annotations

import pytest
from sqlmodel import Session

from shared.eventlog import read_stream
from tests.participation.conftest import Place

pytestmark = pytest.mark.anyio

STATES = [
    {"key": "accolta", "label": "Accolta", "category": "accepted"},
    {"key": "presa_in_carico", "label": "Presa in carico", "category": "evaluating"},
    {"key": "non_accolta", "label": "Non accolta", "category": "rejected"},
]


async def test_the_ufficio_di_piano_answers_in_the_process_states(place: Place, session: Session) -> None:
    process = await place.process(answer_states=STATES)
    anna, bruno = await place.citizen(), await place.citizen("Bruno")
    planner = await place.planner()
    proposal = await place.propose(process, anna)
    url = f"/proposals/{proposal['id']}/answer"
    body = {"state": "presa_in_carico", "text": "La valutiamo con l'AUSL entro marzo."}
    assert (await place.workshops.post(url, json=body, headers=bruno.headers)).status_code == 403
    assert (await place.workshops.post(url, json=body)).status_code == 401
    unknown = await place.workshops.post(
        url, json={"state": "in_valutazione", "text": "x"}, headers=planner.headers
    )
    assert unknown.status_code == 422 and unknown.json()["errors"][0]["path"] == "body.state"
    answered = await place.workshops.post(url, json=body, headers=planner.headers)
    assert answered.status_code == 200, answered.text
    assert answered.json()["answer"] | {"answered_at": None} == {
        "state": "presa_in_carico",
        "label": "Presa in carico",
        "category": "evaluating",
        "text": "La valutiamo con l'AUSL entro marzo.",
        "answered_at": None,
    }
    again = await place.workshops.post(
        url, json={"state": "accolta", "text": "Entra nel piano attuativo."}, headers=place.editor
    )
    assert again.status_code == 200 and again.json()["answer"]["category"] == "accepted"
    accepted = await place.workshops.get(
        f"/processes/{process}/proposals", params={"answer_category": "accepted"}
    )
    assert [p["id"] for p in accepted.json()["items"]] == [proposal["id"]]
    answers = [e for e in read_stream(session, "proposal", proposal["id"]) if e.type == "proposal.answered"]
    assert [
        (e.payload["answer_state"], e.payload["answer_category"], e.payload["first_answer"]) for e in answers
    ] == [
        ("presa_in_carico", "evaluating", True),
        ("accolta", "accepted", False),
    ]


async def test_merge_into_another_proposal_of_the_same_process(place: Place) -> None:
    process = await place.process()
    other_process = await place.process()
    anna, bruno = await place.citizen(), await place.citizen("Bruno")
    planner = await place.planner()
    first = await place.propose(process, anna, title="Pulmino")
    second = await place.propose(process, bruno, title="Trasporto sociale")
    elsewhere = await place.propose(other_process, bruno, title="Altrove")
    url = f"/proposals/{first['id']}/merge"
    wrong = await place.workshops.post(
        url, json={"into_proposal_id": elsewhere["id"]}, headers=planner.headers
    )
    assert wrong.status_code == 422
    itself = await place.workshops.post(url, json={"into_proposal_id": first["id"]}, headers=planner.headers)
    assert itself.status_code == 422
    merged = await place.workshops.post(url, json={"into_proposal_id": second["id"]}, headers=planner.headers)
    assert merged.status_code == 200, merged.text
    assert merged.json()["state"] == "merged" and merged.json()["merged_into_id"] == second["id"]
    target = (await place.workshops.get(f"/proposals/{second['id']}")).json()
    assert target["merged_from_ids"] == [first["id"]]
    support = await place.workshops.post(f"/proposals/{first['id']}/support", headers=bruno.headers)
    assert support.status_code == 409
    twice = await place.workshops.post(url, json={"into_proposal_id": second["id"]}, headers=planner.headers)
    assert twice.status_code == 409


async def test_promotion_to_a_priority_keeps_provenance_both_ways(place: Place, session: Session) -> None:
    process = await place.process()
    anna, bruno = await place.citizen(), await place.citizen("Bruno")
    planner = await place.planner()
    first = await place.propose(process, anna, title="Pulmino")
    second = await place.propose(process, bruno, title="Autisti volontari")
    promoted = await place.workshops.post(
        f"/proposals/{first['id']}/promote",
        json={"title": "Trasporto sociale nelle frazioni", "description": "Dalle proposte dei cittadini."},
        headers=planner.headers,
    )
    assert promoted.status_code == 200, promoted.text
    priority = promoted.json()["priority"]
    assert promoted.json()["state"] == "promoted"
    assert priority["title"] == "Trasporto sociale nelle frazioni" and priority["state"] == "proposed"
    joined = await place.workshops.post(
        f"/proposals/{second['id']}/promote", json={"priority_id": priority["id"]}, headers=planner.headers
    )
    assert joined.status_code == 200 and joined.json()["priority"]["id"] == priority["id"]
    again = await place.workshops.post(
        f"/proposals/{second['id']}/promote", json={"priority_id": priority["id"]}, headers=planner.headers
    )
    assert again.status_code == 409
    cited = (await place.workshops.get(f"/priorities/{priority['id']}/proposals")).json()
    assert cited == {"priority_id": priority["id"], "proposal_ids": [first["id"], second["id"]]}
    read = (await place.workshops.get(f"/priorities/{priority['id']}")).json()
    assert read["district_id"] == place.district_id and read["process_id"] == process
    (event,) = [e for e in read_stream(session, "proposal", first["id"]) if e.type == "proposal.promoted"]
    assert event.payload["priority_id"] == priority["id"]
    citizen = await place.workshops.post(
        f"/proposals/{first['id']}/promote", json={"title": "Mia"}, headers=anna.headers
    )
    assert citizen.status_code == 403
    missing = await place.workshops.post(
        f"/proposals/{first['id']}/promote", json={}, headers=planner.headers
    )
    assert missing.status_code == 422


async def test_editors_record_a_proposal_received_on_paper(place: Place) -> None:
    process = await place.process()
    carla = await place.person("Carla")
    recorded = await place.workshops.post(
        f"/processes/{process}/proposals",
        json={"title": "Lettera al sindaco", "theme": "oltre_i_servizi", "person_id": carla},
        headers=place.editor,
    )
    assert recorded.status_code == 201, recorded.text
    assert recorded.json()["author_id"] == carla
    citizen = await place.citizen()
    on_behalf = await place.workshops.post(
        f"/processes/{process}/proposals",
        json={"title": "Per conto di altri", "theme": "reti_vive", "person_id": carla},
        headers=citizen.headers,
    )
    assert on_behalf.status_code == 403
