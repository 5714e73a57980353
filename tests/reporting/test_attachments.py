"""Attached files in reporting: the Diario lists them under their workshop or invention (metadata only), open
data publishes the metadata of those not flagged personal, and a removed file leaves both."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from frictionless import Package
from sqlmodel import Session

from services.reporting.attachments import ATTACHMENT_FIELDS
from services.reporting.consumer import catch_up, rebuild
from tests.attachments.conftest import PDF, PNG, TEXT, Place
from tests.attachments.conftest import make_workshops as make_workshops  # the fixture, shared
from tests.conftest import TestKey

pytestmark = pytest.mark.anyio


@pytest.fixture
async def place(
    make_workshops: Callable[..., httpx.AsyncClient],
    registry_client: httpx.AsyncClient,
    create_api_key: Callable[..., TestKey],
    admin_headers: dict[str, str],
    tmp_path: Path,
) -> Place:
    return await Place(
        make_workshops(), registry_client, create_api_key, admin_headers, tmp_path / "data"
    ).setup()


async def _files(place: Place) -> dict[str, dict[str, Any]]:
    made = {}
    for name, path, data, fields in (
        ("boards", f"/workshops/{place.workshop_id}/attachments", PNG, {"title": "Foto dei cartelloni"}),
        ("minutes", f"/workshops/{place.workshop_id}/minutes/attachments", PDF, {"title": "Verbale"}),
        (
            "sheet",
            f"/workshops/{place.workshop_id}/minutes/attachments",
            PDF,
            {"title": "Foglio presenze firmato", "personal": True},
        ),
        (
            "slides",
            f"/workshops/{place.restitution_id}/attachments",
            PDF,
            {"title": "Slide", "licence": "CC-BY-4.0"},
        ),
        ("leaflet", f"/inventions/{place.invention_id}/attachments", TEXT, {"title": "Volantino"}),
    ):
        response = await place.upload(path, data, filename=f"{name}.bin", **fields)
        assert response.status_code == 201, response.text
        made[name] = response.json()
    return made


async def _diary(reporting_client: httpx.AsyncClient, place: Place, **params: str) -> httpx.Response:
    response = await reporting_client.get(
        f"/districts/{place.district_id}/diary", params={"edition": place.edition_id, **params}
    )
    assert response.status_code == 200, response.text
    return response


async def test_the_diary_lists_files_under_their_workshop_and_invention(
    place: Place, session: Session, reporting_client: httpx.AsyncClient
) -> None:
    files = await _files(place)
    catch_up(session, batch_size=3)
    section = (await _diary(reporting_client, place)).json()["attachments"]
    assert section["count"] == 5
    groups = {(g["kind"], g["id"]): g for g in section["groups"]}
    workshop = groups[("workshop", place.workshop_id)]
    assert [(f["title"], f["parent_kind"], f["type_label"], f["personal"]) for f in workshop["files"]] == [
        ("Foto dei cartelloni", "workshop", "immagine PNG", False),
        ("Verbale", "minutes", "PDF", False),
        ("Foglio presenze firmato", "minutes", "PDF", True),
    ]
    assert (
        workshop["files"][0]["size_bytes"] == len(PNG)
        and workshop["files"][0]["size_label"] == f"{len(PNG)} byte"
    )
    assert [f["id"] for f in groups[("workshop", place.restitution_id)]["files"]] == [files["slides"]["id"]]
    assert [f["title"] for f in groups[("invention", place.invention_id)]["files"]] == ["Volantino"]

    html = (await _diary(reporting_client, place, format="html")).text
    assert "Allegati" in html and "Foto dei cartelloni (immagine PNG, " in html
    assert "Foglio presenze firmato (PDF, " in html and "contiene dati personali" in html
    assert "/attachments/" not in html  # metadata only: no link to a file

    before = section
    rebuild(session)
    assert (await _diary(reporting_client, place)).json()["attachments"] == before


async def test_open_data_publishes_metadata_without_personal_files_and_validates(
    place: Place, session: Session, reporting_client: httpx.AsyncClient, tmp_path: Path
) -> None:
    files = await _files(place)
    catch_up(session)
    rows = (await reporting_client.get("/opendata/attachments.json")).json()
    mine = {r["id"]: r for r in rows if r["district_id"] == place.district_id}
    assert set(mine) == {files[n]["id"] for n in ("boards", "minutes", "slides", "leaflet")}  # not the sheet
    slides = mine[files["slides"]["id"]]
    assert (slides["parent_kind"], slides["workshop_id"], slides["licence"]) == (
        "restitution_event",
        place.restitution_id,
        "CC-BY-4.0",
    )
    assert slides["sha256"] == files["slides"]["sha256"] and slides["size_bytes"] == len(PDF)
    assert set(slides) == {name for name, _, _ in ATTACHMENT_FIELDS}
    csv_text = (await reporting_client.get("/opendata/attachments.csv")).text
    assert csv_text.splitlines()[0] == ",".join(name for name, _, _ in ATTACHMENT_FIELDS)
    assert "Foglio presenze" not in csv_text

    package = (await reporting_client.get("/opendata/datapackage.json")).json()
    assert "attachments" in {r["name"] for r in package["resources"]}
    (tmp_path / "datapackage.json").write_text(json.dumps(package))
    for resource in package["resources"]:
        response = await reporting_client.get(f"/opendata/{resource['path']}")
        assert response.status_code == 200, (resource["path"], response.text)
        (tmp_path / resource["path"]).write_bytes(response.content)
    report = Package(str(tmp_path / "datapackage.json")).validate()
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])


async def test_a_removed_file_leaves_the_diary_and_open_data(
    place: Place, session: Session, reporting_client: httpx.AsyncClient
) -> None:
    files = await _files(place)
    removed = await place.workshops.delete(f"/attachments/{files['boards']['id']}", headers=place.editor)
    assert removed.status_code == 204, removed.text
    catch_up(session)
    section = (await _diary(reporting_client, place)).json()["attachments"]
    assert files["boards"]["id"] not in {f["id"] for g in section["groups"] for f in g["files"]}
    assert section["count"] == 4
    rows = (await reporting_client.get("/opendata/attachments.json")).json()
    assert files["boards"]["id"] not in {r["id"] for r in rows}
