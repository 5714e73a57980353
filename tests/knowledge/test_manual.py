"""The collective manual: facilitators write and revise cards, every revision is kept, publications pin them."""

from __future__ import annotations

import uuid

import httpx
import pytest
from sqlmodel import Session

from shared.auth.principal import Role
from shared.eventlog import read_stream
from tests.knowledge.conftest import KnowledgeWorld

pytestmark = pytest.mark.anyio

OST = "/methods/open_space_technology"


async def _facilitator(world: KnowledgeWorld) -> tuple[str, dict[str, str]]:
    district = await world.district(f"Lugo {uuid.uuid4().hex[:6]}")
    person = await world.person(district, actor_category="social_worker")
    return person, world.facilitator(person)


async def _card(client: httpx.AsyncClient, headers: dict[str, str]) -> dict[str, object]:
    response = await client.get(OST, headers=headers)
    assert response.status_code == 200, response.text
    return dict(response.json())


async def test_seed_cards_cover_the_programme_methods(world: KnowledgeWorld) -> None:
    _, facilitator = await _facilitator(world)
    for method in (
        "open_space_technology",
        "world_cafe",
        "impollinazione",
        "stakeholder_interview",
        "thematic_table",
        "project_table",
        "restitution_event",
    ):
        response = await world.client.get(f"/methods/{method}", headers=facilitator)
        assert response.status_code == 200, (method, response.text)
        card = response.json()
        assert card["workshop_method"] == method and card["revision"] == 1 and card["body"]


async def test_facilitators_revise_and_every_revision_is_kept(world: KnowledgeWorld) -> None:
    person, facilitator = await _facilitator(world)
    other_person, other = await _facilitator(world)
    card = await _card(world.client, facilitator)
    first = await world.client.post(
        f"/method-cards/{card['id']}/revisions",
        json={"body": "Prima versione rivista.\n\nLa regola dei due piedi.", "note": "regola dei due piedi"},
        headers={**facilitator, "If-Match": f'"{card["version"]}"'},
    )
    assert first.status_code == 201, first.text
    assert first.json()["number"] == 2 and first.json()["author_id"] == person
    assert "+La regola dei due piedi." in first.json()["diff"]
    # A stale ETag is refused and writes nothing.
    stale = await world.client.post(
        f"/method-cards/{card['id']}/revisions",
        json={"body": "Scritta su una copia vecchia."},
        headers={**other, "If-Match": f'"{card["version"]}"'},
    )
    assert stale.status_code == 412, stale.text
    second = await world.client.post(
        f"/method-cards/{card['id']}/revisions",
        json={"body": "Seconda versione.", "title": "Open Space Technology (OST)"},
        headers=other,
    )
    assert second.status_code == 201, second.text

    listed = await world.client.get(f"/method-cards/{card['id']}/revisions", headers=facilitator)
    assert listed.status_code == 200, listed.text
    revisions = listed.json()["items"]
    assert [r["number"] for r in revisions] == [1, 2, 3]
    assert [r["author_id"] for r in revisions] == [None, person, other_person]
    assert revisions[0]["body"] == card["body"]  # the seed text survives every later revision
    assert revisions[1]["body"].startswith("Prima versione rivista.")
    assert revisions[2]["title"] == "Open Space Technology (OST)"
    assert all(r["created_at"] for r in revisions)

    one = await world.client.get(f"/method-cards/{card['id']}/revisions/2", headers=other)
    assert one.status_code == 200 and one.json()["note"] == "regola dei due piedi"
    assert (await _card(world.client, facilitator))["revision"] == 3


async def test_rights_per_role(world: KnowledgeWorld) -> None:
    district = await world.district("Reggio Emilia")
    _, facilitator = await _facilitator(world)
    card = await _card(world.client, facilitator)
    chapter_id = card["chapter_id"]
    editor = world.editor(district)
    integration = world.make_key(Role.INTEGRATION).headers
    writes = [
        ("/manual/chapters", {"title": "Capitolo nuovo"}),
        ("/method-cards", {"chapter_id": chapter_id, "title": "Fishbowl", "body": "Un cerchio."}),
        (f"/method-cards/{card['id']}/revisions", {"body": "Riscritta."}),
        (f"/method-cards/{card['id']}/card-comments", {"body": "Un commento."}),
    ]
    for path, body in writes:
        assert (await world.client.post(path, json=body)).status_code == 401, path
        for headers in (editor, integration):
            response = await world.client.post(path, json=body, headers=headers)
            assert response.status_code == 403, (path, response.text)
    for path in (f"/method-cards/{card['id']}/revisions", f"/method-cards/{card['id']}/card-comments"):
        assert (await world.client.get(path, headers=editor)).status_code == 403
        assert (await world.client.get(path)).status_code == 401
    for path, body in writes:
        response = await world.client.post(path, json=body, headers=facilitator)
        assert response.status_code == 201, (path, response.text)
    admin = await world.client.post(
        "/method-cards",
        json={"chapter_id": chapter_id, "title": "Passeggiata di quartiere", "body": "Si cammina insieme."},
        headers=world.admin,
    )
    assert admin.status_code == 201, admin.text


async def test_comments_by_other_facilitators(world: KnowledgeWorld) -> None:
    _, facilitator = await _facilitator(world)
    other_person, other = await _facilitator(world)
    card = await _card(world.client, facilitator)
    response = await world.client.post(
        f"/method-cards/{card['id']}/card-comments",
        json={"body": "L'harvest finale è durato un'ora."},
        headers=other,
    )
    assert response.status_code == 201, response.text
    listed = await world.client.get(f"/method-cards/{card['id']}/card-comments", headers=facilitator)
    assert [(c["revision"], c["author_id"]) for c in listed.json()["items"]] == [(1, other_person)]
    too_far = await world.client.post(
        f"/method-cards/{card['id']}/card-comments", json={"body": "?", "revision": 9}, headers=other
    )
    assert too_far.status_code == 422


async def test_publication_is_a_snapshot_and_anonymous_reads_published_only(world: KnowledgeWorld) -> None:
    _, facilitator = await _facilitator(world)
    card = await _card(world.client, facilitator)
    new_card = await world.client.post(
        "/method-cards",
        json={"chapter_id": card["chapter_id"], "title": "Fishbowl", "body": "Un cerchio che discute."},
        headers=facilitator,
    )
    assert new_card.status_code == 201
    # Before any publication anonymous callers see no card at all.
    assert (await world.client.get(OST)).status_code == 404
    assert (await world.client.get("/method-cards")).json()["items"] == []

    revised = await world.client.post(
        f"/method-cards/{card['id']}/revisions", json={"body": "Testo pubblicato."}, headers=facilitator
    )
    assert revised.status_code == 201
    edition = await world.edition()
    published = await world.client.post(
        "/manual/publications", json={"edition_id": edition["id"]}, headers=facilitator
    )
    assert published.status_code == 201, published.text
    publication = published.json()
    again = await world.client.post(
        "/manual/publications", json={"edition_id": edition["id"]}, headers=facilitator
    )
    assert again.status_code == 409

    later = await world.client.post(
        f"/method-cards/{card['id']}/revisions", json={"body": "Bozza successiva."}, headers=facilitator
    )
    assert later.status_code == 201
    unpublished = await world.client.post(
        "/method-cards",
        json={"chapter_id": card["chapter_id"], "title": "Dopo la pubblicazione", "body": "Non pubblicata."},
        headers=facilitator,
    )
    assert unpublished.status_code == 201

    fetched = await world.client.get(f"/manual/publications/{publication['id']}")
    assert fetched.status_code == 200
    assert fetched.json() == publication  # later revisions and cards leave the publication as it was
    pinned = {c["code"]: c for ch in fetched.json()["chapters"] for c in ch["cards"]}
    assert pinned[card["code"]]["revision"] == 2 and pinned[card["code"]]["body"] == "Testo pubblicato."
    assert "dopo-la-pubblicazione" not in pinned

    public_card = await world.client.get(OST)
    assert public_card.status_code == 200
    assert public_card.json()["view"] == "published"
    assert (
        public_card.json()["body"] == "Testo pubblicato." and public_card.json()["current_revision"] is None
    )
    assert (await world.client.get(f"/method-cards/{unpublished.json()['id']}")).status_code == 404
    listed = {c["code"] for c in (await world.client.get("/method-cards?limit=500")).json()["items"]}
    assert card["code"] in listed and "dopo-la-pubblicazione" not in listed
    current = await world.client.get(OST, headers=facilitator)
    assert current.json()["body"] == "Bozza successiva." and current.json()["view"] == "current"


async def test_printable_manual_renders_in_italian(world: KnowledgeWorld) -> None:
    _, facilitator = await _facilitator(world)
    edition = await world.edition("Community Lab 2019-2020")
    published = await world.client.post(
        "/manual/publications", json={"edition_id": edition["id"]}, headers=facilitator
    )
    page = await world.client.get(f"/manual/publications/{published.json()['id']}?format=html")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    html = page.text
    assert '<html lang="it">' in html and html.count("<main") == 1 and html.count("<h1") == 1
    assert "Open Space Technology" in html and "Metodi per lavorare insieme" in html
    assert "<h2>Metodi per lavorare insieme</h2>" in html and "<h3>World Café</h3>" in html
    assert "Edizione Community Lab 2019-2020" in html
    also = await world.client.get(
        f"/manual/publications/{published.json()['id']}", headers={"Accept": "text/html"}
    )
    assert also.headers["content-type"].startswith("text/html")


async def test_workshops_link_to_their_method_card(world: KnowledgeWorld) -> None:
    district = await world.district("Correggio")
    process = await world.process(district)
    workshop = await world.workshop(process["id"], method="open_space_technology")
    assert workshop["method_card_url"] == OST
    _, facilitator = await _facilitator(world)
    card = await world.client.get(workshop["method_card_url"], headers=facilitator)
    assert card.status_code == 200 and card.json()["workshop_method"] == "open_space_technology"


async def test_events_carry_ids_and_codes_only(world: KnowledgeWorld, session: Session) -> None:
    person, facilitator = await _facilitator(world)
    card = await _card(world.client, facilitator)
    secret_text = f"Testo riservato {uuid.uuid4()}"
    await world.client.post(
        f"/method-cards/{card['id']}/revisions", json={"body": secret_text}, headers=facilitator
    )
    await world.client.post(
        f"/method-cards/{card['id']}/card-comments", json={"body": secret_text}, headers=facilitator
    )
    rows = read_stream(session, "method_card", str(card["id"]))
    types = [r.type for r in rows]
    assert types == ["method_card.created", "method_card.revised", "method_card.commented"]
    revised = rows[1].payload
    assert revised["revision"] == 2 and revised["previous_revision"] == 1 and revised["author_id"] == person
    assert all(secret_text not in str(r.payload) for r in rows)
