"""The data package says how the open datasets join: typed ids, primary and foreign keys that a Frictionless
validator checks against the real CSV files, and a landing page at its ``homepage`` listing every resource."""

from __future__ import annotations

import csv
import io
import json
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import httpx
import pytest
from frictionless import Package
from sqlmodel import Session

from services.reporting import opendata
from services.reporting.app import create_app
from shared.config import Settings
from tests.conftest import TestDatabase
from tests.reporting.conftest import EventScript, new_id
from tests.reporting.opendata_world import build_region, sign_checkpoint

pytestmark = pytest.mark.anyio


async def _download(client: httpx.AsyncClient, folder: Path) -> dict[str, Any]:
    """datapackage.json and every CSV it lists, written to ``folder`` as a user would save them."""
    package: dict[str, Any] = (await client.get("/opendata/datapackage.json")).json()
    (folder / "datapackage.json").write_text(json.dumps(package))
    for resource in package["resources"]:
        response = await client.get(f"/opendata/{resource['path']}")
        assert response.status_code == 200
        (folder / resource["path"]).write_bytes(response.content)
    return package


def _errors(folder: Path) -> list[Any]:
    report = Package(str(folder / "datapackage.json")).validate()
    return list(report.flatten(["rowNumber", "fieldName", "type", "note"]))


async def test_foreign_keys_hold_in_the_published_csv_files(
    session: Session, script: EventScript, reporting_client: httpx.AsyncClient, tmp_path: Path
) -> None:
    edition = build_region(script, session)
    package = await _download(reporting_client, tmp_path)
    schemas = {r["name"]: r["schema"] for r in package["resources"]}
    joins = {
        (name, key["fields"][0], key["reference"]["resource"], key["reference"]["fields"][0])
        for name, schema in schemas.items()
        for key in schema.get("foreignKeys", [])
    }
    assert {
        ("processes", "district_id", "districts", "id"),
        ("workshops", "process_id", "processes", "id"),
        ("workshops", "district_id", "districts", "id"),
        ("inventions", "process_id", "processes", "id"),
        ("priorities", "process_id", "processes", "id"),
        ("body_relations", "from_body_id", "bodies", "id"),
        ("body_relations", "to_body_id", "bodies", "id"),
        ("agreements", "district_id", "districts", "id"),
        ("course_figures", "district_id", "districts", "id"),
        ("supervision_figures", "district_id", "districts", "id"),
        ("cases", "district_id", "districts", "id"),
        ("case_guidance", "case_id", "cases", "id"),
        ("proposals", "process_id", "processes", "id"),
        ("proposals", "merged_into_id", "proposals", "id"),
        ("proposals", "priority_id", "priorities", "id"),
        ("answers", "proposal_id", "proposals", "id"),
    } <= joins
    rows = {
        name: list(csv.DictReader(io.StringIO((tmp_path / f"{name}.csv").read_text(), newline="")))
        for name in schemas
    }
    # Every resource has rows, so each key is checked on real values (a priority without process too).
    assert all(rows[name] for name in schemas), {name: len(r) for name, r in rows.items()}
    assert "" in {r["process_id"] for r in rows["priorities"]}
    # The relation from a process's steering group is left out: its body is not a district body.
    assert {r["id"] for r in rows["body_relations"]} == {edition["r1"], edition["r2"]}
    assert _errors(tmp_path) == []

    # The validator does check the keys: a workshop of an unknown process is refused.
    workshops = (tmp_path / "workshops.csv").read_text()
    (tmp_path / "workshops.csv").write_text(workshops.replace(edition["PA"], edition["C"]))
    refused = _errors(tmp_path)
    assert refused and {e[2] for e in refused} == {"foreign-key"}
    assert all('lookup table "processes"' in e[3] for e in refused)


async def test_ids_are_uuids_and_dates_are_typed(reporting_client: httpx.AsyncClient) -> None:
    package = (await reporting_client.get("/opendata/datapackage.json")).json()
    for resource in package["resources"]:
        schema = resource["schema"]
        assert schema["primaryKey"] == ["id"]
        fields = {f["name"]: f for f in schema["fields"]}
        for name, field in fields.items():
            if name == "id" or name.endswith("_id"):
                if (resource["name"], name) == ("log_checkpoints", "key_id"):
                    assert "format" not in field  # a key's fingerprint, not a UUID
                elif field["type"] == "string":
                    assert field.get("format") == "uuid", (resource["name"], name)
        declared = dict((n, t) for n, t, _ in opendata.OPEN_DATA_FIELDS[resource["name"]])
        assert {n: f["type"] for n, f in fields.items()} == declared
    workshops = next(r for r in package["resources"] if r["name"] == "workshops")["schema"]["fields"]
    assert {f["name"]: f["type"] for f in workshops}["starts_at"] == "datetime"
    schema = await reporting_client.get("/opendata/schemas/workshops.json")
    assert schema.status_code == 200 and schema.json()["fields"] == workshops
    assert (await reporting_client.get("/opendata/schemas/people.json")).status_code == 404


def _rows_shown(html: str, dataset: str) -> int:
    """The row count the landing page shows in a resource's section."""
    found = re.search(rf'<section id="{dataset}".*?<dt>Righe</dt><dd>([0-9.]+)</dd>', html, re.S)
    assert found, dataset
    return int(found.group(1).replace(".", ""))


class _Outline(HTMLParser):
    """Landmarks, headings, sections and links of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.headings: list[tuple[str, str]] = []
        self._heading: str | None = None
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag in ("h1", "h2", "h3"):
            self._heading = tag
            self.headings.append((tag, ""))

    def handle_endtag(self, tag: str) -> None:
        if tag == self._heading:
            self._heading = None

    def handle_data(self, data: str) -> None:
        self.text.append(data)
        if self._heading is not None:
            tag, text = self.headings[-1]
            self.headings[-1] = (tag, text + data)


async def test_the_homepage_lists_every_resource_with_its_rows_and_links(
    session: Session, script: EventScript, reporting_client: httpx.AsyncClient
) -> None:
    build_region(script, session)
    package = (await reporting_client.get("/opendata/datapackage.json")).json()
    homepage = package["homepage"]
    assert homepage.endswith("/opendata")
    page = await reporting_client.get(homepage)
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    outline = _Outline()
    outline.feed(page.text)
    assert ("html", {"lang": "it"}) in outline.tags
    assert [t for t, _ in outline.tags].count("main") == 1
    assert [t for t, _ in outline.headings].count("h1") == 1
    titles = {text.strip() for tag, text in outline.headings if tag == "h3"}
    assert titles == {
        "Distretti socio-sanitari",
        "Percorsi partecipativi",
        "Laboratori",
        "Invenzioni",
        "Priorità",
        "Organismi dei distretti",
        "Relazioni tra organismi",
        "Accordi",
        "Corsi di formazione per facilitatori e tutor",
        "Supervisioni dei facilitatori e dei tutor",
        "Laboratori regionali delle edizioni dei programmi",
        "Studi di caso",
        "Indicazioni operative degli studi di caso",
        "Schede del manuale collettivo sulla facilitazione",
        "Proposte dei cittadini",
        "Risposte ufficiali alle proposte",
        "Allegati di laboratori, verbali e invenzioni",
        "Checkpoint firmati del registro degli eventi",
    }
    sections = {
        a["id"] for t, a in outline.tags if t == "section" and a.get("id") in opendata.OPEN_DATA_FIELDS
    }
    assert sections == set(opendata.OPEN_DATA_FIELDS)
    text = " ".join(" ".join(outline.text).split())
    assert {name: _rows_shown(page.text, name) for name in ("districts", "workshops", "body_relations")} == {
        "districts": 3,
        "workshops": 5,
        "body_relations": 2,
    }
    assert "CC BY 4.0" in text and "Regione Emilia-Romagna" in text
    links = {a["href"] for t, a in outline.tags if t == "a" and (a.get("href") or "").startswith("/")}
    for name in opendata.OPEN_DATA_FIELDS:
        assert {f"/opendata/{name}.csv", f"/opendata/{name}.json", f"/opendata/schemas/{name}.json"} <= links
    assert {"/opendata/datapackage.json", "/opendata/catalog.jsonld"} <= links
    for link in sorted(links):
        assert (await reporting_client.get(link)).status_code == 200, link


async def test_the_homepage_is_cached_and_follows_new_checkpoints(
    session: Session, script: EventScript, reporting_client: httpx.AsyncClient
) -> None:
    build_region(script, session)
    first = await reporting_client.get("/opendata")
    tag = first.headers["etag"]
    assert _rows_shown(first.text, "log_checkpoints") == 1
    again = await reporting_client.get("/opendata", headers={"If-None-Match": tag})
    assert again.status_code == 304
    # A second signed checkpoint changes the page though no read model moved.
    script.emit("workshop", new_id(), "workshop.noted", {"n": 1})
    session.flush()
    sign_checkpoint(session)
    changed = await reporting_client.get("/opendata", headers={"If-None-Match": tag})
    assert changed.status_code == 200 and changed.headers["etag"] != tag
    assert _rows_shown(changed.text, "log_checkpoints") == 2


async def test_the_homepage_links_stay_under_the_proxy_prefix(settings: Settings, db: TestDatabase) -> None:
    # Behind nginx or the ingress, reporting runs with --root-path /reporting: links must keep the prefix.
    app = create_app(settings=settings, database=db, run_projections=False)
    transport = httpx.ASGITransport(app=app, root_path="/reporting")
    async with httpx.AsyncClient(transport=transport, base_url="http://communitylab.test") as client:
        page = await client.get("/reporting/opendata")
    assert page.status_code == 200
    outline = _Outline()
    outline.feed(page.text)
    links = {a["href"] for t, a in outline.tags if t == "a" and (a.get("href") or "").startswith("/")}
    assert links and all(link.startswith("/reporting/opendata/") for link in links), links
