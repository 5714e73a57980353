"""Citizens' proposals in reporting: the read model (live and rebuilt), the timeline, no author identity."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import httpx
import pytest
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


def _no_author_identity(text: str, place: Place, scenario: Scenario) -> None:
    """Neither the authors' (nor supporters') registry ids nor their names appear."""
    for citizen in scenario.authors:
        assert citizen.person_id not in text
    assert "Rossi" not in text  # every citizen's family name (tests/participation/conftest.py)
    for name in scenario.author_names:
        assert f"{name} Rossi" not in text
