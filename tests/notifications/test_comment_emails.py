"""A comment written through the workshops API mails the proposal's author (read back from the SMTP server)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import httpx
import pytest

from shared.auth.principal import Role
from tests.conftest import TestDatabase
from tests.notifications.conftest import SITE_URL, People, SmtpServer, body_text, drain

pytestmark = pytest.mark.anyio


@pytest.fixture
def people(db: TestDatabase, registry_client: httpx.AsyncClient) -> People:
    return People(db, registry_client)


async def test_a_comment_on_ones_proposal_is_mailed_to_its_author_and_nobody_else(
    people: People,
    db: TestDatabase,
    workshops_client: httpx.AsyncClient,
    make_worker: Any,
    smtp: SmtpServer,
) -> None:
    district_id = await people.district()
    editor = people.key(Role.DISTRICT_EDITOR, districts=[district_id])
    author, commenter = await people.person("Giulia"), await people.person("Marco")
    today = date.today()
    process = await workshops_client.post(
        "/processes",
        json={
            "district_id": district_id,
            "title": "Anziani al centro",
            "status": "active",
            "phases": [
                {
                    "name": "Raccolta delle proposte",
                    "starts_on": (today - timedelta(days=5)).isoformat(),
                    "ends_on": (today + timedelta(days=5)).isoformat(),
                    "is_current": True,
                    "open_to_proposals": True,
                }
            ],
        },
        headers=editor,
    )
    assert process.status_code == 201, process.text
    proposal = await workshops_client.post(
        f"/processes/{process.json()['id']}/proposals",
        json={"title": "Più panchine nei parchi", "theme": "reti_vive"},
        headers=author.headers,
    )
    assert proposal.status_code == 201, proposal.text
    proposal_id = proposal.json()["id"]
    url = f"/proposals/{proposal_id}/comments"
    first = await workshops_client.post(
        url, json={"body": "Sì, al parco *Ducale*!"}, headers=commenter.headers
    )
    assert first.status_code == 201, first.text
    # The author's own reply notifies nobody.
    own = await workshops_client.post(
        url, json={"body": "Grazie Marco", "parent_id": first.json()["id"]}, headers=author.headers
    )
    assert own.status_code == 201, own.text
    drain(make_worker())

    (message,) = smtp.to(author.email)
    assert message["Subject"] == "Nuovo commento sulla tua proposta «Più panchine nei parchi»"
    text = body_text(message)
    assert "Gentile Giulia," in text
    assert "Nuovo commento sulla tua proposta «Più panchine nei parchi»." in text
    assert f"{SITE_URL}/processes/{process.json()['id']}/proposals/{proposal_id}" in text
    assert "Ducale" not in text, "the comment's text stays on the site, not in the mail"
    assert smtp.to(commenter.email) == [], "the commenter is not the author: no mail"
