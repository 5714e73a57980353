"""Uploading, checking and downloading attachments on the local storage (the default)."""

from __future__ import annotations

import base64
import hashlib
from urllib.parse import urlsplit

import httpx
import pytest
from sqlmodel import Session

from services.workshops.attachments import events as ev
from shared.errors import PROBLEM_MEDIA_TYPE
from shared.eventlog import read_stream
from tests.attachments.conftest import CSV, JPEG, PDF, PNG, TEXT, Place, docx, odt, plain_zip

pytestmark = pytest.mark.anyio


def _problem(response: httpx.Response, status: int) -> dict[str, object]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == PROBLEM_MEDIA_TYPE
    body: dict[str, object] = response.json()
    return body


async def _download(
    place: Place, attachment_id: str, headers: dict[str, str] | None = None
) -> httpx.Response:
    link = await place.workshops.get(f"/attachments/{attachment_id}/link", headers=headers or {})
    assert link.status_code == 200, link.text
    url = urlsplit(link.json()["url"])
    return await place.workshops.get(f"{url.path}?{url.query}")


async def test_a_png_is_stored_with_its_checksum_and_comes_back_byte_for_byte(
    place: Place, session: Session
) -> None:
    response = await place.upload(
        f"/workshops/{place.workshop_id}/attachments",
        PNG,
        filename="cartelloni.png",
        content_type="image/png",
        title="Foto dei cartelloni",
        licence="CC-BY-4.0",
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["media_type"] == "image/png"
    assert body["sha256"] == hashlib.sha256(PNG).hexdigest()
    assert body["size_bytes"] == len(PNG)
    assert (body["title"], body["licence"], body["personal"]) == ("Foto dei cartelloni", "CC-BY-4.0", False)
    assert (body["parent_kind"], body["parent_id"]) == ("workshop", place.workshop_id)
    assert response.headers["location"] == f"/attachments/{body['id']}"
    assert response.headers["etag"] == '"1"'

    read = await place.workshops.get(f"/attachments/{body['id']}")
    assert read.status_code == 200 and read.json() == body

    download = await _download(place, body["id"])
    assert download.status_code == 200, download.text
    assert download.content == PNG
    assert download.headers["content-type"] == "image/png"
    assert download.headers["x-content-type-options"] == "nosniff"
    assert "attachment" in download.headers["content-disposition"]
    assert (
        download.headers["repr-digest"]
        == f"sha-256=:{base64.b64encode(hashlib.sha256(PNG).digest()).decode()}:"
    )

    [event] = read_stream(session, ev.ATTACHMENT, body["id"])
    assert event.type == ev.ATTACHMENT_ADDED
    assert event.payload["sha256"] == body["sha256"] and event.payload["media_type"] == "image/png"
    assert event.payload["district_id"] == place.district_id
    assert set(event.payload) == set(ev.AttachmentAdded.model_fields)  # metadata only, never the bytes


@pytest.mark.parametrize(
    ("data", "filename", "expected"),
    [
        (PDF, "verbale.pdf", "application/pdf"),
        (JPEG, "foto.jpg", "image/jpeg"),
        (odt(), "verbale.odt", "application/vnd.oasis.opendocument.text"),
        (docx(), "verbale.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        (TEXT, "verbale.txt", "text/plain"),
        (CSV, "idee.csv", "text/csv"),
        (PDF, "senza-estensione", "application/pdf"),
    ],
    ids=["pdf", "jpeg", "odt", "docx", "text", "csv", "pdf-without-extension"],
)
async def test_each_allowed_type_is_recognised_from_its_content(
    place: Place, data: bytes, filename: str, expected: str
) -> None:
    response = await place.upload(f"/workshops/{place.workshop_id}/attachments", data, filename=filename)
    assert response.status_code == 201, response.text
    assert response.json()["media_type"] == expected


async def test_a_raw_body_upload_takes_its_fields_from_the_query(place: Place) -> None:
    response = await place.workshops.post(
        f"/inventions/{place.invention_id}/attachments",
        params={"title": "Presentazione", "filename": "sportello.pdf", "personal": "true"},
        content=PDF,
        headers={**place.editor, "Content-Type": "application/pdf"},
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert (body["title"], body["filename"], body["media_type"]) == (
        "Presentazione",
        "sportello.pdf",
        "application/pdf",
    )
    assert body["personal"] is True
    assert (body["parent_kind"], body["invention_id"]) == ("invention", place.invention_id)


async def test_a_png_renamed_pdf_is_refused_and_nothing_is_stored(place: Place, session: Session) -> None:
    response = await place.upload(f"/workshops/{place.workshop_id}/attachments", PNG, filename="verbale.pdf")
    problem = _problem(response, 422)
    assert problem["errors"] == [
        {
            "path": "body.file",
            "message": "the content is a PNG image, not a PDF document as declared",
            "type": "file_type_mismatch",
        }
    ]
    assert place.stored_files() == []
    listed = await place.workshops.get(f"/workshops/{place.workshop_id}/attachments")
    assert listed.json()["items"] == []


async def test_text_claimed_as_pdf_is_refused(place: Place) -> None:
    response = await place.workshops.post(
        f"/workshops/{place.workshop_id}/attachments",
        content=TEXT,
        headers={**place.editor, "Content-Type": "application/pdf"},
    )
    problem = _problem(response, 422)
    assert [e["path"] for e in problem["errors"]] == ["header.Content-Type"]  # type: ignore[union-attr]
    multipart = await place.upload(
        f"/workshops/{place.workshop_id}/attachments",
        TEXT,
        filename="verbale.txt",
        content_type="application/pdf",
    )
    assert _problem(multipart, 422)["errors"][0]["message"] == (  # type: ignore[index]
        "the content is plain text, not a PDF document as declared"
    )
    assert place.stored_files() == []


@pytest.mark.parametrize(
    "data",
    [
        b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00",  # a GIF: an image, but not an allowed one
        b"MZ\x90\x00\x03\x00\x00\x00\x04\x00",  # a Windows executable, whatever it is called
        plain_zip(),  # a zip that is neither ODT nor DOCX
        "testo in latin-1: perché".encode("latin-1"),  # not UTF-8 text
    ],
    ids=["gif", "exe", "zip", "latin-1"],
)
async def test_content_outside_the_allow_list_is_415_whatever_it_claims(place: Place, data: bytes) -> None:
    response = await place.upload(
        f"/workshops/{place.workshop_id}/attachments", data, filename="innocuo.txt", content_type="text/plain"
    )
    problem = _problem(response, 415)
    assert problem["type"] == "https://communitylab.example/problems/unsupported-media-type"
    assert place.stored_files() == []


async def test_an_empty_file_and_unknown_fields_are_422(place: Place) -> None:
    empty = await place.upload(f"/workshops/{place.workshop_id}/attachments", b"", filename="vuoto.pdf")
    assert _problem(empty, 422)["errors"][0]["path"] == "body.file"  # type: ignore[index]
    unknown = await place.upload(f"/workshops/{place.workshop_id}/attachments", PDF, colour="rosso")
    assert _problem(unknown, 422)["errors"][0]["path"] == "body.colour"  # type: ignore[index]
    bad_licence = await place.upload(f"/workshops/{place.workshop_id}/attachments", PDF, licence="CC BY 4.0!")
    assert _problem(bad_licence, 422)["errors"][0]["path"] == "body.licence"  # type: ignore[index]


async def test_a_restitution_event_minutes_and_invention_list_their_own_files(place: Place) -> None:
    slides = await place.upload(f"/workshops/{place.restitution_id}/attachments", PDF, filename="slide.pdf")
    assert slides.json()["parent_kind"] == "restitution_event"
    minutes = await place.upload(
        f"/workshops/{place.workshop_id}/minutes/attachments", PDF, filename="verbale.pdf"
    )
    assert minutes.json()["parent_kind"] == "minutes"
    boards = [
        (
            await place.upload(f"/workshops/{place.workshop_id}/attachments", PNG, title=f"Cartellone {n}")
        ).json()
        for n in range(3)
    ]
    first = await place.workshops.get(f"/workshops/{place.workshop_id}/attachments", params={"limit": 2})
    assert [a["id"] for a in first.json()["items"]] == [b["id"] for b in boards[:2]]
    rest = await place.workshops.get(
        f"/workshops/{place.workshop_id}/attachments",
        params={"limit": 2, "cursor": first.json()["next_cursor"]},
    )
    assert [a["id"] for a in rest.json()["items"]] == [boards[2]["id"]]
    of_minutes = await place.workshops.get(f"/workshops/{place.workshop_id}/minutes/attachments")
    assert [a["id"] for a in of_minutes.json()["items"]] == [minutes.json()["id"]]
    of_event = await place.workshops.get(f"/workshops/{place.restitution_id}/attachments")
    assert [a["id"] for a in of_event.json()["items"]] == [slides.json()["id"]]
    of_invention = await place.workshops.get(f"/inventions/{place.invention_id}/attachments")
    assert of_invention.json()["items"] == []


async def test_the_same_idempotency_key_replays_without_a_second_file(place: Place, session: Session) -> None:
    headers = {**place.editor, "Idempotency-Key": "foto-1"}
    first = await place.upload(f"/workshops/{place.workshop_id}/attachments", PNG, headers=headers)
    second = await place.upload(f"/workshops/{place.workshop_id}/attachments", PNG, headers=headers)
    assert first.status_code == second.status_code == 201
    assert second.json() == first.json() and second.headers["idempotent-replayed"] == "true"
    assert len(place.stored_files()) == 1
    other = await place.upload(f"/workshops/{place.workshop_id}/attachments", PDF, headers=headers)
    assert _problem(other, 422)["errors"][0]["path"] == "header.Idempotency-Key"  # type: ignore[index]


async def test_removing_deletes_the_file_and_records_the_event(place: Place, session: Session) -> None:
    created = (
        await place.upload(f"/workshops/{place.workshop_id}/attachments", PDF, filename="a.pdf")
    ).json()
    link = (await place.workshops.get(f"/attachments/{created['id']}/link")).json()["url"]
    stale = await place.workshops.delete(
        f"/attachments/{created['id']}", headers={**place.editor, "If-Match": '"7"'}
    )
    assert _problem(stale, 412)["current_etag"] == '"1"'
    removed = await place.workshops.delete(
        f"/attachments/{created['id']}", headers={**place.editor, "If-Match": '"1"'}
    )
    assert removed.status_code == 204, removed.text
    assert place.stored_files() == []
    assert (await place.workshops.get(f"/attachments/{created['id']}")).status_code == 404
    url = urlsplit(link)
    assert (await place.workshops.get(f"{url.path}?{url.query}")).status_code == 404
    assert [e.type for e in read_stream(session, ev.ATTACHMENT, created["id"])] == [
        ev.ATTACHMENT_ADDED,
        ev.ATTACHMENT_REMOVED,
    ]
    listed = await place.workshops.get(f"/workshops/{place.workshop_id}/attachments")
    assert listed.json()["items"] == []


async def test_a_file_name_keeps_its_last_segment_without_control_characters(place: Place) -> None:
    multipart = await place.upload(
        f"/workshops/{place.workshop_id}/attachments", PDF, filename="../../etc/verbale.pdf"
    )
    assert multipart.status_code == 201, multipart.text
    assert multipart.json()["filename"] == "verbale.pdf"
    raw = await place.workshops.post(
        f"/workshops/{place.workshop_id}/attachments",
        params={"filename": "C:\\Documenti\\ver\x00bale.pdf"},
        content=PDF,
        headers={**place.editor, "Content-Type": "application/pdf"},
    )
    assert raw.status_code == 201, raw.text
    assert raw.json()["filename"] == "verbale.pdf"
    assert raw.json()["title"] == "verbale.pdf"
