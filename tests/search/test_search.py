"""GET /search: Italian stems, accents, ranking, filters, pages, what is public, and an index that never drifts.

Everything is written through the APIs; the index follows each write in its transaction (``search.index``),
so every search below runs on what the listener wrote, on SQLite (FTS5) and on PostgreSQL (tsvector).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlmodel import Session

from services.workshops.search import index
from tests.participation.conftest import Place

pytestmark = pytest.mark.anyio

_starts = iter(range(1, 1000))


async def _process(place: Place, title: str, **fields: Any) -> dict[str, Any]:
    body = {"district_id": place.district_id, "title": title, "status": "active"} | fields
    response = await place.workshops.post("/processes", json=body, headers=place.admin)
    assert response.status_code == 201, response.text
    return dict(response.json())


async def _workshop(place: Place, process_id: str, title: str, **fields: Any) -> dict[str, Any]:
    starts = datetime(2030, 1, 1, 9, tzinfo=UTC) + timedelta(days=next(_starts))
    body = {
        "method": "world_cafe",
        "title": title,
        "starts_at": starts.isoformat(),
        "ends_at": (starts + timedelta(hours=2)).isoformat(),
    } | fields
    response = await place.workshops.post(
        f"/processes/{process_id}/workshops", json=body, headers=place.admin
    )
    assert response.status_code == 201, response.text
    return dict(response.json())


async def _search(client: httpx.AsyncClient, q: str, **params: Any) -> list[dict[str, Any]]:
    response = await client.get("/search", params={"q": q, **params})
    assert response.status_code == 200, response.text
    return list(response.json()["items"])


def _titles(items: list[dict[str, Any]]) -> list[str]:
    return [item["title"] for item in items]


async def test_italian_stems_and_accents_find_each_other_in_every_kind(
    place: Place, create_invention: Callable[..., Any], create_priority: Callable[..., Any]
) -> None:
    process = await _process(place, "Città che cura", purpose="Un percorso partecipativo nei quartieri.")
    workshop = await _workshop(
        place, process["id"], "Laboratorio", description="Come partecipare alla vita della citta"
    )
    invention = await create_invention(
        place.admin, process["id"], title="Sportello", description="Le partecipanti"
    )
    priority = await create_priority(place.admin, place.district_id, title="Partecipazione dei giovani")
    await _workshop(place, process["id"], "Tombola di Natale", description="Una festa")

    found = await _search(place.workshops, "partecipazione")
    assert {(h["kind"], h["id"]) for h in found} == {
        ("process", process["id"]),
        ("workshop", workshop["id"]),
        ("invention", invention["id"]),
        ("priority", priority["id"]),
    }
    assert found[0]["id"] == priority["id"] and found[0]["title_match"] is True
    by_id = {h["id"]: h for h in found}
    assert by_id[workshop["id"]]["url"] == f"/workshops/{workshop['id']}"
    assert by_id[workshop["id"]]["district_id"] == place.district_id
    assert by_id[workshop["id"]]["process_id"] == process["id"]
    assert "partecipare" in by_id[workshop["id"]]["snippet"]

    # "citta" finds "Città" and "CITTÀ" finds "citta"; the article is not required.
    assert {h["id"] for h in await _search(place.workshops, "citta")} == {process["id"], workshop["id"]}
    assert {h["id"] for h in await _search(place.workshops, "la CITTÀ")} == {process["id"], workshop["id"]}
    # Every word must be found.
    both = await _search(place.workshops, "partecipare citta")
    assert {h["id"] for h in both} == {process["id"], workshop["id"]}
    assert await _search(place.workshops, "partecipazione tombola") == []


async def test_a_title_hit_ranks_above_body_hits(place: Place) -> None:
    process = await _process(place, "Percorso")
    body_heavy = await _workshop(
        place,
        process["id"],
        "Incontro serale",
        description="Solitudine, solitudine e ancora solitudine: la solitudine degli anziani soli.",
    )
    in_title = await _workshop(place, process["id"], "Contro la solitudine", description="Un incontro.")
    found = await _search(place.workshops, "solitudine")
    assert [h["id"] for h in found] == [in_title["id"], body_heavy["id"]]
    assert [h["title_match"] for h in found] == [True, False]
    assert found[0]["score"] > 0 and found[1]["score"] > 0


async def test_filters_by_kind_district_and_process(
    place: Place, registry: Any, create_priority: Callable[..., Any]
) -> None:
    here = await _process(place, "Reti di prossimità")
    w_here = await _workshop(place, here["id"], "Prossimità e vicinato")
    other_district = await registry.district("Distretto di Carpi")
    elsewhere = await place.workshops.post(
        "/processes",
        json={"district_id": other_district, "title": "Prossimità a Carpi", "status": "active"},
        headers=place.admin,
    )
    assert elsewhere.status_code == 201, elsewhere.text
    p_there = await create_priority(place.admin, other_district, title="Servizi di prossimità")

    all_ids = {h["id"] for h in await _search(place.workshops, "prossimità")}
    assert all_ids == {here["id"], w_here["id"], elsewhere.json()["id"], p_there["id"]}
    assert {h["id"] for h in await _search(place.workshops, "prossimita", kind="workshop")} == {w_here["id"]}
    assert {h["id"] for h in await _search(place.workshops, "prossimita", kind=["process", "priority"])} == {
        here["id"],
        elsewhere.json()["id"],
        p_there["id"],
    }
    assert {h["id"] for h in await _search(place.workshops, "prossimita", district_id=other_district)} == {
        elsewhere.json()["id"],
        p_there["id"],
    }
    assert {h["id"] for h in await _search(place.workshops, "prossimita", process_id=here["id"])} == {
        here["id"],
        w_here["id"],
    }


async def test_pages_walk_every_hit_once_in_rank_order_and_cursors_are_bound_to_the_query(
    place: Place,
) -> None:
    process = await _process(place, "Percorso")
    for n in range(5):
        await _workshop(place, process["id"], f"Orto condiviso {n}")
    await _workshop(place, process["id"], "Cena", description="Verdure dell'orto")
    whole = await _search(place.workshops, "orto", limit=100)
    assert len(whole) == 6  # five titles, one body; the process "Percorso" is not one
    walked: list[dict[str, Any]] = []
    cursor = None
    while True:
        params: dict[str, Any] = {"q": "orto", "limit": 2} | ({"cursor": cursor} if cursor else {})
        response = await place.workshops.get("/search", params=params)
        assert response.status_code == 200, response.text
        walked += response.json()["items"]
        cursor = response.json()["next_cursor"]
        assert ("Link" in response.headers) == (cursor is not None)
        if cursor is None:
            break
    assert [h["id"] for h in walked] == [h["id"] for h in whole]
    assert _titles(walked)[-1] == "Cena"

    first = await place.workshops.get("/search", params={"q": "orto", "limit": 2})
    other_query = await place.workshops.get(
        "/search", params={"q": "cena", "limit": 2, "cursor": first.json()["next_cursor"]}
    )
    assert other_query.status_code == 422
    assert [e["path"] for e in other_query.json()["errors"]] == ["query.cursor"]


@pytest.mark.parametrize(
    ("params", "path"),
    [
        ({}, "query.q"),
        ({"q": ""}, "query.q"),
        ({"q": "di la per"}, "query.q"),
        ({"q": "!!!"}, "query.q"),
        ({"q": "x" * 201}, "query.q"),
        ({"q": "orto", "kind": "person"}, "query.kind[0]"),
        ({"q": "orto", "limit": 101}, "query.limit"),
    ],
)
async def test_bad_queries_are_422_on_the_parameter(
    workshops_client: httpx.AsyncClient, params: dict[str, Any], path: str
) -> None:
    response = await workshops_client.get("/search", params=params)
    assert response.status_code == 422, response.text
    assert path in [e["path"] for e in response.json()["errors"]]


async def test_only_what_public_lists_show_is_found_and_no_one_by_name(place: Place) -> None:
    process_id = await place.process()
    anna = await place.citizen("Zebediah")
    kept = await place.propose(process_id, anna, title="Un pulmino per le frazioni")
    gone = await place.propose(process_id, anna, title="Un pulmino elettrico")
    withdrawn = await place.workshops.post(f"/proposals/{gone['id']}/withdraw", headers=anna.headers)
    assert withdrawn.status_code == 200, withdrawn.text

    for headers in ({}, place.editor, place.admin):
        response = await place.workshops.get("/search", params={"q": "pulmino"}, headers=headers)
        assert response.status_code == 200, response.text
        assert [h["id"] for h in response.json()["items"]] == [kept["id"]]
    # The author is a registry person: names are not indexed, so a name finds nothing.
    assert await _search(place.workshops, "Zebediah") == []
    assert "Zebediah" not in str(await _search(place.workshops, "pulmino"))


async def test_the_index_follows_changes_and_never_drifts(place: Place, session: Session) -> None:
    process = await _process(place, "Percorso")
    workshop = await _workshop(place, process["id"], "Laboratorio di cucito")
    assert [h["id"] for h in await _search(place.workshops, "cucito")] == [workshop["id"]]
    patched = await place.workshops.patch(
        f"/workshops/{workshop['id']}", json={"title": "Laboratorio di ceramica"}, headers=place.admin
    )
    assert patched.status_code == 200, patched.text
    assert await _search(place.workshops, "cucito") == []
    assert [h["id"] for h in await _search(place.workshops, "ceramica")] == [workshop["id"]]

    # A refused write (a 409 clash: the same venue booked twice) leaves nothing in the index.
    await _workshop(
        place,
        process["id"],
        "Primo",
        venue="Sala civica",
        starts_at="2031-05-01T09:00:00+02:00",
        ends_at="2031-05-01T11:00:00+02:00",
    )
    clash = await place.workshops.post(
        f"/processes/{process['id']}/workshops",
        json={
            "method": "world_cafe",
            "title": "Doppione introvabile",
            "venue": "Sala civica",
            "starts_at": "2031-05-01T10:00:00+02:00",
            "ends_at": "2031-05-01T12:00:00+02:00",
        },
        headers=place.admin,
    )
    assert clash.status_code == 409, clash.text
    assert await _search(place.workshops, "introvabile") == []

    connection = session.connection()
    assert index.drift(connection) == {}
    written = index.rebuild(connection)
    assert written >= 3
    assert index.drift(connection) == {}
    assert [h["id"] for h in await _search(place.workshops, "ceramica")] == [workshop["id"]]


async def test_the_migration_indexes_what_was_there_before_it(place: Place, connection: Any) -> None:
    """Objects written before the index existed are found once the migration has run (its backfill)."""
    from alembic import command

    from shared.migrations import COMPONENTS, _config

    process = await _process(place, "Orti sociali", purpose="Coltivare insieme la città")
    workshop = await _workshop(place, process["id"], "Semina collettiva")
    config = _config(next(c for c in COMPONENTS if c.name == "workshops_search"))
    config.attributes["connection"] = connection
    command.downgrade(config, "workshops_search_0001")
    command.upgrade(config, "head")
    assert {h["id"] for h in await _search(place.workshops, "citta")} == {process["id"]}
    assert {h["id"] for h in await _search(place.workshops, "seminare")} == {workshop["id"]}
    assert index.drift(connection) == {}
