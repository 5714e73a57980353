"""Who may attach and remove (whoever may change the parent), who may download, and links that expire."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from sqlmodel import Session

from services.workshops.attachments import links
from shared.auth.principal import Role
from shared.eventlog import last_position
from tests.attachments.conftest import PDF, PNG, Place
from tests.conftest import TestKey

pytestmark = pytest.mark.anyio


async def _attach(place: Place, **fields: object) -> dict[str, object]:
    response = await place.upload(
        f"/workshops/{place.workshop_id}/attachments", PDF, filename="v.pdf", **fields
    )
    assert response.status_code == 201, response.text
    body: dict[str, object] = response.json()
    return body


async def test_only_those_who_may_change_the_parent_may_attach(
    place: Place, create_api_key: Callable[..., TestKey], session: Session
) -> None:
    other_editor = create_api_key(Role.DISTRICT_EDITOR, [str(uuid.uuid4())]).headers
    integration = create_api_key(Role.INTEGRATION).headers
    before = last_position(session)
    for path in (
        f"/workshops/{place.workshop_id}/attachments",
        f"/workshops/{place.workshop_id}/minutes/attachments",
        f"/inventions/{place.invention_id}/attachments",
    ):
        assert (await place.upload(path, PNG, headers={})).status_code == 401
        for headers in (other_editor, integration):
            response = await place.upload(path, PNG, headers=headers)
            assert response.status_code == 403, (path, response.text)
    # The workshop's facilitator may attach to its minutes (as they record them), not to the workshop itself.
    assert (
        await place.upload(f"/workshops/{place.workshop_id}/attachments", PNG, headers=place.facilitator)
    ).status_code == 403
    assert (
        await place.upload(f"/inventions/{place.invention_id}/attachments", PNG, headers=place.facilitator)
    ).status_code == 403
    assert place.stored_files() == []
    assert last_position(session) == before
    minutes = await place.upload(
        f"/workshops/{place.workshop_id}/minutes/attachments", PNG, headers=place.facilitator
    )
    assert minutes.status_code == 201, minutes.text


async def test_only_those_who_may_change_the_parent_may_remove(
    place: Place, create_api_key: Callable[..., TestKey]
) -> None:
    attachment = await _attach(place)
    other_editor = create_api_key(Role.DISTRICT_EDITOR, [str(uuid.uuid4())]).headers
    for headers in (other_editor, place.facilitator):
        response = await place.workshops.delete(f"/attachments/{attachment['id']}", headers=headers)
        assert response.status_code == 403, response.text
    assert (await place.workshops.delete(f"/attachments/{attachment['id']}")).status_code == 401
    assert len(place.stored_files()) == 1
    minutes = await place.upload(
        f"/workshops/{place.workshop_id}/minutes/attachments", PNG, headers=place.facilitator
    )
    removed = await place.workshops.delete(f"/attachments/{minutes.json()['id']}", headers=place.facilitator)
    assert removed.status_code == 204, removed.text


async def test_a_cancelled_workshops_minutes_take_no_more_files(place: Place) -> None:
    cancelled = await place.workshops.post(
        f"/workshops/{place.workshop_id}/status",
        json={"status": "cancelled", "reason": "Allerta meteo"},
        headers=place.editor,
    )
    assert cancelled.status_code == 200, cancelled.text
    response = await place.upload(f"/workshops/{place.workshop_id}/minutes/attachments", PDF)
    assert response.status_code == 409, response.text
    assert place.stored_files() == []


async def test_reads_are_as_public_as_the_parent_but_personal_files_only_for_its_people(place: Place) -> None:
    public = await _attach(place)
    personal = await _attach(place, personal=True, title="Foglio presenze firmato")
    listed = await place.workshops.get(f"/workshops/{place.workshop_id}/attachments")
    assert {a["id"] for a in listed.json()["items"]} == {public["id"], personal["id"]}
    assert (await place.workshops.get(f"/attachments/{public['id']}/link")).status_code == 200
    refused = await place.workshops.get(f"/attachments/{personal['id']}/link")
    assert refused.status_code == 403, refused.text
    for headers in (place.editor, place.facilitator):
        assert (
            await place.workshops.get(f"/attachments/{personal['id']}/link", headers=headers)
        ).status_code == 200


async def _content(place: Place, attachment_id: str, expires: object, signature: str) -> httpx.Response:
    return await place.workshops.get(
        f"/attachments/{attachment_id}/content", params={"expires": expires, "signature": signature}
    )


async def test_a_link_works_until_it_expires_and_not_once_altered(place: Place) -> None:
    attachment = await _attach(place)
    link = (await place.workshops.get(f"/attachments/{attachment['id']}/link")).json()
    query = parse_qs(urlsplit(link["url"]).query)
    expires, signature = int(query["expires"][0]), query["signature"][0]
    assert expires - time.time() == pytest.approx(900, abs=5)

    assert (await _content(place, str(attachment["id"]), expires, signature)).content == PDF
    tampered = signature[:-1] + ("0" if signature[-1] != "0" else "1")
    for response in (
        await _content(place, str(attachment["id"]), expires, tampered),
        await _content(place, str(attachment["id"]), expires + 3600, signature),  # a longer life, forged
        await _content(place, str(uuid.uuid4()), expires, signature),  # another id
        await _content(place, str(attachment["id"]), expires, "not-a-signature"),
        await _content(place, str(attachment["id"]), expires, "\U0007d172\x03" + signature[2:]),  # not ASCII
    ):
        assert response.status_code == 403, response.text
        assert response.headers["content-type"] == "application/problem+json"

    settings = place.workshops.app.state.settings  # type: ignore[attr-defined]
    path, _ = links.signed_path(settings, uuid.UUID(str(attachment["id"])), now=time.time() - 3600)
    expired = await place.workshops.get(path)
    assert expired.status_code == 403 and "expired" in expired.json()["detail"]
