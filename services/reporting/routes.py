"""HTTP routes of the reporting read models: timeline, diary, dashboard, open data (all read-only, public).

Reports carry no personal data (people are counted by category), so they are readable without a key, as the
programme's own Diari and regional reports are public.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated, Any, Literal

import anyio
from fastapi import APIRouter, Path, Query, Request
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse, Response
from sqlmodel import Session

from services.reporting import asof, dashboard, datapackage, diary, opendata, pages, service, timeline
from services.reporting.labels import to_rome
from services.reporting.pagecache import page_cache
from services.reporting.schemas import (
    DashboardPublic,
    DiaryPublic,
    SentencePublic,
    TimelineEntryPublic,
    TimelinePublic,
)
from shared.api.timetravel import AsOfQuery, KnownAtQuery, TimePoint
from shared.db import Database
from shared.deps import DatabaseDep, SessionDep
from shared.errors import NotFoundError, problem_responses

if TYPE_CHECKING:
    from services.reporting.models import TimelineEntry

router = APIRouter()

HTML_MEDIA_TYPE = "text/html; charset=utf-8"
JSON_MEDIA_TYPE = "application/json"
CSV_MEDIA_TYPE = "text/csv; charset=utf-8"

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


def _wants_html(request: Request, format_: str | None) -> bool:
    if format_ is not None:
        return format_ == "html"
    accept = request.headers.get("accept", "")
    return "text/html" in accept and "application/json" not in accept.split("text/html")[0]


DatasetPath = Annotated[
    str,
    Path(
        max_length=40,
        description="One of: " + ", ".join(opendata.OPEN_DATA_FIELDS),
        examples=list(opendata.OPEN_DATA_FIELDS),
    ),
]


def _dataset(name: str) -> str:
    if name not in opendata.OPEN_DATA_FIELDS:
        raise NotFoundError(
            f"no open dataset named {name!r}; available: {', '.join(opendata.OPEN_DATA_FIELDS)}"
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
    order: Annotated[
        timeline.TimelineOrder,
        Query(
            description="`occurred` (default): by when things happened; `log`: in the order they were recorded."
        ),
    ] = "occurred",
    cursor: Annotated[
        str | None,
        Query(max_length=512, description="From `next_cursor` of the previous page (order=occurred)."),
    ] = None,
    after: Annotated[
        int | None, Query(ge=0, le=2**62, description="Log position to continue after (order=log).")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=1000, description="Entries per page.")] = 200,
) -> TimelinePublic:
    process = service.get_process(session=session, process_id=process_id)
    entries, next_after, next_cursor = timeline.timeline(
        session=session, process_id=process_id, order=order, after=after, cursor=cursor, limit=limit
    )
    return TimelinePublic(
        process_id=process.id,
        title=process.title,
        order=order,
        items=[_timeline_item(e) for e in entries],
        next_cursor=next_cursor,
        next_after=next_after,
    )


def _timeline_item(entry: TimelineEntry) -> TimelineEntryPublic:
    italian, english = timeline.timeline_sentence(entry)
    return TimelineEntryPublic(
        position=entry.position,
        occurred_at=entry.occurred_at,
        occurred_at_local=to_rome(entry.occurred_at).isoformat(),
        recorded_at=entry.recorded_at,
        recorded_at_local=to_rome(entry.recorded_at).isoformat() if entry.recorded_at else None,
        event_type=entry.event_type,
        stream_type=entry.stream_type,
        stream_id=entry.stream_id,
        state=entry.state,
        sentence=SentencePublic(it=italian, en=english),
    )


def _json_bytes(body: Any) -> bytes:
    """The JSON the route's response model would have produced, rendered once for the cache."""
    return bytes(JSONResponse(jsonable_encoder(body)).body)


@router.get(
    "/districts/{district_id}/diary",
    response_model=DiaryPublic,
    summary="The Diario of a district for a programme edition (JSON, or printable Italian HTML)",
    tags=["diary"],
    responses={**HTML_RESPONSE, **problem_responses(404, 422)},
)
async def get_district_diary(
    district_id: uuid.UUID,
    request: Request,
    database: DatabaseDep,
    edition: Annotated[uuid.UUID, Query(description="Edition id.")],
    format: FormatQuery = None,
    as_of: AsOfQuery = None,
    known_at: KnownAtQuery = None,
) -> Any:
    """The Diario now, or with ``as_of``/``known_at`` as it stood then (built from the log for this request)."""
    html = _wants_html(request, format)
    point = TimePoint.of(as_of, known_at)

    def render(session: Session) -> tuple[bytes, str]:
        service.get_district(session=session, district_id=district_id)
        service.get_edition(session=session, edition_id=edition)
        report = diary.diary(
            session=session, district_id=district_id, edition_id=edition, today=_today(point)
        )
        body = DiaryPublic.model_validate({**report, "as_of": point.as_of, "known_at": point.known_at})
        if html:
            return pages.render_diary(body.model_dump()).encode(), HTML_MEDIA_TYPE
        return _json_bytes(body), JSON_MEDIA_TYPE

    variant = "html" if html else "json"
    if not point.is_now:
        return await _serve_at(request, database, point, render)
    return await page_cache(request).serve(
        request, database, ("diary", district_id, edition, variant), variant, render
    )


# As-of builds fold the log into memory (about a second for the demo's log): a few at a time per process.
_AT_A_POINT = anyio.CapacityLimiter(2)


def _today(point: TimePoint) -> Any:
    """The day a report at ``point`` is written on (None: today)."""
    return to_rome(point.as_of).date() if point.as_of is not None else None


async def _serve_at(
    request: Request, database: Database, point: TimePoint, render: Callable[[Session], tuple[bytes, str]]
) -> Response:
    """A report at a point in time, rendered from throw-away read models and never from the page cache."""

    def build() -> tuple[bytes, str]:
        with database.session(write=False) as session:
            try:
                with asof.read_models_at(session, point) as scratch:
                    return render(scratch)
            except NotFoundError as missing:
                raise NotFoundError(
                    f"{(missing.detail or 'not found').removesuffix(' (yet)')} {point.describe()}",
                    **missing.extra,
                ) from missing
            finally:
                session.rollback()

    body, media_type = await anyio.to_thread.run_sync(build, limiter=_AT_A_POINT)
    return Response(body, media_type=media_type, headers={"Cache-Control": "no-store", "Vary": "Accept"})


@router.get(
    "/dashboard",
    response_model=DashboardPublic,
    summary="The regional dashboard of an edition (default: the latest), with the map and edition comparison",
    tags=["dashboard"],
    responses={**HTML_RESPONSE, **problem_responses(404, 422)},
)
async def get_regional_dashboard(
    request: Request,
    database: DatabaseDep,
    edition: Annotated[uuid.UUID | None, Query(description="Edition id; the latest when omitted.")] = None,
    format: FormatQuery = None,
    as_of: AsOfQuery = None,
    known_at: KnownAtQuery = None,
) -> Any:
    """The dashboard now, or with ``as_of``/``known_at`` as it stood then (built from the log for this request)."""
    html = _wants_html(request, format)
    point = TimePoint.of(as_of, known_at)

    def render(session: Session) -> tuple[bytes, str]:
        if edition is not None:
            service.get_edition(session=session, edition_id=edition)
        report = dashboard.dashboard(session=session, edition_id=edition)
        body = DashboardPublic.model_validate({**report, "as_of": point.as_of, "known_at": point.known_at})
        if html:
            geometries = dashboard.district_geometries(session=session)
            return pages.render_dashboard(body.model_dump(), geometries).encode(), HTML_MEDIA_TYPE
        return _json_bytes(body), JSON_MEDIA_TYPE

    variant = "html" if html else "json"
    if not point.is_now:
        return await _serve_at(request, database, point, render)
    return await page_cache(request).serve(
        request, database, ("dashboard", edition, variant), variant, render
    )


@router.get(
    "/opendata/datapackage.json",
    summary="Frictionless Data Package descriptor of the open datasets",
    tags=["open data"],
    response_model=dict[str, Any],
)
def get_open_data_package(request: Request) -> JSONResponse:
    base = str(request.url_for("get_open_data_package")).rsplit("/", 1)[0]
    descriptor = datapackage.package_descriptor(homepage=base)
    return JSONResponse(descriptor, headers={"Access-Control-Allow-Origin": "*"})


@router.get(
    "/opendata/{dataset}.csv",
    summary="An open dataset as CSV (UTF-8, header row)",
    tags=["open data"],
    response_class=Response,
    responses={200: {"content": {"text/csv": {"schema": {"type": "string"}}}}, **problem_responses(404, 422)},
)
async def export_open_data_csv(dataset: DatasetPath, request: Request, database: DatabaseDep) -> Response:
    dataset = _dataset(dataset)
    headers = {
        "Content-Disposition": f'inline; filename="{dataset}.csv"',
        "Access-Control-Allow-Origin": "*",
    }

    def render(session: Session) -> tuple[bytes, str]:
        return opendata.open_data_csv(session=session, dataset=dataset).encode(), CSV_MEDIA_TYPE

    return await _open_data(request, database, dataset, "csv", render, headers)


@router.get(
    "/opendata/{dataset}.json",
    summary="An open dataset as JSON (an array of records)",
    tags=["open data"],
    response_model=list[dict[str, Any]],
    responses=problem_responses(404, 422),
)
async def export_open_data_json(dataset: DatasetPath, request: Request, database: DatabaseDep) -> Response:
    dataset = _dataset(dataset)

    def render(session: Session) -> tuple[bytes, str]:
        rows = opendata.open_data_rows(session=session, dataset=dataset)
        return bytes(JSONResponse(rows).body), JSON_MEDIA_TYPE

    return await _open_data(request, database, dataset, "json", render, {"Access-Control-Allow-Origin": "*"})


async def _open_data(
    request: Request,
    database: Database,
    dataset: str,
    variant: str,
    render: Callable[[Session], tuple[bytes, str]],
    headers: dict[str, str],
) -> Response:
    if dataset in opendata.UNCACHED_DATASETS:
        # Not a read model (the log's signed checkpoints): read every time, as before.
        body, media_type = await anyio.to_thread.run_sync(_render_uncached, database, render)
        return Response(body, media_type=media_type, headers=headers)
    return await page_cache(request).serve(
        request,
        database,
        ("opendata", dataset, variant),
        f"{dataset}-{variant}",
        render,
        headers=headers,
        vary=False,
    )


def _render_uncached(database: Database, render: Callable[[Session], tuple[bytes, str]]) -> tuple[bytes, str]:
    with database.session(write=False) as session:
        result = render(session)
        session.rollback()
    return result
