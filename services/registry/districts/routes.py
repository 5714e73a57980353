"""HTTP routes of districts: thin wrappers that authorise, call the service and shape responses."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.responses import JSONResponse
from sqlmodel import Session

from services.registry.deps import SearchQuery
from services.registry.districts import queries, reads, service
from services.registry.districts.deps import DistrictForEdit
from services.registry.districts.models import District
from services.registry.districts.schemas import (
    BoundarySet,
    DistrictCreate,
    DistrictFeature,
    DistrictFeatureCollection,
    DistrictPublic,
    DistrictUpdate,
    MunicipalityCreate,
    MunicipalityPublic,
    PopulationEntry,
    PopulationSet,
)
from shared.api.etag import etag_for, set_etag
from shared.api.idempotency import IdempotencyDep
from shared.api.pagination import CursorQuery, LimitQuery, Page, paginate, set_link_header
from shared.api.reads import validated_response
from shared.api.schemas import ApiDate
from shared.deps import PrincipalDep, SessionDep, run_read
from shared.errors import problem_responses

router = APIRouter()

OPENAPI_TAGS = [
    {
        "name": "districts",
        "description": "The region's social-and-health districts: codes, population, boundaries.",
    },
]

GEOJSON = "application/geo+json"


def _wants_geojson(request: Request) -> bool:
    return GEOJSON in request.headers.get("accept", "")


def _districts_public(
    session: Session, rows: Sequence[District], *, with_boundary: bool
) -> list[DistrictPublic]:
    ids = [d.id for d in rows]
    populations = service.district_populations(session=session, district_ids=ids)
    municipalities = service.district_municipalities(session=session, district_ids=ids)
    return [
        DistrictPublic(
            id=district.id,
            name=district.name,
            regional_code=district.regional_code,
            province=district.province,
            health_authority=district.health_authority,
            valid_from=district.valid_from,
            valid_to=district.valid_to,
            version=district.version,
            population=[
                PopulationEntry(year=p.year, population=p.population)
                for p in populations.get(district.id, [])
            ],
            municipalities=[
                MunicipalityPublic.model_validate(m) for m in municipalities.get(district.id, [])
            ],
            has_boundary=district.boundary is not None,
            boundary=district.boundary if with_boundary else None,
        )
        for district in rows
    ]


def _feature(body: DistrictPublic, boundary: dict[str, Any] | None) -> dict[str, Any]:
    properties = body.model_dump(mode="json", exclude={"boundary", "has_boundary"})
    return {"type": "Feature", "id": str(body.id), "geometry": boundary, "properties": properties}


class GeoJSONResponse(JSONResponse):
    """A JSON body sent as ``application/geo+json`` (RFC 7946)."""

    media_type = GEOJSON


GEOJSON_ALTERNATIVE = (
    " The same data as GeoJSON: `{path}` (typed as GeoJSON), or this URL with `Accept: application/geo+json`."
)


def _district_rows(
    request: Request,
    response: Response,
    session: SessionDep,
    q: SearchQuery = None,
    province: Annotated[str | None, Query(max_length=8, pattern=r"^[A-Z]{2,8}$")] = None,
    on: Annotated[ApiDate | None, Query(description="Only districts valid on this date.")] = None,
    limit: LimitQuery = 100,
    cursor: CursorQuery = None,
) -> tuple[list[DistrictPublic], list[District], str | None]:
    """One page of districts (the filters and pagination of both list operations), Link header set."""
    statement = queries.district_list_statement(q=q, province=province, on=on)
    rows, next_cursor = paginate(
        session, statement, sort=District.name, tiebreak=District.id, limit=limit, cursor=cursor
    )
    set_link_header(request, response, next_cursor)
    return _districts_public(session, rows, with_boundary=False), list(rows), next_cursor


DistrictRows = Annotated[tuple[list[DistrictPublic], list[District], str | None], Depends(_district_rows)]


def _collection(page: tuple[list[DistrictPublic], list[District], str | None]) -> dict[str, Any]:
    items, rows, next_cursor = page
    return {
        "type": "FeatureCollection",
        "features": [_feature(item, d.boundary) for item, d in zip(items, rows, strict=True)],
        "next_cursor": next_cursor,
    }


@router.get(
    "/districts.geojson",
    response_model=DistrictFeatureCollection,
    response_class=GeoJSONResponse,
    summary="List districts as a GeoJSON FeatureCollection (with their boundaries)",
    tags=["districts"],
    responses=problem_responses(422),
)
def list_districts_geojson(response: Response, page: DistrictRows) -> Any:
    return GeoJSONResponse(_collection(page), headers=dict(response.headers))


@router.get(
    "/districts",
    response_model=Page[DistrictPublic],
    summary="List districts",
    description="Filtered by name, province and validity date; paginated."
    + GEOJSON_ALTERNATIVE.format(path="/districts.geojson"),
    tags=["districts"],
    responses={
        **problem_responses(422),
        200: {"content": {GEOJSON: {"schema": {"$ref": "#/components/schemas/DistrictFeatureCollection"}}}},
    },
)
def list_districts(request: Request, response: Response, page: DistrictRows) -> Any:
    if _wants_geojson(request):
        return GeoJSONResponse(_collection(page), headers=dict(response.headers))
    items, _, next_cursor = page
    return Page[DistrictPublic](items=items, next_cursor=next_cursor)


@router.post(
    "/districts",
    status_code=201,
    response_model=DistrictPublic,
    summary="Create a district (regional administrators)",
    tags=["districts"],
    responses=problem_responses(401, 403, 409, 422),
)
def create_district(
    payload: DistrictCreate,
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
    idempotency: IdempotencyDep,
) -> Any:
    principal.require_admin()
    if (replay := idempotency.replay(payload)) is not None:
        return replay
    district = service.create_district(session=session, data=payload)
    body = _districts_public(session, [district], with_boundary=True)[0]
    return idempotency.created(
        response, body, location=f"/districts/{district.id}", etag=etag_for(district.version)
    )


def _district_feature(data: dict[str, Any]) -> GeoJSONResponse:
    body = DistrictPublic.model_validate(data)
    return GeoJSONResponse(_feature(body, data["boundary"]), headers={"ETag": etag_for(data["version"])})


# Before /districts/{district_id}, which would take `<id>.geojson` as its id.
@router.get(
    "/districts/{district_id}.geojson",
    response_model=DistrictFeature,
    response_class=GeoJSONResponse,
    summary="Get a district as a GeoJSON Feature (its boundary and attributes)",
    tags=["districts"],
    responses=problem_responses(404, 422),
)
async def get_district_geojson(district_id: uuid.UUID, request: Request) -> Any:
    return _district_feature(await run_read(request, reads.district_data, district_id))


@router.get(
    "/districts/{district_id}",
    response_model=DistrictPublic,
    summary="Get a district",
    description="With its population, municipalities and boundary."
    + GEOJSON_ALTERNATIVE.format(path="/districts/{district_id}.geojson"),
    tags=["districts"],
    responses={
        **problem_responses(404, 422),
        200: {"content": {GEOJSON: {"schema": {"$ref": "#/components/schemas/DistrictFeature"}}}},
    },
)
async def get_district(district_id: uuid.UUID, request: Request) -> Any:
    data = await run_read(request, reads.district_data, district_id)
    if _wants_geojson(request):
        return _district_feature(data)
    return validated_response(DistrictPublic, data, version=data["version"])


@router.patch(
    "/districts/{district_id}",
    response_model=DistrictPublic,
    summary="Change a district's attributes (regional administrators)",
    tags=["districts"],
    responses=problem_responses(401, 403, 404, 409, 412, 422),
)
def update_district(
    edit: DistrictForEdit,
    payload: DistrictUpdate,
    response: Response,
    session: SessionDep,
) -> Any:
    district = service.update_district(
        session=session, district=edit.row, data=payload, expected_version=edit.expected_version
    )
    set_etag(response, district.version)
    return _districts_public(session, [district], with_boundary=True)[0]


@router.put(
    "/districts/{district_id}/population",
    response_model=DistrictPublic,
    summary="Set a district's resident population for a year (regional administrators)",
    tags=["districts"],
    responses=problem_responses(401, 403, 404, 409, 412, 422),
)
def set_district_population(
    edit: DistrictForEdit,
    payload: PopulationSet,
    response: Response,
    session: SessionDep,
) -> Any:
    district = service.set_population(
        session=session,
        district=edit.row,
        year=payload.year,
        population=payload.population,
        expected_version=edit.expected_version,
    )
    set_etag(response, district.version)
    return _districts_public(session, [district], with_boundary=False)[0]


@router.put(
    "/districts/{district_id}/boundary",
    response_model=DistrictPublic,
    summary="Set a district's boundary as a GeoJSON (Multi)Polygon (regional administrators)",
    tags=["districts"],
    responses=problem_responses(401, 403, 404, 409, 412, 422),
)
def set_district_boundary(
    edit: DistrictForEdit,
    payload: BoundarySet,
    response: Response,
    session: SessionDep,
) -> Any:
    district = service.set_boundary(
        session=session,
        district=edit.row,
        boundary=payload.boundary.model_dump(mode="json"),
        expected_version=edit.expected_version,
    )
    set_etag(response, district.version)
    return _districts_public(session, [district], with_boundary=True)[0]


@router.post(
    "/districts/{district_id}/municipalities",
    status_code=201,
    response_model=MunicipalityPublic,
    summary="Add a municipality or union of municipalities to a district (regional administrators)",
    tags=["districts"],
    responses=problem_responses(401, 403, 404, 409, 422),
)
def add_district_municipality(
    district_id: uuid.UUID,
    payload: MunicipalityCreate,
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
    idempotency: IdempotencyDep,
) -> Any:
    principal.require_admin()
    if (replay := idempotency.replay(payload)) is not None:
        return replay
    district = service.get_district(session=session, district_id=district_id)
    row = service.add_municipality(session=session, district=district, data=payload)
    body = MunicipalityPublic.model_validate(row)
    return idempotency.created(
        response,
        body,
        location=f"/districts/{district_id}/municipalities/{row.id}",
        etag=etag_for(district.version),
    )
