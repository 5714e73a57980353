"""HTTP routes of people: thin wrappers that authorise, call the service and shape responses."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from fastapi import APIRouter, Request, Response
from sqlmodel import Session

from services.registry.deps import SearchQuery, WorkshopsDep
from services.registry.people import queries, service
from services.registry.people.deps import PersonForEditor, PersonToChange, require_person_editor
from services.registry.people.models import ActorCategory, Person
from services.registry.people.schemas import (
    ConsentCreate,
    ConsentPublic,
    ConsentWithdraw,
    PersonCreate,
    PersonPublic,
    PersonUpdate,
)
from shared.api.etag import etag_for, set_etag
from shared.api.idempotency import IdempotencyDep
from shared.api.pagination import Page, Paging
from shared.auth.principal import Principal, Role
from shared.clients.workshops import WorkshopsClient
from shared.deps import PrincipalDep, SessionDep
from shared.errors import ForbiddenError, NotFoundError, problem_responses
from shared.privacy import Scope, may_see, view

router = APIRouter()

# Keys whose scope holds personal data may search by name; the results are filtered to that scope.
_SEARCHERS = (Role.REGIONAL_ADMIN, Role.DISTRICT_EDITOR, Role.FACILITATOR)

OPENAPI_TAGS = [
    {"name": "people", "description": "People (the only home of personal data), consent and erasure."},
]


class _Scoped:
    """What one caller may see of people: ``within`` is None for admins and for callers who see no one's
    personal data (anonymous, integration: the non-personal view of everyone), else the people in scope."""

    def __init__(self, principal: Principal, request: Request, workshops: WorkshopsClient) -> None:
        self.principal = principal
        self.facilitated: frozenset[str] = frozenset()
        self.within: queries.PeopleWithin | None = None
        if principal.role is Role.FACILITATOR and principal.person_id:
            self.facilitated = workshops.people_of_facilitator(
                principal.person_id, authorization=request.headers.get("authorization", "")
            )
            self.within = queries.PeopleWithin(person_ids=self.facilitated)
        elif principal.role is Role.DISTRICT_EDITOR:
            self.within = queries.PeopleWithin(district_ids=principal.district_ids)

    def scope(self, person_id: uuid.UUID, district_ids: Sequence[uuid.UUID]) -> Scope:
        """The privacy scope of one person: their districts, and this facilitator if the person is theirs."""
        facilitators = [self.principal.person_id] if str(person_id) in self.facilitated else []
        return Scope.of(district_ids, facilitators)


def _people_public(
    session: Session, rows: Sequence[Person], principal: Principal, scoped: _Scoped | None = None
) -> list[PersonPublic]:
    ids = [p.id for p in rows]
    districts = service.person_district_ids(session=session, person_ids=ids)
    organisations = service.person_organisation_ids(session=session, person_ids=ids)
    consents = service.person_consents(session=session, person_ids=ids)
    result = []
    for person in rows:
        body = PersonPublic(
            id=person.id,
            actor_category=person.actor_category,
            erased=person.erased,
            district_ids=districts.get(person.id, []),
            organisation_ids=organisations.get(person.id, []),
            given_name=person.given_name,
            family_name=person.family_name,
            email=person.email,
            phone=person.phone,
            consents=[ConsentPublic.model_validate(c) for c in consents.get(person.id, [])],
            version=person.version,
            created_at=person.created_at,
        )
        scope = scoped.scope(person.id, body.district_ids) if scoped else Scope.of(body.district_ids)
        result.append(view(body, principal, scope))
    return result


@router.get(
    "/people",
    response_model=Page[PersonPublic],
    summary="List people (editors: their districts' people; facilitators: their workshops' people; "
    "others: no names, no search by name)",
    tags=["people"],
    responses=problem_responses(401, 403, 422, 503),
)
def list_people(
    request: Request,
    session: SessionDep,
    principal: PrincipalDep,
    workshops: WorkshopsDep,
    paging: Paging,
    q: SearchQuery = None,
    district_id: uuid.UUID | None = None,
    category: ActorCategory | None = None,
    organisation_id: uuid.UUID | None = None,
) -> Any:
    if q and principal.role not in _SEARCHERS:
        # Searching by name would reveal who is registered: personal data.
        principal.require_authenticated()
        raise ForbiddenError("searching people by name needs a key that may see personal data")
    scoped = _Scoped(principal, request, workshops)
    statement = queries.person_list_statement(
        q=q,
        district_id=district_id,
        category=category,
        organisation_id=organisation_id,
        within=scoped.within,
    )
    rows, next_cursor = paging.rows(session, statement, sort=Person.created_at, tiebreak=Person.id)
    return paging.page(_people_public(session, rows, principal, scoped), next_cursor)


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
    service.require_person_references(
        session=session, principal=principal, organisation_ids=payload.organisation_ids
    )
    if (replay := idempotency.replay(payload)) is not None:
        return replay
    person = service.create_person(session=session, data=payload)
    body = _people_public(session, [person], principal)[0]
    return idempotency.created(response, body, location=f"/people/{person.id}", etag=etag_for(person.version))


@router.get(
    "/people/{person_id}",
    response_model=PersonPublic,
    summary="Get a person (id, category and erased flag for anonymous and integration callers; names and "
    "contacts for the person's district editors and facilitators; 404 for other keys)",
    tags=["people"],
    responses=problem_responses(401, 404, 422, 503),
)
def get_person(
    person_id: uuid.UUID,
    request: Request,
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
    workshops: WorkshopsDep,
) -> Any:
    person = service.get_person(session=session, person_id=person_id)
    scoped = _Scoped(principal, request, workshops)
    body = _people_public(session, [person], principal, scoped)[0]
    if scoped.within is not None and not may_see(principal, scoped.scope(person.id, body.district_ids)):
        raise NotFoundError(f"person {person_id} not found")
    set_etag(response, person.version)
    return body


@router.patch(
    "/people/{person_id}",
    response_model=PersonPublic,
    summary="Change a person (editors of every district the person is in)",
    tags=["people"],
    responses=problem_responses(401, 403, 404, 409, 412, 422),
)
def update_person(
    edit: PersonToChange,
    payload: PersonUpdate,
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
) -> Any:
    require_person_editor(session, principal, edit.row, payload.district_ids or [])
    service.require_person_references(
        session=session, principal=principal, organisation_ids=payload.organisation_ids
    )
    person = service.update_person(
        session=session, person=edit.row, data=payload, expected_version=edit.expected_version
    )
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
    person: PersonForEditor, response: Response, session: SessionDep, principal: PrincipalDep
) -> Any:
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
    person: PersonForEditor,
    payload: ConsentCreate,
    response: Response,
    session: SessionDep,
    idempotency: IdempotencyDep,
) -> Any:
    if (replay := idempotency.replay(payload)) is not None:
        return replay
    consent = service.record_consent(session=session, person=person, data=payload)
    body = ConsentPublic.model_validate(consent)
    return idempotency.created(
        response, body, location=f"/people/{person.id}/consents/{consent.id}", etag=etag_for(person.version)
    )


@router.post(
    "/people/{person_id}/consents/{consent_id}/withdraw",
    response_model=ConsentPublic,
    summary="Withdraw a consent",
    tags=["people"],
    responses=problem_responses(401, 403, 404, 409, 422),
)
def withdraw_person_consent(
    person: PersonForEditor,
    consent_id: uuid.UUID,
    payload: ConsentWithdraw,
    response: Response,
    session: SessionDep,
) -> Any:
    consent = service.withdraw_consent(
        session=session, person=person, consent_id=consent_id, withdrawn_at=payload.withdrawn_at
    )
    set_etag(response, person.version)
    return ConsentPublic.model_validate(consent)
