"""The collective manual in the open data: per card the revisions, comments and the published revision, counted
from the manual's events (numbers only: no text, no author)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest
from sqlmodel import Session

from services.reporting.consumer import catch_up
from shared.auth.principal import Role
from tests.conftest import TestKey

pytestmark = pytest.mark.anyio


async def _ok(response: httpx.Response, status: int = 201) -> dict[str, Any]:
    assert response.status_code == status, (response.request.url, response.text)
    return dict(response.json())


async def test_method_cards_count_revisions_comments_and_the_published_revision(
    session: Session,
    registry_client: httpx.AsyncClient,
    workshops_client: httpx.AsyncClient,
    reporting_client: httpx.AsyncClient,
    admin_headers: dict[str, str],
    create_api_key: Callable[..., TestKey],
) -> None:
    h = admin_headers
    district = (await _ok(await registry_client.post("/districts", json={"name": "Lugo"}, headers=h)))["id"]
    person = {
        "given_name": "Zelinda",
        "family_name": "Facilitatrice",
        "actor_category": "social_worker",
        "district_ids": [district],
    }
    person_id = (await _ok(await registry_client.post("/people", json=person, headers=h)))["id"]
    facilitator = create_api_key(Role.FACILITATOR, person_id=person_id).headers
    programme = await _ok(
        await workshops_client.post("/programmes", json={"name": "Community Lab"}, headers=h)
    )
    edition = await _ok(
        await workshops_client.post(
            f"/programmes/{programme['id']}/editions", json={"name": "Community Lab 2018-2019"}, headers=h
        )
    )
    card = await _ok(await workshops_client.get("/methods/world_cafe", headers=facilitator), 200)
    await _ok(
        await workshops_client.post(
            f"/method-cards/{card['id']}/revisions",
            json={"body": "Tavoli di 4-5 persone; una plenaria finale di un'ora.", "note": "tempi"},
            headers=facilitator,
        )
    )
    path = f"/method-cards/{card['id']}/card-comments"
    await _ok(await workshops_client.post(path, json={"body": "Utile."}, headers=facilitator))
    await _ok(
        await workshops_client.post("/manual/publications", json={"edition_id": edition["id"]}, headers=h)
    )
    # Revised again after the publication: the published revision stays 2.
    await _ok(
        await workshops_client.post(
            f"/method-cards/{card['id']}/revisions",
            json={"body": "Tavoli di 4-5 persone; la plenaria finale dura un'ora."},
            headers=facilitator,
        )
    )
    catch_up(session)

    rows = {
        r["workshop_method"]: r for r in (await reporting_client.get("/opendata/method_cards.json")).json()
    }
    assert rows["world_cafe"] | {"id": None, "chapter_id": None} == {
        "id": None,
        "code": "world-cafe",
        "workshop_method": "world_cafe",
        "chapter_id": None,
        "revisions": 3,
        "comments": 1,
        "published_revision": 2,
        "publications": 1,
        "edition_id": edition["id"],
    }
    assert rows["world_cafe"]["id"] == card["id"]
    # The seed cards are there too, published at their first revision.
    assert rows["open_space_technology"]["revisions"] == 1
    assert rows["open_space_technology"]["published_revision"] == 1
    csv_text = (await reporting_client.get("/opendata/method_cards.csv")).text
    for text in (csv_text, str(rows)):
        assert person_id not in text and "Zelinda" not in text and "plenaria" not in text
    catch_up(session)  # nothing new: the same rows
    again = {
        r["workshop_method"]: r for r in (await reporting_client.get("/opendata/method_cards.json")).json()
    }
    assert again == rows
