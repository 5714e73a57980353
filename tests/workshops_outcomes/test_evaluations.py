"""Evaluation cards: the default template, versioned templates, responses and results per dimension."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest
from sqlmodel import Session

from shared.eventlog import read_all, read_stream
from tests.workshops_outcomes.conftest import DEFAULT_TEMPLATE_ID, process_history

pytestmark = pytest.mark.anyio

SCALE = {"kind": "scale", "scale_min": 1, "scale_max": 5}


def card(**extra: Any) -> dict[str, Any]:
    return {
        "name": {"it": "Carta del laboratorio", "en": "Workshop card"},
        "dimensions": [
            {
                "code": "clima",
                "question": {"it": "Il clima era accogliente?", "en": "Was it welcoming?"},
                **SCALE,
            },
            {
                "code": "tempo",
                "kind": "choice",
                "question": {"it": "Il tempo è bastato?", "en": "Was there enough time?"},
                "choices": [
                    {"code": "si", "label": {"it": "Sì", "en": "Yes"}},
                    {"code": "no", "label": {"it": "No", "en": "No"}},
                ],
            },
        ],
    } | extra


@pytest.fixture
async def setting(
    registry: Any,
    create_process: Callable[..., Any],
    create_workshop: Callable[..., Any],
    create_api_key: Callable[..., Any],
) -> dict[str, Any]:
    district = await registry.district()
    process = await create_process(district)
    sibling = await create_process(district, title="Secondo percorso", edition_id=process["edition_id"])
    other_district = await registry.district()
    foreign = await create_process(other_district, title="Altrove", edition_id=process["edition_id"])
    facilitator = await registry.person(district)
    return {
        "district": district,
        "other_district": other_district,
        "process": process,
        "sibling": sibling,
        "foreign": foreign,
        "workshop": await create_workshop(process, "world_cafe", facilitator_ids=[facilitator]),
        "editor": create_api_key("district_editor", districts=[district]),
        "other_editor": create_api_key("district_editor", districts=[other_district]),
        "facilitator": create_api_key("facilitator", person_id=facilitator),
        "stranger_facilitator": create_api_key("facilitator", person_id=await registry.person(district)),
        "participant": await registry.person(district),
    }


async def test_the_default_card_ships_in_italian_with_english_labels(
    outcomes_client: httpx.AsyncClient, session: Session
) -> None:
    response = await outcomes_client.get(f"/evaluation-templates/{DEFAULT_TEMPLATE_ID}")
    assert response.status_code == 200
    template = response.json()
    assert template["name"] == {
        "it": "Carta per la valutazione partecipata",
        "en": "Participatory evaluation card",
    }
    assert template["district_id"] is None
    assert template["template_version"] == 1
    kinds = {d["code"]: d["kind"] for d in template["dimensions"]}
    assert kinds["ascolto"] == "scale" and kinds["influenza"] == "choice" and kinds["commenti"] == "text"
    assert all(d["question"]["it"] and d["question"]["en"] for d in template["dimensions"])
    assert [e.type for e in read_stream(session, "evaluation_template", DEFAULT_TEMPLATE_ID)] == [
        "evaluation_template.created"
    ]
    listed = await outcomes_client.get("/evaluation-templates")
    assert DEFAULT_TEMPLATE_ID in [t["id"] for t in listed.json()["items"]]


async def test_templates_are_created_by_the_right_keys_and_versioned(
    outcomes_client: httpx.AsyncClient,
    setting: dict[str, Any],
    admin_headers: dict[str, str],
    session: Session,
) -> None:
    district_card = card(district_id=setting["district"])
    assert (
        await outcomes_client.post("/evaluation-templates", json=card(), headers=setting["editor"].headers)
    ).status_code == 403
    assert (
        await outcomes_client.post(
            "/evaluation-templates", json=district_card, headers=setting["other_editor"].headers
        )
    ).status_code == 403
    assert read_all(session, stream_types=["evaluation_template"], district_id=setting["district"]) == []
    regional = await outcomes_client.post("/evaluation-templates", json=card(), headers=admin_headers)
    assert regional.status_code == 201, regional.text
    created = await outcomes_client.post(
        "/evaluation-templates", json=district_card, headers=setting["editor"].headers
    )
    assert created.status_code == 201, created.text
    tid = created.json()["id"]
    assert created.headers["Location"] == f"/evaluation-templates/{tid}"

    revised_dimensions = [
        *card()["dimensions"],
        {"code": "note", "kind": "text", "question": {"it": "Note", "en": "Notes"}},
    ]
    revised_dimensions[0] = revised_dimensions[0] | {"scale_max": 10}
    stale = await outcomes_client.put(
        f"/evaluation-templates/{tid}",
        json={"dimensions": revised_dimensions},
        headers=setting["editor"].headers | {"If-Match": '"5"'},
    )
    assert stale.status_code == 412
    revised = await outcomes_client.put(
        f"/evaluation-templates/{tid}",
        json={"dimensions": revised_dimensions},
        headers=setting["editor"].headers | {"If-Match": '"1"'},
    )
    assert revised.status_code == 200, revised.text
    assert (revised.json()["current_version"], revised.json()["template_version"]) == (2, 2)
    old = (await outcomes_client.get(f"/evaluation-templates/{tid}", params={"template_version": 1})).json()
    assert old["dimensions"][0]["scale_max"] == 5
    assert len(old["dimensions"]) == 2
    assert (
        await outcomes_client.get(f"/evaluation-templates/{tid}", params={"template_version": 3})
    ).status_code == 404
    assert [e.type for e in read_stream(session, "evaluation_template", tid)] == [
        "evaluation_template.created",
        "evaluation_template.versioned",
    ]
    usable = await outcomes_client.get(
        "/evaluation-templates", params={"district_id": setting["other_district"]}
    )
    assert tid not in [t["id"] for t in usable.json()["items"]]
    assert regional.json()["id"] in [t["id"] for t in usable.json()["items"]]


@pytest.mark.parametrize(
    ("dimensions", "why"),
    [
        (
            [
                {
                    "code": "a",
                    "kind": "scale",
                    "question": {"it": "a", "en": "a"},
                    "scale_min": 5,
                    "scale_max": 1,
                }
            ],
            "range",
        ),
        ([{"code": "a", "kind": "choice", "question": {"it": "a", "en": "a"}, "choices": []}], "no choices"),
        ([{"code": "a", "kind": "text", "question": {"it": "a", "en": "a"}}] * 2, "duplicate codes"),
        ([{"code": "a b", "kind": "text", "question": {"it": "a", "en": "a"}}], "bad code"),
        ([], "empty"),
    ],
)
async def test_malformed_templates_are_422(
    outcomes_client: httpx.AsyncClient, admin_headers: dict[str, str], dimensions: list[Any], why: str
) -> None:
    response = await outcomes_client.post(
        "/evaluation-templates", json=card(dimensions=dimensions), headers=admin_headers
    )
    assert response.status_code == 422, why


async def answer(
    client: httpx.AsyncClient, headers: dict[str, str], process_id: str, answers: dict[str, Any], **extra: Any
) -> httpx.Response:
    body = {"template_id": DEFAULT_TEMPLATE_ID, "process_id": process_id, "answers": answers} | extra
    return await client.post("/evaluation-responses", json=body, headers=headers)


async def test_results_per_dimension_for_a_process_a_district_and_an_edition(
    outcomes_client: httpx.AsyncClient,
    setting: dict[str, Any],
    admin_headers: dict[str, str],
    session: Session,
) -> None:
    editor = setting["editor"].headers
    pid = setting["process"]["id"]
    base = {"relazioni": 3, "cambiamento": 3, "continuita": 3}
    for ascolto, influenza in [(5, "si"), (4, "si"), (2, "in_parte")]:
        response = await answer(
            outcomes_client, editor, pid, base | {"ascolto": ascolto, "influenza": influenza}
        )
        assert response.status_code == 201, response.text
    # One through the workshop's facilitator, by a registry person, with free text.
    by_person = await answer(
        outcomes_client,
        setting["facilitator"].headers,
        pid,
        base | {"ascolto": 1, "commenti": "Più tempo per i tavoli"},
        workshop_id=setting["workshop"]["id"],
        person_id=setting["participant"],
    )
    assert by_person.status_code == 201, by_person.text
    assert by_person.json()["person_id"] == setting["participant"]
    await answer(outcomes_client, editor, setting["sibling"]["id"], base | {"ascolto": 3, "influenza": "no"})
    await answer(outcomes_client, admin_headers, setting["foreign"]["id"], base | {"ascolto": 5})

    process = (
        await outcomes_client.get(
            f"/processes/{pid}/evaluation-results", params={"template_id": DEFAULT_TEMPLATE_ID}
        )
    ).json()
    assert process["response_count"] == 4
    dims = {d["code"]: d for d in process["dimensions"]}
    assert dims["ascolto"]["count"] == 4
    assert dims["ascolto"]["mean"] == 3.0
    assert dims["ascolto"]["distribution"] == {"1": 1, "2": 1, "3": 0, "4": 1, "5": 1}
    assert dims["influenza"]["count"] == 3
    assert dims["influenza"]["mean"] is None
    assert dims["influenza"]["distribution"] == {"si": 2, "in_parte": 1, "no": 0, "non_so": 0}
    assert "commenti" not in dims  # free text is not aggregated
    assert dims["ascolto"]["question"]["en"].startswith("How far")

    district = (
        await outcomes_client.get(
            f"/districts/{setting['district']}/evaluation-results",
            params={"template_id": DEFAULT_TEMPLATE_ID},
        )
    ).json()
    assert district["response_count"] == 5
    assert {d["code"]: d["mean"] for d in district["dimensions"]}["ascolto"] == 3.0
    assert {d["code"]: d["distribution"] for d in district["dimensions"]}["influenza"]["no"] == 1
    edition = (
        await outcomes_client.get(
            f"/editions/{setting['process']['edition_id']}/evaluation-results",
            params={"template_id": DEFAULT_TEMPLATE_ID},
        )
    ).json()
    assert edition["response_count"] == 6
    assert {d["code"]: d["count"] for d in edition["dimensions"]}["ascolto"] == 6
    ascolto = {d["code"]: d for d in edition["dimensions"]}["ascolto"]
    # 20/6 = 3.333...: two decimals, the rule the Diario and the dashboard print too; read against the card's 1-5.
    assert (ascolto["mean"], ascolto["scale_min"], ascolto["scale_max"]) == (3.33, 1, 5)

    events = read_all(session, types=["evaluation.response_recorded"], district_id=setting["district"])
    assert len(events) == 5
    personal = next(e for e in events if e.payload["person_id"] == setting["participant"])
    assert personal.payload["workshop_id"] == setting["workshop"]["id"]
    assert personal.payload["process_id"] == pid
    assert personal.payload["edition_id"] == setting["process"]["edition_id"]
    assert "commenti" not in personal.payload["answers"]
    assert personal.payload["answers"]["ascolto"] == 1
    # Reports draw the bars against the card's own scale, which the event carries for each scale answer.
    assert personal.payload["scales"]["ascolto"] == [1, 5]
    assert "influenza" not in personal.payload["scales"]
    history = await process_history(outcomes_client, pid, editor)
    assert sum(h["type"] == "evaluation.response_recorded" for h in history) == 4


@pytest.mark.parametrize(
    ("answers", "path"),
    [
        ({"ascolto": 6}, "body.answers.ascolto"),
        ({"ascolto": "molto"}, "body.answers.ascolto"),
        ({"ascolto": 3, "influenza": "forse"}, "body.answers.influenza"),
        ({"ascolto": 3, "umore": 2}, "body.answers.umore"),
        ({"relazioni": 3}, "body.answers.ascolto"),
    ],
)
async def test_answers_that_do_not_fit_the_card_are_422_and_write_nothing(
    outcomes_client: httpx.AsyncClient,
    setting: dict[str, Any],
    session: Session,
    answers: dict[str, Any],
    path: str,
) -> None:
    base = {"relazioni": 3, "cambiamento": 3, "continuita": 3}
    response = await answer(
        outcomes_client, setting["editor"].headers, setting["process"]["id"], base | answers
    )
    assert response.status_code == 422, response.text
    assert path in [e["path"] for e in response.json()["errors"]]
    assert read_all(session, stream_types=["evaluation_response"], district_id=setting["district"]) == []


async def test_who_may_record_responses(
    outcomes_client: httpx.AsyncClient, setting: dict[str, Any], session: Session
) -> None:
    answers = {"ascolto": 3, "relazioni": 3, "cambiamento": 3, "continuita": 3}
    pid, wid = setting["process"]["id"], setting["workshop"]["id"]
    assert (await answer(outcomes_client, setting["other_editor"].headers, pid, answers)).status_code == 403
    assert (
        await answer(outcomes_client, setting["stranger_facilitator"].headers, pid, answers, workshop_id=wid)
    ).status_code == 403
    # A facilitator records for their workshop, not for the process as a whole.
    assert (await answer(outcomes_client, setting["facilitator"].headers, pid, answers)).status_code == 403
    assert (await answer(outcomes_client, {}, pid, answers)).status_code == 401
    unknown_person = await answer(
        outcomes_client,
        setting["editor"].headers,
        pid,
        answers,
        person_id="00000000-0000-4000-8000-000000000001",
    )
    assert unknown_person.status_code == 422
    assert unknown_person.json()["errors"][0]["path"] == "body.person_id"
    sibling_workshop = await answer(
        outcomes_client, setting["editor"].headers, setting["sibling"]["id"], answers, workshop_id=wid
    )
    assert sibling_workshop.status_code == 422
    assert read_all(session, stream_types=["evaluation_response"], district_id=setting["district"]) == []


async def test_responses_keep_the_version_they_answered(
    outcomes_client: httpx.AsyncClient, setting: dict[str, Any]
) -> None:
    editor = setting["editor"].headers
    created = await outcomes_client.post(
        "/evaluation-templates", json=card(district_id=setting["district"]), headers=editor
    )
    tid = created.json()["id"]
    pid = setting["process"]["id"]
    body = {"template_id": tid, "process_id": pid}
    first = await outcomes_client.post(
        "/evaluation-responses", json=body | {"answers": {"clima": 5, "tempo": "no"}}, headers=editor
    )
    assert first.status_code == 201 and first.json()["template_version"] == 1
    dims = card()["dimensions"]
    dims[0] = dims[0] | {"scale_max": 10}
    await outcomes_client.put(f"/evaluation-templates/{tid}", json={"dimensions": dims}, headers=editor)
    second = await outcomes_client.post(
        "/evaluation-responses", json=body | {"answers": {"clima": 9}}, headers=editor
    )
    assert second.status_code == 201 and second.json()["template_version"] == 2
    old_scale = await outcomes_client.post(
        "/evaluation-responses", json=body | {"template_version": 1, "answers": {"clima": 9}}, headers=editor
    )
    assert old_scale.status_code == 422
    foreign = await outcomes_client.post(
        "/evaluation-responses",
        json={"template_id": tid, "process_id": setting["foreign"]["id"], "answers": {"clima": 1}},
        headers=setting["other_editor"].headers,
    )
    # A district's own card is not used elsewhere: the other district's editor may not name it (403).
    assert foreign.status_code == 403 and "body.template_id" in foreign.json()["detail"]
    results = (
        await outcomes_client.get(f"/processes/{pid}/evaluation-results", params={"template_id": tid})
    ).json()
    clima = next(d for d in results["dimensions"] if d["code"] == "clima")
    assert clima["count"] == 2
    assert clima["mean"] == 7.0
    assert len(clima["distribution"]) == 10


async def test_results_of_unknown_scopes_are_404(outcomes_client: httpx.AsyncClient) -> None:
    missing = "00000000-0000-4000-8000-000000000000"
    params = {"template_id": DEFAULT_TEMPLATE_ID}
    for scope in ("processes", "districts", "editions"):
        response = await outcomes_client.get(f"/{scope}/{missing}/evaluation-results", params=params)
        assert response.status_code == 404, scope
    assert (await outcomes_client.get(f"/districts/{missing}/priorities")).status_code == 404
    unknown_template = await outcomes_client.get(
        f"/districts/{missing}/evaluation-results", params={"template_id": "not-a-uuid"}
    )
    assert unknown_template.status_code == 422


async def test_a_dimension_that_changed_kind_keeps_its_answers_and_a_numeric_mean(
    outcomes_client: httpx.AsyncClient, setting: dict[str, Any]
) -> None:
    editor = setting["editor"].headers
    created = await outcomes_client.post(
        "/evaluation-templates", json=card(district_id=setting["district"]), headers=editor
    )
    tid, pid = created.json()["id"], setting["process"]["id"]
    body = {"template_id": tid, "process_id": pid}
    await outcomes_client.post(
        "/evaluation-responses", json=body | {"answers": {"clima": 2, "tempo": "si"}}, headers=editor
    )
    # "tempo" becomes a 1-5 scale in version 2.
    dims = card()["dimensions"]
    dims[1] = {"code": "tempo", "question": {"it": "Quanto tempo?", "en": "How much time?"}, **SCALE}
    assert (
        await outcomes_client.put(f"/evaluation-templates/{tid}", json={"dimensions": dims}, headers=editor)
    ).status_code == 200
    await outcomes_client.post(
        "/evaluation-responses", json=body | {"answers": {"clima": 4, "tempo": 5}}, headers=editor
    )
    response = await outcomes_client.get(f"/processes/{pid}/evaluation-results", params={"template_id": tid})
    assert response.status_code == 200, response.text
    tempo = next(d for d in response.json()["dimensions"] if d["code"] == "tempo")
    assert tempo["kind"] == "scale"
    assert tempo["count"] == 2
    assert tempo["mean"] == 5.0
    assert tempo["distribution"]["si"] == 1
    assert tempo["distribution"]["5"] == 1
