"""The DCAT-AP_IT catalogue a national or regional portal harvests: JSON-LD an RDF parser (rdflib) loads, that
the official DCAT-AP 3.0.1 SHACL shapes accept (pyshacl) and that has what DCAT-AP_IT adds on top."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from pyshacl import validate
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib import namespace as ns
from sqlmodel import Session

from services.reporting import opendata
from services.reporting.app import create_app
from shared.config import Settings
from tests.conftest import TestDatabase
from tests.reporting.conftest import EventScript
from tests.reporting.opendata_world import build_region

pytestmark = pytest.mark.anyio

DATA = Path(__file__).with_name("data")
DCATAPIT = Namespace("http://dati.gov.it/onto/dcatapit#")
EU = "http://publications.europa.eu/resource/authority"
VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
BASE = "https://dati.communitylab.example"


@pytest.fixture
async def portal_client(settings: Settings, db: TestDatabase) -> AsyncIterator[httpx.AsyncClient]:
    """Reporting with its public base URL and publisher configured as a deployment would."""
    configured = settings.model_copy(
        update={
            "opendata_base_url": BASE + "/",
            "opendata_publisher_name": "Regione Emilia-Romagna",
            "opendata_publisher_identifier": "r_emiro",
            "opendata_contact_email": "welfare@regione.example",
        }
    )
    app = create_app(settings=configured, database=db, run_projections=False)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://internal:8003"
    ) as c:
        yield c


async def _graph(client: httpx.AsyncClient) -> tuple[Graph, httpx.Response]:
    response = await client.get("/opendata/catalog.jsonld")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/ld+json")
    return Graph().parse(data=response.text, format="json-ld"), response


def _shacl(graph: Graph, shapes_file: str) -> tuple[bool, str]:
    shapes = Graph().parse(DATA / shapes_file, format="turtle")
    conforms, _, text = validate(graph, shacl_graph=shapes)
    return bool(conforms), str(text)


def _one(graph: Graph, subject: Any, predicate: Any) -> Any:
    values = list(graph.objects(subject, predicate))
    assert len(values) == 1, (subject, predicate, values)
    return values[0]


async def test_the_catalogue_conforms_to_the_official_dcat_ap_shapes(
    session: Session, script: EventScript, portal_client: httpx.AsyncClient
) -> None:
    build_region(script, session)
    graph, _ = await _graph(portal_client)
    conforms, text = _shacl(graph, "dcat-ap-3.0.1-SHACL.ttl")
    assert conforms, text
    conforms, text = _shacl(graph, "dcatapit-additions.ttl")
    assert conforms, text

    # The shapes are not satisfied by anything: a catalogue without publisher or a dataset without title fails.
    catalog = next(graph.subjects(ns.RDF.type, ns.DCAT.Catalog))
    broken = Graph()
    for triple in graph:
        broken.add(triple)
    broken.remove((catalog, ns.DCTERMS.publisher, None))
    some_dataset = next(graph.objects(catalog, ns.DCAT.dataset))
    broken.remove((some_dataset, ns.DCTERMS.title, None))
    conforms, text = _shacl(broken, "dcat-ap-3.0.1-SHACL.ttl")
    assert not conforms and "publisher" in text and "title" in text
    broken.remove((some_dataset, ns.DCTERMS.rightsHolder, None))
    conforms, text = _shacl(broken, "dcatapit-additions.ttl")
    assert not conforms and "rightsHolder" in text


async def test_the_catalogue_has_the_region_licence_themes_coverage_and_distributions(
    session: Session, script: EventScript, portal_client: httpx.AsyncClient
) -> None:
    build_region(script, session)
    graph, response = await _graph(portal_client)
    catalog = URIRef(f"{BASE}/opendata/catalog.jsonld")
    assert (catalog, ns.RDF.type, ns.DCAT.Catalog) in graph
    assert (catalog, ns.RDF.type, DCATAPIT.Catalog) in graph

    publisher = _one(graph, catalog, ns.DCTERMS.publisher)
    assert (publisher, ns.RDF.type, ns.FOAF.Agent) in graph
    assert (publisher, ns.RDF.type, DCATAPIT.Agent) in graph
    assert str(_one(graph, publisher, ns.FOAF.name)) == "Regione Emilia-Romagna"
    assert str(_one(graph, publisher, ns.DCTERMS.identifier)) == "r_emiro"

    licence = URIRef(f"{EU}/licence/CC_BY_4_0")
    assert _one(graph, catalog, ns.DCTERMS.license) == licence
    assert (licence, ns.OWL.sameAs, URIRef("http://creativecommons.org/licenses/by/4.0/")) in graph
    assert (URIRef(f"{EU}/data-theme/SOCI"), ns.RDF.type, ns.SKOS.Concept) in graph
    emilia_romagna = URIRef("http://data.europa.eu/nuts/code/ITH5")
    assert _one(graph, catalog, ns.DCTERMS.spatial) == emilia_romagna

    # The period the data covers, from the data: from the first relation between bodies (1 January 2009) to
    # the day the log's checkpoint was signed (today, in Rome); the programme's own data ends with the last
    # sitting of a Comitato di Distretto (2 April 2019).
    signed = (await portal_client.get("/opendata/log_checkpoints.json")).json()[-1]["timestamp"]
    today = datetime.fromisoformat(signed).astimezone(ZoneInfo("Europe/Rome")).date()
    period = _one(graph, catalog, ns.DCTERMS.temporal)
    assert (period, ns.RDF.type, ns.DCTERMS.PeriodOfTime) in graph
    assert _one(graph, period, ns.DCAT.startDate) == Literal(date(2009, 1, 1), datatype=ns.XSD.date)
    assert _one(graph, period, ns.DCAT.endDate) == Literal(today, datatype=ns.XSD.date)
    priorities = _one(graph, URIRef(f"{BASE}/opendata#priorities"), ns.DCTERMS.temporal)
    assert _one(graph, priorities, ns.DCAT.endDate) == Literal(date(2019, 4, 2), datatype=ns.XSD.date)
    issued, modified = _one(graph, catalog, ns.DCTERMS.issued), _one(graph, catalog, ns.DCTERMS.modified)
    assert issued.datatype == ns.XSD.date and issued.toPython() <= modified.toPython() <= date.today()

    datasets = set(graph.objects(catalog, ns.DCAT.dataset))
    assert {str(d) for d in datasets} == {f"{BASE}/opendata#{name}" for name in opendata.OPEN_DATA_FIELDS}
    for dataset in datasets:
        assert (dataset, ns.RDF.type, DCATAPIT.Dataset) in graph
        assert _one(graph, dataset, ns.DCTERMS.rightsHolder) == publisher
        assert str(_one(graph, dataset, ns.DCTERMS.identifier)).startswith("r_emiro:")
        contact = _one(graph, dataset, ns.DCAT.contactPoint)
        assert _one(graph, contact, VCARD.hasEmail) == URIRef("mailto:welfare@regione.example")
        themes = set(graph.objects(dataset, ns.DCAT.theme))
        assert themes and themes <= {URIRef(f"{EU}/data-theme/{c}") for c in ("SOCI", "HEAL", "GOVE")}
        formats = {}
        for distribution in graph.objects(dataset, ns.DCAT.distribution):
            assert _one(graph, distribution, ns.DCTERMS.license) == licence
            assert _one(graph, distribution, ns.DCAT.accessURL) == URIRef(f"{BASE}/opendata")
            formats[str(_one(graph, distribution, ns.DCTERMS.format))] = str(
                _one(graph, distribution, ns.DCAT.downloadURL)
            )
        name = str(dataset).rsplit("#", 1)[1]
        assert formats == {
            f"{EU}/file-type/CSV": f"{BASE}/opendata/{name}.csv",
            f"{EU}/file-type/JSON": f"{BASE}/opendata/{name}.json",
        }
    workshops = URIRef(f"{BASE}/opendata#workshops")
    own = _one(graph, workshops, ns.DCTERMS.temporal)
    assert (_one(graph, own, ns.DCAT.startDate), _one(graph, own, ns.DCAT.endDate)) == (
        Literal(date(2017, 1, 25), datatype=ns.XSD.date),
        Literal(date(2019, 2, 10), datatype=ns.XSD.date),
    )
    assert not list(graph.objects(URIRef(f"{BASE}/opendata#districts"), ns.DCTERMS.temporal))

    # The download URLs are the ones the service answers (under the configured public base URL).
    for url in {str(o) for o in graph.objects(None, ns.DCAT.downloadURL)}:
        path = url.removeprefix(BASE)
        assert path != url and (await portal_client.get(path)).status_code == 200, url

    # Served from the page cache like the other public pages: revalidated with a 304.
    again = await portal_client.get(
        "/opendata/catalog.jsonld", headers={"If-None-Match": response.headers["etag"]}
    )
    assert again.status_code == 304


async def test_an_empty_catalogue_still_validates(portal_client: httpx.AsyncClient) -> None:
    graph, _ = await _graph(portal_client)
    for shapes in ("dcat-ap-3.0.1-SHACL.ttl", "dcatapit-additions.ttl"):
        conforms, text = _shacl(graph, shapes)
        assert conforms, text
    catalog = next(graph.subjects(ns.RDF.type, ns.DCAT.Catalog))
    assert not list(graph.objects(catalog, ns.DCTERMS.temporal))  # no data, no period
