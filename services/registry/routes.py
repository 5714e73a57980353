"""HTTP routes of the registry: thin wrappers that authorise, call the service and shape responses."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Header, Query, Request, Response
from fastapi.responses import JSONResponse
from sqlmodel import Session

from services.registry import service
from services.registry.models import (
    ActorCategory,
    BodyKind,
    District,
    FacilitatorKind,
    FacilitatorProfile,
    GovernanceBody,
    Organisation,
    OrganisationKind,
    Person,
)
from services.registry.schemas import (
    BodyCreate,
    BodyPublic,
    BoundarySet,
    ConsentCreate,
    ConsentPublic,
    ConsentWithdraw,
    DistrictActors,
    DistrictCreate,
    DistrictPublic,
    DistrictUpdate,
    FacilitatorCreate,
    FacilitatorPublic,
    FacilitatorUpdate,
    MembershipCreate,
    MembershipEnd,
    MembershipList,
    MembershipPublic,
    MunicipalityCreate,
    MunicipalityPublic,
    OrganisationCreate,
    OrganisationPublic,
    OrganisationUpdate,
    PersonCreate,
    PersonPublic,
    PersonUpdate,
    PopulationEntry,
    PopulationSet,
    TrainingCreate,
    TrainingPublic,
)
from shared.api.etag import etag_for, expected_version_from_if_match, set_etag
from shared.api.idempotency import IdempotencyDep
from shared.api.pagination import CursorQuery, LimitQuery, Page, paginate, set_link_header
from shared.auth.principal import Principal
from shared.db import utcnow
from shared.deps import PrincipalDep, SessionDep
from shared.errors import ForbiddenError, problem_responses

router = APIRouter()

GEOJSON = "application/geo+json"
IfMatch = Annotated[
    str | None,
    Header(
        alias="If-Match", max_length=200, description="The ETag you read; 412 if the resource changed since."
    ),
]
SearchQuery = Annotated[
    str | None, Query(max_length=200, description='Accent-insensitive text search ("Forli" finds "Forlì").')
]
OnQuery = Annotated[date | None, Query(description="Only memberships active on this date (YYYY-MM-DD).")]


def _wants_geojson(request: Request) -> bool:
    return GEOJSON in request.headers.get("accept", "")


def _today() -> date:
    return utcnow().date()


# ---------------------------------------------------------------- districts


def _district_public(session: Session, district: District, *, with_boundary: bool) -> DistrictPublic:
    return DistrictPublic(
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
            for p in service.district_populations(session=session, district_id=district.id)
        ],
        municipalities=[
            MunicipalityPublic.model_validate(m)
            for m in service.district_municipalities(session=session, district_id=district.id)
        ],
        has_boundary=district.boundary is not None,
        boundary=district.boundary if with_boundary else None,
    )


def _feature(body: DistrictPublic, boundary: dict[str, Any] | None) -> dict[str, Any]:
    properties = body.model_dump(mode="json", exclude={"boundary", "has_boundary"})
    return {"type": "Feature", "id": str(body.id), "geometry": boundary, "properties": properties}


GEOJSON_RESPONSE = {
    200: {
        "content": {
            GEOJSON: {
                "schema": {"type": "object"},
                "example": {
                    "type": "Feature",
                    "id": "...",
                    "geometry": {"type": "MultiPolygon"},
                    "properties": {},
                },
            }
        },
        "description": "The district; a GeoJSON Feature when `Accept: application/geo+json`.",
    }
}


@router.get(
    "/districts",
    response_model=Page[DistrictPublic],
    summary="List districts (GeoJSON FeatureCollection with Accept: application/geo+json)",
    tags=["districts"],
    responses={**problem_responses(422), **GEOJSON_RESPONSE},
)
def list_districts(
    request: Request,
    response: Response,
    session: SessionDep,
    q: SearchQuery = None,
    province: Annotated[str | None, Query(max_length=8, pattern=r"^[A-Z]{2,8}$")] = None,
    on: Annotated[date | None, Query(description="Only districts valid on this date.")] = None,
    limit: LimitQuery = 100,
    cursor: CursorQuery = None,
) -> Any:
    statement = service.district_list_statement(q=q, province=province, on=on)
    rows, next_cursor = paginate(
        session, statement, sort=District.name, tiebreak=District.id, limit=limit, cursor=cursor
    )
    geo = _wants_geojson(request)
    items = [_district_public(session, d, with_boundary=False) for d in rows]
    set_link_header(request, response, next_cursor)
    if geo:
        collection = {
            "type": "FeatureCollection",
            "features": [_feature(item, d.boundary) for item, d in zip(items, rows, strict=True)],
            "next_cursor": next_cursor,
        }
        return JSONResponse(collection, media_type=GEOJSON, headers=dict(response.headers))
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
    body = _district_public(session, district, with_boundary=True)
    return idempotency.created(
        response, body, location=f"/districts/{district.id}", etag=etag_for(district.version)
    )


@router.get(
    "/districts/{district_id}",
    response_model=DistrictPublic,
    summary="Get a district (a GeoJSON Feature with Accept: application/geo+json)",
    tags=["districts"],
    responses={**problem_responses(404, 422), **GEOJSON_RESPONSE},
)
def get_district(district_id: uuid.UUID, request: Request, response: Response, session: SessionDep) -> Any:
    district = service.get_district(session=session, district_id=district_id)
    body = _district_public(session, district, with_boundary=True)
    if _wants_geojson(request):
        return JSONResponse(
            _feature(body, district.boundary),
            media_type=GEOJSON,
            headers={"ETag": etag_for(district.version)},
        )
    set_etag(response, district.version)
    return body


@router.patch(
    "/districts/{district_id}",
    response_model=DistrictPublic,
    summary="Change a district's attributes (regional administrators)",
    tags=["districts"],
    responses=problem_responses(401, 403, 404, 409, 412, 422),
)
def update_district(
    district_id: uuid.UUID,
    payload: DistrictUpdate,
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
    if_match: IfMatch = None,
) -> Any:
    principal.require_admin()
    district = service.get_district(session=session, district_id=district_id)
    expected = expected_version_from_if_match(if_match, district.version)
    district = service.update_district(
        session=session, district=district, data=payload, expected_version=expected
    )
    set_etag(response, district.version)
    return _district_public(session, district, with_boundary=True)


@router.put(
    "/districts/{district_id}/population",
    response_model=DistrictPublic,
    summary="Set a district's resident population for a year (regional administrators)",
    tags=["districts"],
    responses=problem_responses(401, 403, 404, 409, 412, 422),
)
def set_district_population(
    district_id: uuid.UUID,
    payload: PopulationSet,
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
    if_match: IfMatch = None,
) -> Any:
    principal.require_admin()
    district = service.get_district(session=session, district_id=district_id)
    expected = expected_version_from_if_match(if_match, district.version)
    district = service.set_population(
        session=session,
        district=district,
        year=payload.year,
        population=payload.population,
        expected_version=expected,
    )
    set_etag(response, district.version)
    return _district_public(session, district, with_boundary=False)


@router.put(
    "/districts/{district_id}/boundary",
    response_model=DistrictPublic,
    summary="Set a district's boundary as a GeoJSON (Multi)Polygon (regional administrators)",
    tags=["districts"],
    responses=problem_responses(401, 403, 404, 409, 412, 422),
)
def set_district_boundary(
    district_id: uuid.UUID,
    payload: BoundarySet,
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
    if_match: IfMatch = None,
) -> Any:
    principal.require_admin()
    district = service.get_district(session=session, district_id=district_id)
    expected = expected_version_from_if_match(if_match, district.version)
    district = service.set_boundary(
        session=session,
        district=district,
        boundary=payload.boundary.model_dump(mode="json"),
        expected_version=expected,
    )
    set_etag(response, district.version)
    return _district_public(session, district, with_boundary=True)


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


@router.get(
    "/districts/{district_id}/actors",
    response_model=DistrictActors,
    summary="Who acts in a district: organisations, people by category, governance bodies, facilitators",
    tags=["districts"],
    responses=problem_responses(404, 422),
)
def get_district_actors(
    district_id: uuid.UUID,
    session: SessionDep,
    on: Annotated[
        date | None, Query(description="Count body members active on this date (default today).")
    ] = None,
) -> Any:
    district = service.get_district(session=session, district_id=district_id)
    return DistrictActors.model_validate(
        service.district_actors(session=session, district=district, on=on or _today())
    )


def _membership_public(rows: Sequence[tuple[Any, GovernanceBody]]) -> MembershipList:
    return MembershipList(
        items=[
            MembershipPublic(
                id=m.id,
                body_id=b.id,
                body_kind=b.kind,
                district_id=b.district_id,
                process_id=b.process_id,
                person_id=m.person_id,
                role=m.role,
                valid_from=m.valid_from,
                valid_to=m.valid_to,
            )
            for m, b in rows
        ]
    )


@router.get(
    "/districts/{district_id}/memberships",
    response_model=MembershipList,
    summary="Memberships in the district's governance bodies, by person and date",
    tags=["bodies"],
    responses=problem_responses(404, 422),
)
def list_district_memberships(
    district_id: uuid.UUID,
    session: SessionDep,
    person_id: uuid.UUID | None = None,
    on: OnQuery = None,
) -> Any:
    service.get_district(session=session, district_id=district_id)
    return _membership_public(
        service.memberships(session=session, district_id=district_id, person_id=person_id, on=on)
    )


# ---------------------------------------------------------------- organisations


def _organisation_public(session: Session, rows: Sequence[Organisation]) -> list[OrganisationPublic]:
    links = service.organisation_district_ids(session=session, organisation_ids=[o.id for o in rows])
    return [
        OrganisationPublic(
            id=o.id,
            name=o.name,
            kind=o.kind,
            district_ids=links.get(o.id, []),
            contacts=o.contacts,
            version=o.version,
            created_at=o.created_at,
        )
        for o in rows
    ]


def _require_organisation_editor(principal: Principal, district_ids: Sequence[object]) -> None:
    principal.require_authenticated()
    if not district_ids:
        principal.require_admin()
    principal.require_any_district_editor(district_ids)


@router.get(
    "/organisations",
    response_model=Page[OrganisationPublic],
    summary="List and search organisations",
    tags=["organisations"],
    responses=problem_responses(422),
)
def list_organisations(
    request: Request,
    response: Response,
    session: SessionDep,
    q: SearchQuery = None,
    kind: OrganisationKind | None = None,
    district_id: uuid.UUID | None = None,
    limit: LimitQuery = 50,
    cursor: CursorQuery = None,
) -> Any:
    statement = service.organisation_list_statement(q=q, kind=kind, district_id=district_id)
    rows, next_cursor = paginate(
        session, statement, sort=Organisation.name, tiebreak=Organisation.id, limit=limit, cursor=cursor
    )
    set_link_header(request, response, next_cursor)
    return Page[OrganisationPublic](items=_organisation_public(session, rows), next_cursor=next_cursor)


@router.post(
    "/organisations",
    status_code=201,
    response_model=OrganisationPublic,
    summary="Create an organisation (editors of every district it serves)",
    tags=["organisations"],
    responses=problem_responses(401, 403, 409, 422),
)
def create_organisation(
    payload: OrganisationCreate,
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
    idempotency: IdempotencyDep,
) -> Any:
    _require_organisation_editor(principal, payload.district_ids)
    if (replay := idempotency.replay(payload)) is not None:
        return replay
    organisation = service.create_organisation(session=session, data=payload)
    body = _organisation_public(session, [organisation])[0]
    return idempotency.created(
        response, body, location=f"/organisations/{organisation.id}", etag=etag_for(organisation.version)
    )


@router.get(
    "/organisations/{organisation_id}",
    response_model=OrganisationPublic,
    summary="Get an organisation",
    tags=["organisations"],
    responses=problem_responses(404, 422),
)
def get_organisation(organisation_id: uuid.UUID, response: Response, session: SessionDep) -> Any:
    organisation = service.get_organisation(session=session, organisation_id=organisation_id)
    set_etag(response, organisation.version)
    return _organisation_public(session, [organisation])[0]


@router.patch(
    "/organisations/{organisation_id}",
    response_model=OrganisationPublic,
    summary="Change an organisation (editors of every district it serves, before and after)",
    tags=["organisations"],
    responses=problem_responses(401, 403, 404, 409, 412, 422),
)
def update_organisation(
    organisation_id: uuid.UUID,
    payload: OrganisationUpdate,
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
    if_match: IfMatch = None,
) -> Any:
    principal.require_authenticated()
    organisation = service.get_organisation(session=session, organisation_id=organisation_id)
    current = service.organisation_district_ids(session=session, organisation_ids=[organisation.id])[
        organisation.id
    ]
    _require_organisation_editor(principal, [*current, *(payload.district_ids or [])])
    expected = expected_version_from_if_match(if_match, organisation.version)
    organisation = service.update_organisation(
        session=session, organisation=organisation, data=payload, expected_version=expected
    )
    set_etag(response, organisation.version)
    return _organisation_public(session, [organisation])[0]


# ---------------------------------------------------------------- people


def _people_public(session: Session, rows: Sequence[Person], principal: Principal) -> list[PersonPublic]:
    ids = [p.id for p in rows]
    districts = service.person_district_ids(session=session, person_ids=ids)
    organisations = service.person_organisation_ids(session=session, person_ids=ids)
    personal = principal.sees_personal_data
    result = []
    for person in rows:
        body = PersonPublic(
            id=person.id,
            actor_category=person.actor_category,
            erased=person.erased,
            district_ids=districts.get(person.id, []),
            organisation_ids=organisations.get(person.id, []),
            version=person.version,
            created_at=person.created_at,
        )
        if personal:
            body.given_name = person.given_name
            body.family_name = person.family_name
            body.email = person.email
            body.phone = person.phone
            body.consents = [
                ConsentPublic.model_validate(c)
                for c in service.person_consents(session=session, person_id=person.id)
            ]
        result.append(body)
    return result


def _require_person_editor(
    session: Session, principal: Principal, person: Person, extra: Sequence[object] = ()
) -> None:
    """Admins, or editors of every district the person is (or will be) in."""
    principal.require_authenticated()
    current = service.person_district_ids(session=session, person_ids=[person.id])[person.id]
    districts = [*current, *extra]
    if not districts:
        principal.require_admin()
    principal.require_any_district_editor(districts)


@router.get(
    "/people",
    response_model=Page[PersonPublic],
    summary="List people (names and search by name only for keys that see personal data)",
    tags=["people"],
    responses=problem_responses(401, 403, 422),
)
def list_people(
    request: Request,
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
    q: SearchQuery = None,
    district_id: uuid.UUID | None = None,
    category: ActorCategory | None = None,
    organisation_id: uuid.UUID | None = None,
    limit: LimitQuery = 50,
    cursor: CursorQuery = None,
) -> Any:
    if q and not principal.sees_personal_data:
        # Searching by name would reveal who is registered: personal data.
        principal.require_authenticated()
        raise ForbiddenError("searching people by name needs a key that may see personal data")
    statement = service.person_list_statement(
        q=q, district_id=district_id, category=category, organisation_id=organisation_id
    )
    rows, next_cursor = paginate(
        session, statement, sort=Person.created_at, tiebreak=Person.id, limit=limit, cursor=cursor
    )
    set_link_header(request, response, next_cursor)
    return Page[PersonPublic](items=_people_public(session, rows, principal), next_cursor=next_cursor)


@router.post(
    "/people",
    status_code=201,
    response_model=PersonPublic,
    summary="Register a person (editors of every district listed)",
    tags=["people"],
    responses=problem_responses(401, 403, 409, 422),
)
def create_person(
    payload: PersonCreate,
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
    idempotency: IdempotencyDep,
) -> Any:
    principal.require_any_district_editor(payload.district_ids)
    if (replay := idempotency.replay(payload)) is not None:
        return replay
    person = service.create_person(session=session, data=payload)
    body = _people_public(session, [person], principal)[0]
    return idempotency.created(response, body, location=f"/people/{person.id}", etag=etag_for(person.version))


@router.get(
    "/people/{person_id}",
    response_model=PersonPublic,
    summary="Get a person (id, category and erased flag for everyone; names and contacts for editors)",
    tags=["people"],
    responses=problem_responses(401, 404, 422),
)
def get_person(person_id: uuid.UUID, response: Response, session: SessionDep, principal: PrincipalDep) -> Any:
    person = service.get_person(session=session, person_id=person_id)
    set_etag(response, person.version)
    return _people_public(session, [person], principal)[0]


@router.patch(
    "/people/{person_id}",
    response_model=PersonPublic,
    summary="Change a person (editors of every district the person is in)",
    tags=["people"],
    responses=problem_responses(401, 403, 404, 409, 412, 422),
)
def update_person(
    person_id: uuid.UUID,
    payload: PersonUpdate,
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
    if_match: IfMatch = None,
) -> Any:
    principal.require_authenticated()
    person = service.get_person(session=session, person_id=person_id)
    _require_person_editor(session, principal, person, payload.district_ids or [])
    expected = expected_version_from_if_match(if_match, person.version)
    person = service.update_person(session=session, person=person, data=payload, expected_version=expected)
    set_etag(response, person.version)
    return _people_public(session, [person], principal)[0]


@router.delete(
    "/people/{person_id}",
    response_model=PersonPublic,
    summary="Erase a person's personal data, keeping an anonymous placeholder",
    tags=["people"],
    responses=problem_responses(401, 403, 404, 422),
)
def erase_person(
    person_id: uuid.UUID, response: Response, session: SessionDep, principal: PrincipalDep
) -> Any:
    principal.require_authenticated()
    person = service.get_person(session=session, person_id=person_id)
    _require_person_editor(session, principal, person)
    person = service.erase_person(session=session, person=person)
    set_etag(response, person.version)
    return _people_public(session, [person], principal)[0]


@router.post(
    "/people/{person_id}/consents",
    status_code=201,
    response_model=ConsentPublic,
    summary="Record a person's consent for a purpose",
    tags=["people"],
    responses=problem_responses(401, 403, 404, 409, 422),
)
def record_person_consent(
    person_id: uuid.UUID,
    payload: ConsentCreate,
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
    idempotency: IdempotencyDep,
) -> Any:
    principal.require_authenticated()
    person = service.get_person(session=session, person_id=person_id)
    _require_person_editor(session, principal, person)
    if (replay := idempotency.replay(payload)) is not None:
        return replay
    consent = service.record_consent(session=session, person=person, data=payload)
    body = ConsentPublic.model_validate(consent)
    return idempotency.created(
        response, body, location=f"/people/{person_id}/consents/{consent.id}", etag=etag_for(person.version)
    )


@router.post(
    "/people/{person_id}/consents/{consent_id}/withdraw",
    response_model=ConsentPublic,
    summary="Withdraw a consent",
    tags=["people"],
    responses=problem_responses(401, 403, 404, 409, 422),
)
def withdraw_person_consent(
    person_id: uuid.UUID,
    consent_id: uuid.UUID,
    payload: ConsentWithdraw,
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
) -> Any:
    principal.require_authenticated()
    person = service.get_person(session=session, person_id=person_id)
    _require_person_editor(session, principal, person)
    consent = service.withdraw_consent(
        session=session, person=person, consent_id=consent_id, withdrawn_at=payload.withdrawn_at
    )
    set_etag(response, person.version)
    return ConsentPublic.model_validate(consent)


# ---------------------------------------------------------------- governance bodies


@router.get(
    "/bodies",
    response_model=Page[BodyPublic],
    summary="List governance bodies",
    tags=["bodies"],
    responses=problem_responses(422),
)
def list_bodies(
    request: Request,
    response: Response,
    session: SessionDep,
    district_id: uuid.UUID | None = None,
    kind: BodyKind | None = None,
    process_id: uuid.UUID | None = None,
    limit: LimitQuery = 50,
    cursor: CursorQuery = None,
) -> Any:
    statement = service.body_list_statement(district_id=district_id, kind=kind, process_id=process_id)
    rows, next_cursor = paginate(
        session,
        statement,
        sort=GovernanceBody.created_at,
        tiebreak=GovernanceBody.id,
        limit=limit,
        cursor=cursor,
    )
    set_link_header(request, response, next_cursor)
    return Page[BodyPublic](items=[BodyPublic.model_validate(b) for b in rows], next_cursor=next_cursor)


@router.post(
    "/bodies",
    status_code=201,
    response_model=BodyPublic,
    summary="Create a governance body of a district (Ufficio di Piano, Comitato di Distretto, steering group)",
    tags=["bodies"],
    responses=problem_responses(401, 403, 404, 409, 422),
)
def create_body(
    payload: BodyCreate,
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
    idempotency: IdempotencyDep,
) -> Any:
    principal.require_district_editor(payload.district_id)
    if (replay := idempotency.replay(payload)) is not None:
        return replay
    body_row = service.create_body(session=session, data=payload)
    body = BodyPublic.model_validate(body_row)
    return idempotency.created(
        response, body, location=f"/bodies/{body_row.id}", etag=etag_for(body_row.version)
    )


@router.get(
    "/bodies/{body_id}",
    response_model=BodyPublic,
    summary="Get a governance body",
    tags=["bodies"],
    responses=problem_responses(404, 422),
)
def get_body(body_id: uuid.UUID, response: Response, session: SessionDep) -> Any:
    body = service.get_body(session=session, body_id=body_id)
    set_etag(response, body.version)
    return BodyPublic.model_validate(body)


@router.get(
    "/bodies/{body_id}/members",
    response_model=MembershipList,
    summary="Members of a body, optionally those active on a date (who was in the steering group on D)",
    tags=["bodies"],
    responses=problem_responses(404, 422),
)
def list_body_members(body_id: uuid.UUID, session: SessionDep, on: OnQuery = None) -> Any:
    service.get_body(session=session, body_id=body_id)
    return _membership_public(service.memberships(session=session, body_id=body_id, on=on))


@router.post(
    "/bodies/{body_id}/members",
    status_code=201,
    response_model=MembershipPublic,
    summary="Add a member to a body with a role from a date",
    tags=["bodies"],
    responses=problem_responses(401, 403, 404, 409, 422),
)
def add_body_member(
    body_id: uuid.UUID,
    payload: MembershipCreate,
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
    idempotency: IdempotencyDep,
) -> Any:
    principal.require_authenticated()
    body = service.get_body(session=session, body_id=body_id)
    principal.require_district_editor(body.district_id)
    if (replay := idempotency.replay(payload)) is not None:
        return replay
    membership = service.add_member(session=session, body=body, data=payload)
    result = _membership_public([(membership, body)]).items[0]
    return idempotency.created(
        response, result, location=f"/bodies/{body_id}/members/{membership.id}", etag=etag_for(body.version)
    )


@router.post(
    "/bodies/{body_id}/members/{membership_id}/end",
    response_model=MembershipPublic,
    summary="End a membership on a date",
    tags=["bodies"],
    responses=problem_responses(401, 403, 404, 409, 422),
)
def end_body_member(
    body_id: uuid.UUID,
    membership_id: uuid.UUID,
    payload: MembershipEnd,
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
) -> Any:
    principal.require_authenticated()
    body = service.get_body(session=session, body_id=body_id)
    principal.require_district_editor(body.district_id)
    membership = service.end_member(
        session=session, body=body, membership_id=membership_id, valid_to=payload.valid_to
    )
    set_etag(response, body.version)
    return _membership_public([(membership, body)]).items[0]


# ---------------------------------------------------------------- facilitators


def _facilitators_public(
    session: Session, rows: Sequence[FacilitatorProfile], principal: Principal
) -> list[FacilitatorPublic]:
    ids = [p.person_id for p in rows]
    districts = service.facilitator_district_ids(session=session, person_ids=ids)
    trainings = service.facilitator_trainings(session=session, person_ids=ids)
    versions = {p.id: p.version for p in (session.get(Person, i) for i in ids) if p is not None}
    personal = principal.sees_personal_data
    return [
        FacilitatorPublic(
            person_id=p.person_id,
            kind=p.kind,
            district_ids=districts.get(p.person_id, []),
            availability_notes=p.availability_notes if personal else None,
            availability=p.availability if personal else None,
            trainings=[TrainingPublic.model_validate(t) for t in trainings.get(p.person_id, [])],
            version=versions.get(p.person_id, 0),
        )
        for p in rows
    ]


def _require_facilitator_editor(
    session: Session, principal: Principal, person: Person, district_ids: Sequence[object]
) -> None:
    current = service.facilitator_district_ids(session=session, person_ids=[person.id])[person.id]
    _require_person_editor(session, principal, person, [*current, *district_ids])


@router.get(
    "/facilitators",
    response_model=Page[FacilitatorPublic],
    summary="Search facilitators and tutors by district served, training course and kind",
    tags=["facilitators"],
    responses=problem_responses(422),
)
def list_facilitators(
    request: Request,
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
    district_id: uuid.UUID | None = None,
    course: Annotated[
        str | None, Query(max_length=200, description="Accent-insensitive course name.")
    ] = None,
    kind: FacilitatorKind | None = None,
    min_hours: Annotated[
        int | None, Query(ge=0, le=100_000, description="Total training hours at least.")
    ] = None,
    limit: LimitQuery = 50,
    cursor: CursorQuery = None,
) -> Any:
    statement = service.facilitator_list_statement(
        district_id=district_id, course=course, kind=kind, min_hours=min_hours
    )
    rows, next_cursor = paginate(
        session,
        statement,
        sort=FacilitatorProfile.created_at,
        tiebreak=FacilitatorProfile.person_id,
        limit=limit,
        cursor=cursor,
    )
    set_link_header(request, response, next_cursor)
    return Page[FacilitatorPublic](
        items=_facilitators_public(session, rows, principal), next_cursor=next_cursor
    )


@router.post(
    "/facilitators",
    status_code=201,
    response_model=FacilitatorPublic,
    summary="Make a registered person a facilitator or tutor",
    tags=["facilitators"],
    responses=problem_responses(401, 403, 404, 409, 422),
)
def create_facilitator(
    payload: FacilitatorCreate,
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
    idempotency: IdempotencyDep,
) -> Any:
    principal.require_authenticated()
    person = service.get_person(session=session, person_id=payload.person_id)
    _require_facilitator_editor(session, principal, person, payload.district_ids)
    if (replay := idempotency.replay(payload)) is not None:
        return replay
    profile = service.create_facilitator(session=session, person=person, data=payload)
    body = _facilitators_public(session, [profile], principal)[0]
    return idempotency.created(
        response, body, location=f"/facilitators/{person.id}", etag=etag_for(person.version)
    )


@router.get(
    "/facilitators/{person_id}",
    response_model=FacilitatorPublic,
    summary="Get a facilitator or tutor profile with training records",
    tags=["facilitators"],
    responses=problem_responses(404, 422),
)
def get_facilitator(
    person_id: uuid.UUID, response: Response, session: SessionDep, principal: PrincipalDep
) -> Any:
    profile = service.get_facilitator(session=session, person_id=person_id)
    body = _facilitators_public(session, [profile], principal)[0]
    set_etag(response, body.version)
    return body


@router.patch(
    "/facilitators/{person_id}",
    response_model=FacilitatorPublic,
    summary="Change a facilitator profile (kind, districts served, availability)",
    tags=["facilitators"],
    responses=problem_responses(401, 403, 404, 409, 412, 422),
)
def update_facilitator(
    person_id: uuid.UUID,
    payload: FacilitatorUpdate,
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
    if_match: IfMatch = None,
) -> Any:
    principal.require_authenticated()
    person = service.get_person(session=session, person_id=person_id)
    profile = service.get_facilitator(session=session, person_id=person_id)
    _require_facilitator_editor(session, principal, person, payload.district_ids or [])
    expected = expected_version_from_if_match(if_match, person.version)
    profile = service.update_facilitator(
        session=session, person=person, profile=profile, data=payload, expected_version=expected
    )
    set_etag(response, person.version)
    return _facilitators_public(session, [profile], principal)[0]


@router.post(
    "/facilitators/{person_id}/trainings",
    status_code=201,
    response_model=TrainingPublic,
    summary="Record a course a facilitator or tutor completed",
    tags=["facilitators"],
    responses=problem_responses(401, 403, 404, 409, 422),
)
def record_facilitator_training(
    person_id: uuid.UUID,
    payload: TrainingCreate,
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
    idempotency: IdempotencyDep,
) -> Any:
    principal.require_authenticated()
    person = service.get_person(session=session, person_id=person_id)
    profile = service.get_facilitator(session=session, person_id=person_id)
    _require_facilitator_editor(session, principal, person, [])
    if (replay := idempotency.replay(payload)) is not None:
        return replay
    training = service.record_training(session=session, person=person, profile=profile, data=payload)
    body = TrainingPublic.model_validate(training)
    return idempotency.created(
        response,
        body,
        location=f"/facilitators/{person_id}/trainings/{training.id}",
        etag=etag_for(person.version),
    )
