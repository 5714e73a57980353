"""HTTP routes of the reporting read models: timeline, diary, dashboard, open data (all read-only, public).

Reports carry no personal data (people are counted by category), so they are readable without a key, as the
programme's own Diari and regional reports are public.
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response

from services.reporting import pages, service
from services.reporting.labels import to_rome
from services.reporting.schemas import (
    DashboardPublic,
    DiaryPublic,
    SentencePublic,
    TimelineEntryPublic,
    TimelinePublic,
)
from shared.deps import SessionDep
from shared.errors import NotFoundError, problem_responses

router = APIRouter()

FormatQuery = Annotated[
    Literal["json", "html"] | None,
    Query(description="`html` for the printable page; default JSON unless `Accept: text/html`."),
]
HTML_RESPONSE: dict[int | str, dict[str, Any]] = {
    200: {
        "content": {"text/html": {"schema": {"type": "string"}}},
        "description": "JSON, or HTML on request",
    },
    304: {"description": "Not modified since the ETag sent in If-None-Match"},
}


def _cache_tag(request: Request, session: Any, variant: str) -> tuple[str, Response | None]:
    """A weak ETag from the read models' position: reports change only when the consumer moves on.

    Returns the tag and, when the client already has this version (If-None-Match), a 304 to send instead.
    """
    tag = f'W/"reporting-{service.read_model_position(session=session)}-{variant}"'
    if tag in [t.strip() for t in request.headers.get("if-none-match", "").split(",")]:
        return tag, Response(status_code=304, headers=_cache_headers(tag))
    return tag, None


def _cache_headers(tag: str) -> dict[str, str]:
    return {"ETag": tag, "Vary": "Accept", "Cache-Control": "public, no-cache"}


def _wants_html(request: Request, format_: str | None) -> bool:
    if format_ is not None:
        return format_ == "html"
    accept = request.headers.get("accept", "")
    return "text/html" in accept and "application/json" not in accept.split("text/html")[0]


DatasetPath = Annotated[
    str,
    Path(
        max_length=40,
        description="One of: " + ", ".join(service.OPEN_DATA_FIELDS),
        examples=list(service.OPEN_DATA_FIELDS),
    ),
]


def _dataset(name: str) -> str:
    if name not in service.OPEN_DATA_FIELDS:
        raise NotFoundError(
            f"no open dataset named {name!r}; available: {', '.join(service.OPEN_DATA_FIELDS)}"
        )
    return name


@router.get(
    "/processes/{process_id}/timeline",
    response_model=TimelinePublic,
    summary="A process's history: its own, its workshops', priorities', inventions' and steering group's events",
    tags=["timeline"],
    responses=problem_responses(404, 422),
)
def get_process_timeline(
    process_id: uuid.UUID,
    session: SessionDep,
    after: Annotated[int, Query(ge=0, le=2**62, description="Log position to continue after.")] = 0,
    limit: Annotated[int, Query(ge=1, le=1000, description="Entries per page.")] = 200,
) -> TimelinePublic:
    process = service.get_process(session=session, process_id=process_id)
    entries, next_after = service.timeline(session=session, process_id=process_id, after=after, limit=limit)
    return TimelinePublic(
        process_id=process.id,
        title=process.title,
        items=[
            TimelineEntryPublic(
                position=e.position,
                occurred_at=e.occurred_at,
                occurred_at_local=to_rome(e.occurred_at).isoformat(),
                event_type=e.event_type,
                stream_type=e.stream_type,
                stream_id=e.stream_id,
                state=e.state,
                sentence=SentencePublic(it=e.sentence_it, en=e.sentence_en),
            )
            for e in entries
        ],
        next_after=next_after,
    )


@router.get(
    "/districts/{district_id}/diary",
    response_model=DiaryPublic,
    summary="The Diario of a district for a programme edition (JSON, or printable Italian HTML)",
    tags=["diary"],
    responses={**HTML_RESPONSE, **problem_responses(404, 422)},
)
def get_district_diary(
    district_id: uuid.UUID,
    request: Request,
    session: SessionDep,
    edition: Annotated[uuid.UUID, Query(description="Edition id.")],
    response: Response,
    format: FormatQuery = None,
) -> Any:
    service.get_district(session=session, district_id=district_id)
    service.get_edition(session=session, edition_id=edition)
    html = _wants_html(request, format)
    tag, not_modified = _cache_tag(request, session, "html" if html else "json")
    if not_modified is not None:
        return not_modified
    report = service.diary(session=session, district_id=district_id, edition_id=edition)
    body = DiaryPublic.model_validate(report)
    if html:
        return HTMLResponse(pages.render_diary(body.model_dump()), headers=_cache_headers(tag))
    response.headers.update(_cache_headers(tag))
    return body


@router.get(
    "/dashboard",
    response_model=DashboardPublic,
    summary="The regional dashboard of an edition (default: the latest), with the map and edition comparison",
    tags=["dashboard"],
    responses={**HTML_RESPONSE, **problem_responses(404, 422)},
)
def get_regional_dashboard(
    request: Request,
    session: SessionDep,
    response: Response,
    edition: Annotated[uuid.UUID | None, Query(description="Edition id; the latest when omitted.")] = None,
    format: FormatQuery = None,
) -> Any:
    if edition is not None:
        service.get_edition(session=session, edition_id=edition)
    html = _wants_html(request, format)
    tag, not_modified = _cache_tag(request, session, "html" if html else "json")
    if not_modified is not None:
        return not_modified
    report = service.dashboard(session=session, edition_id=edition)
    body = DashboardPublic.model_validate(report)
    if html:
        geometries = service.district_geometries(session=session)
        return HTMLResponse(
            pages.render_dashboard(body.model_dump(), geometries), headers=_cache_headers(tag)
        )
    response.headers.update(_cache_headers(tag))
    return body


@router.get(
    "/opendata/datapackage.json",
    summary="Frictionless Data Package descriptor of the open datasets",
    tags=["open data"],
    response_model=dict[str, Any],
)
def get_open_data_package(request: Request) -> JSONResponse:
    base = str(request.url_for("get_open_data_package")).rsplit("/", 1)[0]
    resources = []
    for dataset, fields in service.OPEN_DATA_FIELDS.items():
        resources.append(
            {
                "name": dataset,
                "path": f"{dataset}.csv",
                "profile": "tabular-data-resource",
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "schema": {
                    "fields": [
                        {"name": name, "type": type_, "description": description}
                        for name, type_, description in fields
                    ],
                    "primaryKey": ["id"],
                    "missingValues": [""],
                },
            }
        )
    descriptor = {
        "profile": "tabular-data-package",
        "name": "communitylab-open-data",
        "title": "Community Lab: participatory planning in the districts of Emilia-Romagna",
        "description": "Districts, participatory processes, workshops, inventions and priorities. No personal data. "
        + service.CSV_FORMULA_NOTE,
        "homepage": base,
        "licenses": [
            {
                "name": "CC-BY-4.0",
                "path": "https://creativecommons.org/licenses/by/4.0/",
                "title": "CC BY 4.0",
            }
        ],
        "resources": resources,
    }
    return JSONResponse(descriptor, headers={"Access-Control-Allow-Origin": "*"})


@router.get(
    "/opendata/{dataset}.csv",
    summary="An open dataset as CSV (UTF-8, header row)",
    tags=["open data"],
    response_class=Response,
    responses={200: {"content": {"text/csv": {"schema": {"type": "string"}}}}, **problem_responses(404, 422)},
)
def export_open_data_csv(dataset: DatasetPath, session: SessionDep) -> Response:
    dataset = _dataset(dataset)
    return Response(
        service.open_data_csv(session=session, dataset=dataset),
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": f'inline; filename="{dataset}.csv"',
            "Access-Control-Allow-Origin": "*",
        },
    )


@router.get(
    "/opendata/{dataset}.json",
    summary="An open dataset as JSON (an array of records)",
    tags=["open data"],
    response_model=list[dict[str, Any]],
    responses=problem_responses(404, 422),
)
def export_open_data_json(dataset: DatasetPath, session: SessionDep) -> JSONResponse:
    rows = service.open_data_rows(session=session, dataset=_dataset(dataset))
    return JSONResponse(rows, headers={"Access-Control-Allow-Origin": "*"})
