"""HTTP routes of the open data's descriptions: the landing page, each resource's Table Schema and the
DCAT-AP_IT catalogue (public, read-only; the CSV/JSON files and datapackage.json are in routes.py)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

import anyio
from fastapi import APIRouter, Path, Request
from fastapi.responses import JSONResponse, Response
from sqlmodel import Session

from services.reporting import datapackage, dcat, opendata, service
from services.reporting.landing import render_landing
from services.reporting.pagecache import Renderer, page_cache
from shared.config import Settings
from shared.db import Database
from shared.deps import DatabaseDep, SettingsDep
from shared.errors import NotFoundError, problem_responses

router = APIRouter(prefix="/opendata")
TAGS: list[str | Any] = ["open data"]
HTML_MEDIA_TYPE = "text/html; charset=utf-8"
CORS = {"Access-Control-Allow-Origin": "*"}

DatasetPath = Annotated[
    str,
    Path(
        max_length=40,
        description="One of: " + ", ".join(opendata.OPEN_DATA_FIELDS),
        examples=list(opendata.OPEN_DATA_FIELDS),
    ),
]

LANDING_EXAMPLE = (
    '<!DOCTYPE html>\n<html lang="it">\n...<main>\n  <h2 id="risorse">Risorse</h2>\n'
    '  <section id="districts" aria-labelledby="districts-titolo">\n'
    '    <h3 id="districts-titolo">Distretti socio-sanitari</h3>\n    ...\n'
    '    <dt>Righe</dt><dd>38</dd> ... <a href="/opendata/districts.csv">Scarica il CSV ...</a>\n'
    "...</main>..."
)
SCHEMA_EXAMPLE = {
    "fields": [
        {"name": "id", "type": "string", "format": "uuid", "description": "Workshop id"},
        {"name": "process_id", "type": "string", "format": "uuid", "description": "Process id"},
        {"name": "starts_at", "type": "datetime", "description": "Start (UTC)"},
    ],
    "primaryKey": ["id"],
    "missingValues": [""],
    "foreignKeys": [{"fields": ["process_id"], "reference": {"resource": "processes", "fields": ["id"]}}],
}
CATALOGUE_EXAMPLE = {
    "@context": {"dcat": "http://www.w3.org/ns/dcat#", "dct": "http://purl.org/dc/terms/"},
    "@graph": [
        {
            "@id": "https://dati.communitylab.example/opendata/catalog.jsonld",
            "@type": ["dcat:Catalog", "dcatapit:Catalog"],
            "dct:title": {"@value": "Dati aperti di Community Lab", "@language": "it"},
            "dct:publisher": {"@id": "https://dati.communitylab.example/opendata/catalog.jsonld#publisher"},
            "dct:license": {"@id": "http://publications.europa.eu/resource/authority/licence/CC_BY_4_0"},
            "dcat:dataset": [
                {
                    "@id": "https://dati.communitylab.example/opendata#workshops",
                    "@type": ["dcat:Dataset", "dcatapit:Dataset"],
                    "dcat:distribution": [
                        {
                            "@id": "https://dati.communitylab.example/opendata#workshops-csv",
                            "dcat:downloadURL": {
                                "@id": "https://dati.communitylab.example/opendata/workshops.csv"
                            },
                        }
                    ],
                }
            ],
        }
    ],
}


def public_base_url(settings: Settings) -> str:
    """The absolute base URL of public links and catalogue identifiers."""
    return (settings.opendata_base_url or settings.reporting_url).rstrip("/")


def _checkpoints_stored(database: Database) -> int:
    with database.session(write=False) as session:
        count = datapackage.checkpoints_stored(session=session)
        session.rollback()
    return count


def _summary(session: Session) -> datapackage.OpenDataSummary:
    return datapackage.summarise(session=session, position=service.read_model_position(session=session))


async def _serve_summary_page(
    request: Request,
    database: Database,
    name: str,
    render: Renderer,
    headers: dict[str, str] | None = None,
) -> Response:
    # The log's checkpoints are counted on the page but are no read model: their number is part of the key
    # and the ETag, so a new signed checkpoint renders the page again.
    checkpoints = await anyio.to_thread.run_sync(_checkpoints_stored, database)
    return await page_cache(request).serve(
        request,
        database,
        ("opendata", name, checkpoints),
        f"{name}-c{checkpoints}",
        render,
        headers=headers,
        vary=False,
    )


@router.get(
    "",
    summary="The open data's landing page (Italian HTML): every resource with its rows, formats and links",
    tags=TAGS,
    response_class=Response,
    responses={
        200: {
            "content": {"text/html": {"schema": {"type": "string"}, "example": LANDING_EXAMPLE}},
            "description": "The landing page, the `homepage` of datapackage.json",
        },
        304: {"description": "Not modified since the ETag sent in If-None-Match"},
    },
)
async def get_open_data_landing(request: Request, database: DatabaseDep, settings: SettingsDep) -> Response:
    base = request.url_for("get_open_data_landing").path.rstrip("/")

    def render(session: Session) -> tuple[bytes, str]:
        page = render_landing(_summary(session), base=base, publisher=settings.opendata_publisher_name)
        return page.encode(), HTML_MEDIA_TYPE

    return await _serve_summary_page(request, database, "landing", render)


@router.get(
    "/schemas/{dataset}.json",
    summary="The Table Schema of one open dataset: column types and formats, primary and foreign keys",
    tags=TAGS,
    response_model=dict[str, Any],
    responses={
        200: {"content": {"application/json": {"example": SCHEMA_EXAMPLE}}},
        **problem_responses(404, 422),
    },
)
def get_open_data_schema(dataset: DatasetPath) -> JSONResponse:
    if dataset not in opendata.OPEN_DATA_FIELDS:
        raise NotFoundError(
            f"no open dataset named {dataset!r}; available: {', '.join(opendata.OPEN_DATA_FIELDS)}"
        )
    return JSONResponse(
        datapackage.resource_schema(dataset), headers={**CORS, "Cache-Control": "public, max-age=300"}
    )


@router.get(
    "/catalog.jsonld",
    summary="The DCAT-AP_IT catalogue of the open data (JSON-LD), for dati.gov.it and regional portals",
    tags=TAGS,
    response_class=Response,
    responses={
        200: {
            "content": {dcat.MEDIA_TYPE: {"schema": {"type": "object"}, "example": CATALOGUE_EXAMPLE}},
            "description": "A dcat:Catalog with one dcat:Dataset per resource, each with CSV and JSON distributions",
        },
        304: {"description": "Not modified since the ETag sent in If-None-Match"},
    },
)
async def get_open_data_catalogue(request: Request, database: DatabaseDep, settings: SettingsDep) -> Response:
    publisher = dcat.Publisher(
        name=settings.opendata_publisher_name,
        identifier=settings.opendata_publisher_identifier,
        contact_name=settings.opendata_contact_name,
        contact_email=settings.opendata_contact_email,
    )
    base = public_base_url(settings)

    def render(session: Session) -> tuple[bytes, str]:
        document = dcat.catalogue(_summary(session), base=base, publisher=publisher, today=date.today())
        return bytes(JSONResponse(document).body), dcat.MEDIA_TYPE

    return await _serve_summary_page(request, database, "catalogue", render, headers=CORS)
