"""The priority cycle through the API: the whole path, illegal steps (409 + allowed), wrong roles (403)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import httpx
import pytest
from sqlmodel import Session

from shared.eventlog import read_stream
from tests.workshops_outcomes.conftest import process_history

pytestmark = pytest.mark.anyio


@pytest.fixture
async def cycle(
    registry: Any,
    create_process: Callable[..., Any],
    create_workshop: Callable[..., Any],
    create_api_key: Callable[..., Any],
) -> dict[str, Any]:
    """A district with a process, its workshops, the Ufficio di Piano and a committee delegate with keys."""
    district = await registry.district()
    process = await create_process(district)
    upd_person = await registry.person(district, "planning_office_staff")
    cdd_person = await registry.person(district, "administrator")
    await registry.membership(district, upd_person, "ufficio_di_piano:staff")
    await registry.membership(district, cdd_person, "comitato_di_distretto:delegate")
    return {
        "district": district,
        "process": process,
        "upd_person": upd_person,
        "ost": await create_workshop(process, "open_space_technology"),
        "table": await create_workshop(process, "project_table"),
        "restitution": await create_workshop(process, "restitution_event"),
        "editor": create_api_key("district_editor", districts=[district]),
        "upd": create_api_key("district_editor", districts=[district], person_id=upd_person),
        "cdd": create_api_key("district_editor", districts=[district], person_id=cdd_person),
    }


async def test_whole_cycle_from_proposal_to_plan_action(
    outcomes_client: httpx.AsyncClient, cycle: dict[str, Any], session: Session
) -> None:
    ost = cycle["ost"]
    proposed = await outcomes_client.post(
        "/priorities",
        json={
            "district_id": cycle["district"],
            "workshop_id": ost["id"],
            "origin": {"kind": "workshop", "id": ost["id"]},
            "source": "workshop",
            "title": "Contrastare la solitudine degli anziani",
        },
        headers=cycle["editor"].headers,
    )
    assert proposed.status_code == 201, proposed.text
    priority = proposed.json()
    pid = priority["id"]
    assert proposed.headers["Location"] == f"/priorities/{pid}"
    assert priority["state"] == "proposed"
    assert priority["process_id"] == cycle["process"]["id"]  # taken from the workshop
    assert priority["allowed"] == [{"action": "submit", "to": "submitted"}]

    steps: list[tuple[str, Any, dict[str, Any] | None, str]] = [
        ("submit", cycle["upd"], {"year": 2026}, "submitted"),
        (
            "validate",
            cycle["cdd"],
            {"sitting_date": "2026-03-12", "motivation": "Coerente con il PdZ"},
            "validated",
        ),
        ("assign", cycle["editor"], {"project_table_workshop_ids": [cycle["table"]["id"]]}, "assigned"),
        ("start", cycle["editor"], None, "in_progress"),
        (
            "report",
            cycle["editor"],
            {"outcome": "partly_achieved", "restitution_workshop_id": cycle["restitution"]["id"]},
            "reported",
        ),
        ("link-plan-action", cycle["editor"], {"plan_action": "PdZ-2026-26"}, "linked_to_plan_action"),
    ]
    etag = proposed.headers["ETag"]
    for action, key, body, state in steps:
        response = await outcomes_client.post(
            f"/priorities/{pid}/{action}", json=body, headers=key.headers | {"If-Match": etag}
        )
        assert response.status_code == 200, (action, response.text)
        assert response.json()["state"] == state
        assert response.headers["ETag"] != etag
        etag = response.headers["ETag"]

    anonymous = (await outcomes_client.get(f"/priorities/{pid}")).json()
    assert {h["actor_id"] for h in anonymous["history"]} == {None}
    detail = (await outcomes_client.get(f"/priorities/{pid}", headers=cycle["editor"].headers)).json()
    assert detail["year"] == 2026
    assert detail["sitting_date"] == "2026-03-12"
    assert detail["project_table_workshop_ids"] == [cycle["table"]["id"]]
    assert detail["outcome"] == "partly_achieved"
    assert detail["restitution_workshop_id"] == cycle["restitution"]["id"]
    assert detail["plan_action"] == "PdZ-2026-26"
    assert detail["allowed"] == []
    assert detail["origin_detail"]["workshop"]["id"] == ost["id"]
    assert detail["origin_detail"]["process"]["id"] == cycle["process"]["id"]
    assert detail["origin_detail"]["session"] == {
        "kind": "workshop",
        "id": ost["id"],
        "title": "Laboratorio open_space_technology",
    }
    assert [h["to_state"] for h in detail["history"]] == [
        "proposed",
        "submitted",
        "validated",
        "assigned",
        "in_progress",
        "reported",
        "linked_to_plan_action",
    ]
    assert detail["history"][1]["actor_id"] == cycle["upd"].actor_id
    assert detail["history"][2]["details"]["motivation"] == "Coerente con il PdZ"

    events = read_stream(session, "priority", pid)
    assert [e.type for e in events] == [
        "priority.proposed",
        "priority.submitted",
        "priority.validated",
        "priority.assigned",
        "priority.started",
        "priority.reported",
        "priority.linked_to_plan_action",
    ]
    assert all(e.district_id == cycle["district"] for e in events)
    assert all(e.payload["district_id"] == cycle["district"] for e in events)
    assert all(e.payload["process_id"] == cycle["process"]["id"] for e in events)
    assert events[5].payload["restitution_workshop_id"] == cycle["restitution"]["id"]

    # Every step is part of the process's history.
    history = await process_history(outcomes_client, cycle["process"]["id"], cycle["editor"].headers)
    assert [h["event_id"] for h in history if h["stream_type"] == "priority"] == [
        str(e.event_id) for e in events
    ]

    listed = await outcomes_client.get(f"/districts/{cycle['district']}/priorities", params={"year": 2026})
    assert listed.status_code == 200
    assert [(p["id"], p["state"]) for p in listed.json()["items"]] == [(pid, "linked_to_plan_action")]
    other_year = await outcomes_client.get(
        f"/districts/{cycle['district']}/priorities", params={"year": 2025}
    )
    assert other_year.json()["items"] == []


async def test_committee_view_of_the_year_filters_by_state(
    outcomes_client: httpx.AsyncClient, cycle: dict[str, Any], create_priority: Callable[..., Any]
) -> None:
    editor, upd, cdd = cycle["editor"].headers, cycle["upd"].headers, cycle["cdd"].headers
    decision = {"sitting_date": "2026-03-12", "motivation": "Seduta di marzo"}
    ids = []
    for title in ("Casa", "Lavoro", "Scuola"):
        priority = await create_priority(editor, cycle["district"], title=title)
        assert (
            await outcomes_client.post(
                f"/priorities/{priority['id']}/submit", json={"year": 2026}, headers=upd
            )
        ).status_code == 200
        ids.append(priority["id"])
    await outcomes_client.post(f"/priorities/{ids[0]}/validate", json=decision, headers=cdd)
    await outcomes_client.post(f"/priorities/{ids[1]}/reject", json=decision, headers=cdd)
    await create_priority(editor, cycle["district"], title="Non ancora presentata")

    response = await outcomes_client.get(
        f"/districts/{cycle['district']}/priorities",
        params={"year": 2026, "state": ["validated", "rejected"]},
    )
    assert response.status_code == 200
    assert {(p["title"], p["state"]) for p in response.json()["items"]} == {
        ("Casa", "validated"),
        ("Lavoro", "rejected"),
    }
    everything = await outcomes_client.get(f"/districts/{cycle['district']}/priorities", params={"limit": 2})
    assert len(everything.json()["items"]) == 2
    assert 'rel="next"' in everything.headers["Link"]
    rest = await outcomes_client.get(
        f"/districts/{cycle['district']}/priorities",
        params={"limit": 2, "cursor": everything.json()["next_cursor"]},
    )
    assert len(rest.json()["items"]) == 2


async def test_illegal_transitions_are_409_with_the_allowed_steps(
    outcomes_client: httpx.AsyncClient,
    cycle: dict[str, Any],
    create_priority: Callable[..., Any],
    session: Session,
) -> None:
    priority = await create_priority(cycle["editor"].headers, cycle["district"])
    pid = priority["id"]
    response = await outcomes_client.post(
        f"/priorities/{pid}/validate",
        json={"sitting_date": "2026-03-12", "motivation": "Troppo presto"},
        headers=cycle["cdd"].headers,
    )
    assert response.status_code == 409
    assert response.headers["content-type"].startswith("application/problem+json")
    problem = response.json()
    assert problem["current_state"] == "proposed"
    assert problem["allowed"] == [{"action": "submit", "to": "submitted"}]
    assert "submit" in problem["detail"]

    start = await outcomes_client.post(f"/priorities/{pid}/start", headers=cycle["editor"].headers)
    assert start.status_code == 409
    assert start.json()["allowed"] == [{"action": "submit", "to": "submitted"}]

    await outcomes_client.post(f"/priorities/{pid}/submit", json={"year": 2026}, headers=cycle["upd"].headers)
    again = await outcomes_client.post(
        f"/priorities/{pid}/submit", json={"year": 2027}, headers=cycle["upd"].headers
    )
    assert again.status_code == 409
    assert again.json()["allowed"] == [
        {"action": "validate", "to": "validated"},
        {"action": "reject", "to": "rejected"},
    ]
    rejected = await outcomes_client.post(
        f"/priorities/{pid}/reject",
        json={"sitting_date": "2026-03-12", "motivation": "Fuori dal mandato"},
        headers=cycle["cdd"].headers,
    )
    assert rejected.status_code == 200
    after = await outcomes_client.post(
        f"/priorities/{pid}/assign",
        json={"project_table_workshop_ids": [cycle["table"]["id"]]},
        headers=cycle["editor"].headers,
    )
    assert after.status_code == 409
    assert after.json()["allowed"] == []
    assert [e.type for e in read_stream(session, "priority", pid)] == [
        "priority.proposed",
        "priority.submitted",
        "priority.rejected",
    ]


async def test_wrong_roles_are_403_and_write_nothing(
    outcomes_client: httpx.AsyncClient,
    cycle: dict[str, Any],
    create_priority: Callable[..., Any],
    create_api_key: Callable[..., Any],
    registry: Any,
    session: Session,
) -> None:
    priority = await create_priority(cycle["editor"].headers, cycle["district"])
    pid = priority["id"]
    submit = {"year": 2026}

    no_person = await outcomes_client.post(
        f"/priorities/{pid}/submit", json=submit, headers=cycle["editor"].headers
    )
    assert no_person.status_code == 403
    assert "not linked to a registry person" in no_person.json()["detail"]

    committee_submits = await outcomes_client.post(
        f"/priorities/{pid}/submit", json=submit, headers=cycle["cdd"].headers
    )
    assert committee_submits.status_code == 403
    assert "ufficio_di_piano" in committee_submits.json()["detail"]

    # A member of another district's Ufficio di Piano, editor of this one, is still refused.
    elsewhere = await registry.district()
    outsider = await registry.person(elsewhere)
    await registry.membership(elsewhere, outsider, "ufficio_di_piano:director")
    outsider_key = create_api_key("district_editor", districts=[cycle["district"]], person_id=outsider)
    assert (
        await outcomes_client.post(f"/priorities/{pid}/submit", json=submit, headers=outsider_key.headers)
    ).status_code == 403

    # The right role in the registry but an editor key of another district only.
    other_editor = create_api_key("district_editor", districts=[elsewhere], person_id=cycle["upd_person"])
    assert (
        await outcomes_client.post(f"/priorities/{pid}/submit", json=submit, headers=other_editor.headers)
    ).status_code == 403
    facilitator = create_api_key("facilitator", person_id=await registry.person(cycle["district"]))
    assert (
        await outcomes_client.post(f"/priorities/{pid}/submit", json=submit, headers=facilitator.headers)
    ).status_code == 403
    assert (await outcomes_client.post(f"/priorities/{pid}/submit", json=submit)).status_code == 401
    assert [e.type for e in read_stream(session, "priority", pid)] == ["priority.proposed"]

    assert (
        await outcomes_client.post(f"/priorities/{pid}/submit", json=submit, headers=cycle["upd"].headers)
    ).status_code == 200
    decision = {"sitting_date": "2026-03-12", "motivation": "ok"}
    upd_validates = await outcomes_client.post(
        f"/priorities/{pid}/validate", json=decision, headers=cycle["upd"].headers
    )
    assert upd_validates.status_code == 403
    assert "comitato_di_distretto" in upd_validates.json()["detail"]
    assert (
        await outcomes_client.post(f"/priorities/{pid}/reject", json=decision, headers=cycle["upd"].headers)
    ).status_code == 403

    # The delegate's mandate is checked on the sitting date.
    lapsed = await registry.person(cycle["district"])
    await registry.membership(
        cycle["district"], lapsed, "comitato_di_distretto:delegate", date(2020, 1, 1), date(2025, 12, 31)
    )
    lapsed_key = create_api_key("district_editor", districts=[cycle["district"]], person_id=lapsed)
    assert (
        await outcomes_client.post(f"/priorities/{pid}/validate", json=decision, headers=lapsed_key.headers)
    ).status_code == 403
    assert [e.type for e in read_stream(session, "priority", pid)] == [
        "priority.proposed",
        "priority.submitted",
    ]

    admin = create_api_key("regional_admin")
    assert (
        await outcomes_client.post(f"/priorities/{pid}/validate", json=decision, headers=admin.headers)
    ).status_code == 200


async def test_if_match_and_step_payloads_are_checked(
    outcomes_client: httpx.AsyncClient,
    cycle: dict[str, Any],
    create_priority: Callable[..., Any],
    session: Session,
) -> None:
    priority = await create_priority(cycle["editor"].headers, cycle["district"])
    pid = priority["id"]
    stale = await outcomes_client.post(
        f"/priorities/{pid}/submit", json={"year": 2026}, headers=cycle["upd"].headers | {"If-Match": '"7"'}
    )
    assert stale.status_code == 412
    bad_year = await outcomes_client.post(
        f"/priorities/{pid}/submit", json={"year": 1850}, headers=cycle["upd"].headers
    )
    assert bad_year.status_code == 422
    assert bad_year.json()["errors"][0]["path"] == "body.year"
    await outcomes_client.post(f"/priorities/{pid}/submit", json={"year": 2026}, headers=cycle["upd"].headers)
    await outcomes_client.post(
        f"/priorities/{pid}/validate",
        json={"sitting_date": "2026-03-12", "motivation": "ok"},
        headers=cycle["cdd"].headers,
    )
    not_a_table = await outcomes_client.post(
        f"/priorities/{pid}/assign",
        json={"project_table_workshop_ids": [cycle["ost"]["id"]]},
        headers=cycle["editor"].headers,
    )
    assert not_a_table.status_code == 422
    assert not_a_table.json()["errors"][0]["path"] == "body.project_table_workshop_ids[0]"
    assert [e.type for e in read_stream(session, "priority", pid)][-1] == "priority.validated"


async def test_proposal_checks_process_and_district(
    outcomes_client: httpx.AsyncClient,
    cycle: dict[str, Any],
    registry: Any,
    create_process: Callable[..., dict[str, str]],
    create_api_key: Callable[..., Any],
) -> None:
    other_district = await registry.district()
    foreign_process = await create_process(other_district)
    mismatch = await outcomes_client.post(
        "/priorities",
        json={
            "district_id": cycle["district"],
            "process_id": foreign_process["id"],
            "source": "ufficio_di_piano",
            "title": "x",
        },
        headers=cycle["editor"].headers,
    )
    # The editor may not use another district's process at all: 403 naming the field (docs/api.md).
    assert mismatch.status_code == 403
    assert "body.process_id" in mismatch.json()["detail"]
    # An admin may name any district's process, but it must be the priority's district's: 422.
    admin = create_api_key("regional_admin")
    misfit = await outcomes_client.post(
        "/priorities",
        json={
            "district_id": cycle["district"],
            "process_id": foreign_process["id"],
            "source": "ufficio_di_piano",
            "title": "x",
        },
        headers=admin.headers,
    )
    assert misfit.status_code == 422
    assert misfit.json()["errors"][0]["path"] == "body.process_id"
    no_workshop = await outcomes_client.post(
        "/priorities",
        json={"district_id": cycle["district"], "source": "workshop", "title": "x"},
        headers=cycle["editor"].headers,
    )
    assert no_workshop.status_code == 422
    foreign = await outcomes_client.post(
        "/priorities",
        json={"district_id": other_district, "source": "ufficio_di_piano", "title": "x"},
        headers=cycle["editor"].headers,
    )
    assert foreign.status_code == 403


async def test_a_decision_cannot_precede_its_sitting(
    outcomes_client: httpx.AsyncClient, cycle: dict[str, Any], create_priority: Callable[..., Any]
) -> None:
    priority = await create_priority(cycle["editor"].headers, cycle["district"])
    await outcomes_client.post(
        f"/priorities/{priority['id']}/submit", json={"year": 2026}, headers=cycle["upd"].headers
    )
    future = await outcomes_client.post(
        f"/priorities/{priority['id']}/validate",
        json={"sitting_date": "2099-01-10", "motivation": "in anticipo"},
        headers=cycle["cdd"].headers,
    )
    assert future.status_code == 422
    assert future.json()["errors"][0]["path"] == "body.sitting_date"
