"""Proposals: phases open to them, safe Markdown, edits until the first support, withdrawal, limits, lists."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import Session

from shared.eventlog import read_stream
from tests.participation.conftest import Place, open_phase, today

pytestmark = pytest.mark.anyio


async def test_a_participant_proposes_in_an_open_phase_and_anonymous_readers_see_no_author(
    place: Place, session: Session
) -> None:
    process = await place.process()
    anna = await place.citizen()
    created = await place.propose(
        process,
        anna,
        body="**Trasporto** <script>alert(1)</script> [sito](javascript:alert(1)) [ok](https://ausl.example)",
        links=["https://ausl.example/trasporti"],
    )
    assert created["author_id"] == anna.person_id and created["mine"] is True
    assert created["state"] == "published" and created["editable"] is True
    html = created["body_html"]
    assert "<strong>Trasporto</strong>" in html
    # Raw HTML stays text and a javascript: link is no link.
    assert "<script" not in html and "&lt;script&gt;" in html and 'href="javascript' not in html
    assert 'href="https://ausl.example"' in html

    anonymous = (await place.workshops.get(f"/proposals/{created['id']}")).json()
    assert anonymous["author_id"] is None and anonymous["mine"] is False
    listed = (await place.workshops.get(f"/processes/{process}/proposals")).json()["items"]
    assert [p["author_id"] for p in listed] == [None]
    other = await place.citizen("Bruno")
    assert (await place.workshops.get(f"/proposals/{created['id']}", headers=other.headers)).json()[
        "author_id"
    ] is None
    editor_view = (await place.workshops.get(f"/proposals/{created['id']}", headers=place.editor)).json()
    assert editor_view["author_id"] == anna.person_id

    (event,) = read_stream(session, "proposal", created["id"])
    assert event.type == "proposal.created"
    assert event.payload["author_id"] == anna.person_id
    assert "Rossi" not in str(event.payload) and "Anna" not in str(event.payload)


async def test_no_proposals_outside_a_phase_open_to_them(place: Place) -> None:
    anna = await place.citizen()
    closed_flag = await place.process(phases=[open_phase(open_to_proposals=False)])
    past = await place.process(
        phases=[
            open_phase(
                starts_on=(today() - timedelta(days=30)).isoformat(),
                ends_on=(today() - timedelta(days=1)).isoformat(),
            )
        ]
    )
    for process in (closed_flag, past):
        response = await place.workshops.post(
            f"/processes/{process}/proposals",
            json={"title": "Fuori tempo", "theme": "reti_vive"},
            headers=anna.headers,
        )
        assert response.status_code == 409, response.text
        assert response.headers["content-type"] == "application/problem+json"


async def test_anonymous_and_unlinked_keys_cannot_propose(place: Place) -> None:
    process = await place.process()
    body = {"title": "Anonima", "theme": "reti_vive"}
    assert (await place.workshops.post(f"/processes/{process}/proposals", json=body)).status_code == 401
    unlinked = await place.workshops.post(f"/processes/{process}/proposals", json=body, headers=place.editor)
    assert unlinked.status_code == 403


async def test_themes_are_macro_themes_or_the_process_topics(place: Place) -> None:
    process = await place.process(topics=[{"key": "trasporti", "label": "Trasporti"}])
    anna = await place.citizen()
    await place.propose(process, anna, theme="trasporti")
    wrong = await place.workshops.post(
        f"/processes/{process}/proposals", json={"title": "X", "theme": "astronautica"}, headers=anna.headers
    )
    assert wrong.status_code == 422
    assert [e["path"] for e in wrong.json()["errors"]] == ["body.theme"]


async def test_the_author_edits_until_the_first_support_and_withdraws(place: Place) -> None:
    process = await place.process()
    anna, bruno = await place.citizen(), await place.citizen("Bruno")
    proposal = await place.propose(process, anna)
    url = f"/proposals/{proposal['id']}"
    not_author = await place.workshops.patch(url, json={"title": "Mio"}, headers=bruno.headers)
    assert not_author.status_code == 403
    stale = await place.workshops.patch(
        url, json={"title": "Pulmino"}, headers={**anna.headers, "If-Match": '"99"'}
    )
    assert stale.status_code == 412
    edited = await place.workshops.patch(
        url, json={"title": "Un pulmino per gli anziani", "body": "_nuovo_"}, headers=anna.headers
    )
    assert edited.status_code == 200, edited.text
    assert edited.json()["title"] == "Un pulmino per gli anziani"
    assert edited.json()["body_html"] == "<p><em>nuovo</em></p>\n"
    assert (await place.workshops.post(f"{url}/support", headers=bruno.headers)).status_code == 200
    late = await place.workshops.patch(url, json={"title": "Troppo tardi"}, headers=anna.headers)
    assert late.status_code == 409
    assert (await place.workshops.post(f"{url}/withdraw", headers=bruno.headers)).status_code == 403
    withdrawn = await place.workshops.post(f"{url}/withdraw", headers=anna.headers)
    assert withdrawn.status_code == 200 and withdrawn.json()["state"] == "withdrawn"
    assert (await place.workshops.get(f"/processes/{process}/proposals")).json()["items"] == []
    only_withdrawn = await place.workshops.get(
        f"/processes/{process}/proposals", params={"state": "withdrawn"}
    )
    assert [p["id"] for p in only_withdrawn.json()["items"]] == [proposal["id"]]


async def test_limit_of_proposals_per_person_per_process(place: Place) -> None:
    process = await place.process(max_proposals_per_person=2)
    anna = await place.citizen()
    first = await place.propose(process, anna, title="Prima")
    await place.propose(process, anna, title="Seconda")
    third = await place.workshops.post(
        f"/processes/{process}/proposals", json={"title": "Terza", "theme": "reti_vive"}, headers=anna.headers
    )
    assert third.status_code == 409
    assert third.json()["limit"] == 2
    await place.workshops.post(f"/proposals/{first['id']}/withdraw", headers=anna.headers)
    await place.propose(process, anna, title="Terza")
    other_process = await place.process(max_proposals_per_person=2)
    await place.propose(other_process, anna, title="Altrove")


async def test_lists_filter_order_search_without_accents_and_paginate(place: Place) -> None:
    process = await place.process(topics=[{"key": "casa", "label": "Casa"}])
    people = [await place.citizen(f"P{i}") for i in range(5)]
    made = []
    for index, title in enumerate(
        [
            "Perché non un centro diurno",
            "Città più accessibile",
            "Orti sociali",
            "Casa comune",
            "Caffè insieme",
        ]
    ):
        made.append(
            await place.propose(
                process, people[index], title=title, theme="casa" if index == 3 else "reti_vive"
            )
        )
    # Supports: proposal 2 gets three, proposal 4 gets one.
    for supporter in people[:3]:
        await place.workshops.post(f"/proposals/{made[2]['id']}/support", headers=supporter.headers)
    await place.workshops.post(f"/proposals/{made[4]['id']}/support", headers=people[0].headers)
    url = f"/processes/{process}/proposals"

    async def ids(**params: str) -> list[str]:
        response = await place.workshops.get(url, params=params)
        assert response.status_code == 200, response.text
        return [p["id"] for p in response.json()["items"]]

    assert await ids(q="perche") == [made[0]["id"]]
    assert await ids(q="CITTA accessibile") == [made[1]["id"]]
    assert await ids(q="caffe") == [made[4]["id"]]
    assert await ids(theme="casa") == [made[3]["id"]]
    assert await ids(order="newest") == [p["id"] for p in reversed(made)]
    assert await ids(order="oldest") == [p["id"] for p in made]
    assert (await ids(order="most_supported"))[:2] == [made[2]["id"], made[4]["id"]]
    random_a = await ids(order="random", seed="a")
    assert sorted(random_a) == sorted(p["id"] for p in made)
    assert await ids(order="random", seed="a") == random_a
    assert any([await ids(order="random", seed=s) != random_a for s in ("b", "c", "d", "e")])

    for order, params in (("newest", {}), ("most_supported", {}), ("random", {"seed": "x"})):
        seen: list[str] = []
        cursor = None
        while True:
            query = {"order": order, "limit": "2", **params} | ({"cursor": cursor} if cursor else {})
            page = (await place.workshops.get(url, params=query)).json()
            seen += [p["id"] for p in page["items"]]
            cursor = page["next_cursor"]
            if cursor is None:
                break
        assert sorted(seen) == sorted(p["id"] for p in made) and len(seen) == 5, order
        assert seen == await ids(order=order, **params)
    bad = await place.workshops.get(url, params={"cursor": "forged.cursor"})
    assert bad.status_code == 422


async def test_unknown_process_is_404(place: Place) -> None:
    missing = "00000000-0000-4000-8000-000000000000"
    assert (await place.workshops.get(f"/processes/{missing}/proposals")).status_code == 404
    assert (await place.workshops.get(f"/proposals/{missing}")).status_code == 404


async def test_settings_read_back_with_etag(place: Place, session: Session) -> None:
    process = await place.process()
    defaults = (await place.workshops.get(f"/processes/{process}/participation")).json()
    assert [s["key"] for s in defaults["answer_states"]] == ["accolta", "in_valutazione", "non_accolta"]
    body = {
        "max_proposals_per_person": 5,
        "answer_states": [
            {"key": "presa_in_carico", "label": "Presa in carico", "category": "evaluating"},
            {"key": "nel_piano", "label": "Nel piano", "category": "accepted"},
        ],
    }
    put = await place.workshops.put(f"/processes/{process}/participation", json=body, headers=place.editor)
    assert put.status_code == 200, put.text
    assert put.headers["ETag"] == '"1"'
    stale = await place.workshops.put(
        f"/processes/{process}/participation", json=body, headers={**place.editor, "If-Match": '"0"'}
    )
    assert stale.status_code == 412
    citizen = await place.citizen()
    forbidden = await place.workshops.put(
        f"/processes/{process}/participation", json=body, headers=citizen.headers
    )
    assert forbidden.status_code == 403
    duplicate = await place.workshops.put(
        f"/processes/{process}/participation",
        json={"answer_states": [body["answer_states"][0]] * 2},
        headers=place.editor,
    )
    assert duplicate.status_code == 422
