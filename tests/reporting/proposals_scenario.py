"""A process with citizens' proposals, built through the registry's and workshops' APIs (one test transaction).

Five proposals in a process with its own answer states ("presa in carico" maps to evaluating):
- A "Pulmino per le frazioni": 3 supports, answered "presa_in_carico" then "accolta", promoted to a new priority;
- B "Orti condivisi": 1 support withdrawn (0 left), answered "presa_in_carico";
- C "Sportello serale": 1 support, answered "non_accolta";
- D "Trasporto sociale": merged into A;
- E "Bacheca di quartiere": withdrawn by its author.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import httpx

from tests.participation.conftest import Citizen, Place, open_phase

STATES = [
    {"key": "accolta", "label": "Accolta", "category": "accepted"},
    {"key": "presa_in_carico", "label": "Presa in carico", "category": "evaluating"},
    {"key": "non_accolta", "label": "Non accolta", "category": "rejected"},
]
POPULATION = 50_000


@dataclass
class Scenario:
    """The ids a test checks the reports against."""

    district_id: str
    edition_id: str
    process_id: str
    priority_id: str
    proposals: dict[str, str]
    authors: list[Citizen]
    author_names: list[str] = field(default_factory=list)


async def _ok(response: httpx.Response, status: int = 201) -> dict[str, Any]:
    assert response.status_code == status, (response.request.url, response.text)
    return dict(response.json())


async def build_proposals(place: Place) -> Scenario:
    """The process, its proposals, supports, answers, merge and promotion."""
    admin = place.admin
    await _ok(
        await place.registry.put(
            f"/districts/{place.district_id}/population",
            json={"year": 2024, "population": POPULATION},
            headers=admin,
        ),
        200,
    )
    programme = await _ok(
        await place.workshops.post("/programmes", json={"name": "Community Lab"}, headers=admin)
    )
    edition = await _ok(
        await place.workshops.post(
            f"/programmes/{programme['id']}/editions",
            json={"name": "Community Lab 2026", "district_ids": [place.district_id]},
            headers=admin,
        )
    )
    process = await _ok(
        await place.workshops.post(
            "/processes",
            json={
                "district_id": place.district_id,
                "edition_id": edition["id"],
                "title": "Ascolto della comunità",
                "status": "active",
                "phases": [open_phase()],
            },
            headers=place.editor,
        )
    )
    process_id = str(process["id"])
    await _ok(
        await place.workshops.put(
            f"/processes/{process_id}/participation",
            json={"answer_states": STATES, "max_proposals_per_person": 5},
            headers=place.editor,
        ),
        200,
    )
    names = ["Ada", "Bice", "Carlo", "Dario"]
    citizens = [await place.citizen(name) for name in names]
    ada, bice, carlo, dario = citizens
    planner = await place.planner()
    ids = {}
    for key, title, author in (
        ("A", "Pulmino per le frazioni", ada),
        ("B", "Orti condivisi", bice),
        ("C", "Sportello serale", ada),
        ("D", "Trasporto sociale", carlo),
        ("E", "Bacheca di quartiere", dario),
    ):
        ids[key] = str((await place.propose(process_id, author, title=title))["id"])
    w = place.workshops
    for supporter in (bice, carlo, dario):
        await _ok(await w.post(f"/proposals/{ids['A']}/support", headers=supporter.headers), 200)
    await _ok(await w.post(f"/proposals/{ids['B']}/support", headers=carlo.headers), 200)
    await _ok(await w.delete(f"/proposals/{ids['B']}/support", headers=carlo.headers), 200)
    await _ok(await w.post(f"/proposals/{ids['C']}/support", headers=bice.headers), 200)
    await _ok(await w.post(f"/proposals/{ids['E']}/withdraw", headers=dario.headers), 200)

    async def answer(key: str, state: str, text: str) -> None:
        await _ok(
            await w.post(
                f"/proposals/{ids[key]}/answer", json={"state": state, "text": text}, headers=planner.headers
            ),
            200,
        )

    await answer("A", "presa_in_carico", "La valutiamo con l'AUSL.")
    await answer("A", "accolta", "Entra nel piano attuativo.")
    await answer("B", "presa_in_carico", "Cerchiamo un terreno.")
    await answer("C", "non_accolta", "Lo sportello esiste già il giovedì.")
    await _ok(
        await w.post(
            f"/proposals/{ids['D']}/merge", json={"into_proposal_id": ids["A"]}, headers=planner.headers
        ),
        200,
    )
    promoted = await _ok(
        await w.post(
            f"/proposals/{ids['A']}/promote",
            json={"title": "Trasporto sociale per le frazioni", "description": "Dalle proposte."},
            headers=planner.headers,
        ),
        200,
    )
    return Scenario(
        district_id=place.district_id,
        edition_id=str(edition["id"]),
        process_id=process_id,
        priority_id=str(promoted["priority"]["id"]),
        proposals=ids,
        authors=citizens,
        author_names=names,
    )
