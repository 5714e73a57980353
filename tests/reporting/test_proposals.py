"""Citizens' proposals in reporting: the read model (live and rebuilt), the timeline, no author identity."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from frictionless import Package
from sqlmodel import Session, col, select

from services.reporting.consumer import catch_up, rebuild
from services.reporting.models import ProposalAnswerView, ProposalView
from shared.eventlog import last_position
from tests.conftest import TestKey
from tests.participation.conftest import Place
from tests.reporting.proposals_scenario import Scenario, build_proposals

pytestmark = pytest.mark.anyio


@pytest.fixture
async def place(
    registry_client: httpx.AsyncClient,
    workshops_client: httpx.AsyncClient,
    create_api_key: Callable[..., TestKey],
    admin_headers: dict[str, str],
) -> Place:
    return await Place(registry_client, workshops_client, create_api_key, admin_headers).setup()


def _read_model(session: Session, scenario: Scenario) -> dict[str, Any]:
    process = uuid.UUID(scenario.process_id)
    rows = {
        str(p.id): p
        for p in session.exec(select(ProposalView).where(col(ProposalView.process_id) == process))
    }
    names = {v: k for k, v in scenario.proposals.items()}
    answers = session.exec(
        select(ProposalAnswerView)
        .where(col(ProposalAnswerView.process_id) == process)
        .order_by(col(ProposalAnswerView.position))
    ).all()
    return {
        "proposals": {
            names[i]: (p.state, p.support_count, p.answer_state, p.answer_category) for i, p in rows.items()
        },
        "merged_into": {
            names[i]: names.get(str(p.merged_into_id)) for i, p in rows.items() if p.merged_into_id
        },
        "priority": {names[i]: str(p.priority_id) for i, p in rows.items() if p.priority_id},
        "answers": [
            (names[str(a.proposal_id)], a.answer_state, a.answer_label, a.answer_category, a.first_answer)
            for a in answers
        ],
    }


EXPECTED_PROPOSALS = {
    "A": ("promoted", 3, "accolta", "accepted"),
    "B": ("published", 0, "presa_in_carico", "evaluating"),
    "C": ("published", 1, "non_accolta", "rejected"),
    "D": ("merged", 0, None, None),
    "E": ("withdrawn", 0, None, None),
}
EXPECTED_ANSWERS = [
    ("A", "presa_in_carico", "Presa in carico", "evaluating", True),
    ("A", "accolta", "Accolta", "accepted", False),
    ("B", "presa_in_carico", "Presa in carico", "evaluating", True),
    ("C", "non_accolta", "Non accolta", "rejected", True),
]


async def test_proposals_read_model_after_live_consumption_and_after_a_rebuild(
    place: Place, session: Session
) -> None:
    scenario = await build_proposals(place)
    # Live: the consumer follows the log in small batches, as the background loop does.
    result = catch_up(session, batch_size=7)
    assert result.position == last_position(session)
    live = _read_model(session, scenario)
    assert live["proposals"] == EXPECTED_PROPOSALS
    assert live["merged_into"] == {"D": "A"}
    assert live["priority"] == {"A": scenario.priority_id}
    assert live["answers"] == EXPECTED_ANSWERS
    # A replay of what was applied changes nothing; a rebuild from position 0 gives the same rows.
    assert catch_up(session).applied == 0
    rebuild(session)
    assert _read_model(session, scenario) == live


async def test_timeline_tells_the_proposals_story_without_authors(
    place: Place, session: Session, reporting_client: httpx.AsyncClient
) -> None:
    scenario = await build_proposals(place)
    catch_up(session)
    response = await reporting_client.get(f"/processes/{scenario.process_id}/timeline")
    assert response.status_code == 200, response.text
    items = [i for i in response.json()["items"] if i["stream_type"] == "proposal"]
    english = [i["sentence"]["en"] for i in items]
    italian = [i["sentence"]["it"] for i in items]
    assert "Proposal 'Pulmino per le frazioni' was put forward (theme: Living networks)" in english
    assert "È stata presentata la proposta 'Pulmino per le frazioni' (tema: Reti vive)" in italian
    assert "Proposal 'Pulmino per le frazioni' received a support (3 in all)" in english
    assert "Ritirato un sostegno alla proposta 'Orti condivisi' (0 in tutto)" in italian
    assert "Proposal 'Bacheca di quartiere' was withdrawn" in english
    assert "L'Ufficio di Piano ha risposto alla proposta 'Orti condivisi': Presa in carico" in italian
    assert "Ufficio di Piano answered proposal 'Sportello serale': Non accolta (rejected)" in english
    assert (
        "L'Ufficio di Piano ha cambiato la risposta alla proposta 'Pulmino per le frazioni': Accolta"
        in italian
    )
    assert "Proposal 'Trasporto sociale' was merged into proposal 'Pulmino per le frazioni'" in english
    assert (
        "La proposta 'Pulmino per le frazioni' è diventata la priorità 'Trasporto sociale per le frazioni'"
        in italian
    )
    states = {i["event_type"]: i["state"] for i in items if i["state"]}
    assert states == {
        "proposal.created": "published",
        "proposal.withdrawn": "withdrawn",
        "proposal.merged": "merged",
        "proposal.promoted": "promoted",
    }
    # 5 proposals, 5 supports and 1 withdrawn, 1 withdrawal, 4 answers, 1 merge, 1 promotion.
    assert len(items) == 5 + 6 + 1 + 4 + 1 + 1
    _no_author_identity(response.text, place, scenario)


async def _get(client: httpx.AsyncClient, url: str, **params: Any) -> httpx.Response:
    response = await client.get(url, params=params)
    assert response.status_code == 200, (url, response.text)
    return response


async def test_diary_counts_proposals_per_process_by_answer_state_and_promotion(
    place: Place, session: Session, reporting_client: httpx.AsyncClient
) -> None:
    scenario = await build_proposals(place)
    catch_up(session)
    url = f"/districts/{scenario.district_id}/diary"
    diary = (await _get(reporting_client, url, edition=scenario.edition_id)).json()
    totals = {
        "received": 5,
        "withdrawn": 1,
        "merged": 1,
        "supported": 2,
        "supports": 4,
        "answered": 3,
        "by_category": {"accepted": 1, "evaluating": 1, "rejected": 1},
        "promoted": 1,
    }
    section = diary["proposals"]
    assert {k: section[k] for k in totals} == totals
    [process] = section["processes"]
    assert process["process_id"] == scenario.process_id and process["title"] == "Ascolto della comunità"
    assert {k: process[k] for k in totals} == totals
    # The process's own states, in its order, each with the category it maps to.
    assert process["by_state"] == [
        {"key": "accolta", "label": "Accolta", "category": "accepted", "count": 1},
        {"key": "presa_in_carico", "label": "Presa in carico", "category": "evaluating", "count": 1},
        {"key": "non_accolta", "label": "Non accolta", "category": "rejected", "count": 1},
    ]
    assert process["items"] == [
        {
            "proposal_id": scenario.proposals["A"],
            "title": "Pulmino per le frazioni",
            "priority_id": scenario.priority_id,
            "priority_title": "Trasporto sociale per le frazioni",
            "priority_status": "proposed",
        }
    ]
    html = (await _get(reporting_client, url, edition=scenario.edition_id, format="html")).text
    assert "<h2>Proposte dei cittadini</h2>" in html
    # The page's title is the title only (it used to carry a copy of the architecture section).
    title = html.split("<title>", 1)[1].split("</title>", 1)[0]
    assert title.startswith("Diario — ") and "<section" not in title, title
    assert "<strong>5</strong> proposte ricevute" in html
    assert '<td>Presa in carico</td><td>In valutazione</td><td class="num">1</td>' in html
    assert "Pulmino per le frazioni → priorità «Trasporto sociale per le frazioni» (proposta)" in html
    _no_author_identity(str(diary) + html, place, scenario)


async def test_dashboard_counts_proposals_per_10000_residents(
    place: Place, session: Session, reporting_client: httpx.AsyncClient
) -> None:
    scenario = await build_proposals(place)
    catch_up(session)
    dashboard = (await _get(reporting_client, "/dashboard", edition=scenario.edition_id)).json()
    row = next(r for r in dashboard["districts"] if r["id"] == scenario.district_id)
    # 5 proposals received in a district of 50,000 residents.
    assert row["proposals"] == 5 and row["proposals_per_10000_residents"] == 1.0
    assert dashboard["proposals"] == 5 and dashboard["proposals_per_10000_residents"] == 1.0
    html = (await _get(reporting_client, "/dashboard", edition=scenario.edition_id, format="html")).text
    assert "<strong>5</strong> proposte dei cittadini (1,0 ogni 10.000 residenti)" in html
    _no_author_identity(str(dashboard) + html, place, scenario)


async def test_open_data_of_proposals_and_answers_is_anonymous_and_follows_the_read_models(
    place: Place, session: Session, reporting_client: httpx.AsyncClient, tmp_path: Path
) -> None:
    scenario = await build_proposals(place)
    catch_up(session)
    package = (await _get(reporting_client, "/opendata/datapackage.json")).json()
    resources = {r["name"]: r for r in package["resources"]}
    proposal_fields = [f["name"] for f in resources["proposals"]["schema"]["fields"]]
    answer_fields = [f["name"] for f in resources["answers"]["schema"]["fields"]]
    assert resources["proposals"]["path"] == "proposals.csv" and resources["answers"]["path"] == "answers.csv"
    assert not any(
        "author" in f or "person" in f or "supporter" in f for f in proposal_fields + answer_fields
    )

    rows = (await _get(reporting_client, "/opendata/proposals.json")).json()
    mine = {r["id"]: r for r in rows if r["process_id"] == scenario.process_id}
    assert len(mine) == 5 and set(mine[scenario.proposals["A"]]) == set(proposal_fields)
    by_key = {k: mine[v] for k, v in scenario.proposals.items()}
    assert {
        k: (r["state"], r["supports"], r["answer_state"], r["answer_category"]) for k, r in by_key.items()
    } == EXPECTED_PROPOSALS
    assert (
        by_key["A"]["priority_id"] == scenario.priority_id
        and by_key["A"]["edition_id"] == scenario.edition_id
    )
    assert by_key["D"]["merged_into_id"] == scenario.proposals["A"]

    answers = (await _get(reporting_client, "/opendata/answers.json")).json()
    names = {v: k for k, v in scenario.proposals.items()}
    assert [
        (
            names[a["proposal_id"]],
            a["answer_state"],
            a["answer_label"],
            a["answer_category"],
            a["first_answer"],
        )
        for a in answers
        if a["process_id"] == scenario.process_id
    ] == EXPECTED_ANSWERS
    assert answers[0]["text"] == "La valutiamo con l'AUSL." and answers[0]["answered_at"].endswith("Z")

    csv_text = (await _get(reporting_client, "/opendata/proposals.csv")).text
    assert csv_text.splitlines()[0] == ",".join(proposal_fields)
    answers_csv = (await _get(reporting_client, "/opendata/answers.csv")).text
    assert answers_csv.splitlines()[0] == ",".join(answer_fields) and len(answers_csv.splitlines()) == 5
    _no_author_identity(str(rows) + str(answers) + csv_text + answers_csv, place, scenario)
    # The descriptor validates against the files, with these rows in them (Frictionless).
    (tmp_path / "datapackage.json").write_text(json.dumps(package))
    for resource in package["resources"]:
        (tmp_path / resource["path"]).write_bytes(
            (await _get(reporting_client, f"/opendata/{resource['path']}")).content
        )
    report = Package(str(tmp_path / "datapackage.json")).validate()
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])

    # Cached per read-model state: the same bytes until the consumer moves on, then the new proposal.
    first = await _get(reporting_client, "/opendata/proposals.csv")
    same = await reporting_client.get(
        "/opendata/proposals.csv", headers={"If-None-Match": first.headers["etag"]}
    )
    assert same.status_code == 304
    newcomer = await place.citizen("Elena")
    await place.propose(scenario.process_id, newcomer, title="Cortile aperto")
    stale = await reporting_client.get(
        "/opendata/proposals.csv", headers={"If-None-Match": first.headers["etag"]}
    )
    assert stale.status_code == 304  # the consumer has not applied it yet
    catch_up(session)
    fresh = await reporting_client.get(
        "/opendata/proposals.csv", headers={"If-None-Match": first.headers["etag"]}
    )
    assert fresh.status_code == 200 and fresh.headers["etag"] != first.headers["etag"]
    assert "Cortile aperto" in fresh.text and "Cortile aperto" not in first.text
    assert newcomer.person_id not in fresh.text


def _no_author_identity(text: str, place: Place, scenario: Scenario) -> None:
    """Neither the authors' (nor supporters') registry ids nor their names appear."""
    for citizen in scenario.authors:
        assert citizen.person_id not in text
    assert "Rossi" not in text  # every citizen's family name (tests/participation/conftest.py)
    for name in scenario.author_names:
        assert f"{name} Rossi" not in text
