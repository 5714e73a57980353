"""HTTP routes of courses: regional administrators manage them; editions' counts are public, cohorts by scope."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Query, Response
from sqlmodel import Session

from services.registry.courses import queries, service
from services.registry.courses.models import Course, CourseEdition, CourseKind
from services.registry.courses.schemas import (
    AttendanceSet,
    CohortMemberPublic,
    CohortPublic,
    CohortSet,
    CompletionCreate,
    CourseCreate,
    CourseEditionCreate,
    CourseEditionPublic,
    CoursePublic,
    CourseSessionCreate,
    CourseSessionPublic,
)
from shared.api.etag import IfMatch, etag_for, expected_version_from_if_match, set_etag
from shared.api.idempotency import IdempotencyDep
from shared.api.pagination import Page, Paging
from shared.auth.principal import Principal
from shared.deps import PrincipalDep, SessionDep
from shared.errors import problem_responses
from shared.privacy import Scope, view

router = APIRouter()

OPENAPI_TAGS = [
    {
        "name": "courses",
        "description": "Courses for facilitators and tutors (regional training, Alta Formazione, tutors' track): "
        "editions, sessions, cohorts, attendance and completions, which write training records.",
    },
]


def edition_public(session: Session, edition: CourseEdition) -> CourseEditionPublic:
    """An edition with its sessions and counts."""
    rows = service.sessions(session=session, edition=edition)
    counts = service.attended_counts(session=session, session_ids=[s.id for s in rows])
    members = service.members(session=session, edition=edition)
    return CourseEditionPublic.model_validate(
        {
            **edition.model_dump(),
            "sessions": [
                CourseSessionPublic.model_validate({**s.model_dump(), "attended": counts.get(s.id, 0)})
                for s in rows
            ],
            "hours_total": sum(s.hours for s in rows),
            "cohort_size": len(members),
            "completions": sum(1 for m in members if m.completed_at is not None),
        }
    )


def cohort_public(session: Session, edition: CourseEdition, principal: Principal) -> CohortPublic:
    """The cohort; person ids only for callers whose scope holds the member's district."""
    hours = service.attended(session=session, edition=edition)
    members = [
        view(
            CohortMemberPublic(
                person_id=m.person_id,
                district_id=m.district_id,
                attended_hours=hours.get(m.person_id, service.Attended()).hours,
                sessions_attended=hours.get(m.person_id, service.Attended()).sessions,
                completed_at=m.completed_at,
                completion_basis=m.completion_basis,
                training_id=m.training_id,
            ),
            principal,
            Scope.of([m.district_id] if m.district_id else []),
        )
        for m in service.members(session=session, edition=edition)
    ]
    return CohortPublic(
        course_edition_id=edition.id,
        completion_hours=edition.completion_hours,
        members=members,
        version=edition.version,
    )


@router.get(
    "/courses",
    response_model=Page[CoursePublic],
    summary="List courses for facilitators and tutors",
    tags=["courses"],
    responses=problem_responses(422),
)
def list_courses(
    session: SessionDep,
    paging: Paging,
    kind: CourseKind | None = None,
) -> Any:
    statement = queries.course_list_statement(kind=kind)
    rows, next_cursor = paging.rows(session, statement, sort=Course.created_at, tiebreak=Course.id)
    return paging.page([CoursePublic.model_validate(c) for c in rows], next_cursor)


@router.post(
    "/courses",
    status_code=201,
    response_model=CoursePublic,
    summary="Create a course (regional administrators)",
    tags=["courses"],
    responses=problem_responses(401, 403, 422),
)
def create_course(
    payload: CourseCreate,
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
    idempotency: IdempotencyDep,
) -> Any:
    principal.require_admin()
    if (replay := idempotency.replay(payload)) is not None:
        return replay
    course = service.create_course(session=session, data=payload)
    return idempotency.created(
        response,
        CoursePublic.model_validate(course),
        location=f"/courses/{course.id}",
        etag=etag_for(course.version),
    )


@router.get(
    "/courses/{course_id}",
    response_model=CoursePublic,
    summary="Get a course",
    tags=["courses"],
    responses=problem_responses(404, 422),
)
def get_course(course_id: uuid.UUID, response: Response, session: SessionDep) -> Any:
    course = service.get_course(session=session, course_id=course_id)
    set_etag(response, course.version)
    return CoursePublic.model_validate(course)


@router.get(
    "/course-editions",
    response_model=Page[CourseEditionPublic],
    summary="List course editions by course and year, with sessions and counts",
    tags=["courses"],
    responses=problem_responses(422),
)
def list_course_editions(
    session: SessionDep,
    paging: Paging,
    course_id: uuid.UUID | None = None,
    year: Annotated[int | None, Query(ge=1900, le=2200, description="Only editions of this year.")] = None,
) -> Any:
    statement = queries.edition_list_statement(course_id=course_id, year=year)
    rows, next_cursor = paging.rows(
        session, statement, sort=CourseEdition.created_at, tiebreak=CourseEdition.id
    )
    return paging.page([edition_public(session, e) for e in rows], next_cursor)


@router.post(
    "/course-editions",
    status_code=201,
    response_model=CourseEditionPublic,
    summary="Create an edition of a course with the hours that complete it (regional administrators)",
    tags=["courses"],
    responses=problem_responses(401, 403, 404, 422),
)
def create_course_edition(
    payload: CourseEditionCreate,
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
    idempotency: IdempotencyDep,
) -> Any:
    principal.require_admin()
    if (replay := idempotency.replay(payload)) is not None:
        return replay
    edition = service.create_edition(session=session, data=payload)
    return idempotency.created(
        response,
        edition_public(session, edition),
        location=f"/course-editions/{edition.id}",
        etag=etag_for(edition.version),
    )


@router.get(
    "/course-editions/{course_edition_id}",
    response_model=CourseEditionPublic,
    summary="Get a course edition with its sessions and counts",
    tags=["courses"],
    responses=problem_responses(404, 422),
)
def get_course_edition(course_edition_id: uuid.UUID, response: Response, session: SessionDep) -> Any:
    edition = service.get_edition(session=session, course_edition_id=course_edition_id)
    set_etag(response, edition.version)
    return edition_public(session, edition)


@router.post(
    "/course-editions/{course_edition_id}/sessions",
    status_code=201,
    response_model=CourseSessionPublic,
    summary="Add a session (date, place, hours) to a course edition (regional administrators)",
    tags=["courses"],
    responses=problem_responses(401, 403, 404, 409, 422),
)
def add_course_session(
    course_edition_id: uuid.UUID,
    payload: CourseSessionCreate,
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
    idempotency: IdempotencyDep,
) -> Any:
    principal.require_admin()
    edition = service.get_edition(session=session, course_edition_id=course_edition_id)
    if (replay := idempotency.replay(payload)) is not None:
        return replay
    row = service.add_session(session=session, edition=edition, data=payload)
    return idempotency.created(
        response,
        CourseSessionPublic.model_validate(row),
        location=f"/course-editions/{edition.id}/sessions/{row.id}",
        etag=etag_for(edition.version),
    )


@router.get(
    "/course-editions/{course_edition_id}/cohort",
    response_model=CohortPublic,
    summary="The cohort of a course edition: attended hours and completions (people by scope)",
    tags=["courses"],
    responses=problem_responses(404, 422),
)
def get_course_cohort(
    course_edition_id: uuid.UUID, response: Response, session: SessionDep, principal: PrincipalDep
) -> Any:
    edition = service.get_edition(session=session, course_edition_id=course_edition_id)
    set_etag(response, edition.version)
    return cohort_public(session, edition, principal)


@router.post(
    "/course-editions/{course_edition_id}/cohort",
    status_code=201,
    response_model=CohortPublic,
    summary="Add people of the registry to the cohort of a course edition (regional administrators)",
    tags=["courses"],
    responses=problem_responses(401, 403, 404, 409, 422),
)
def add_course_cohort_members(
    course_edition_id: uuid.UUID,
    payload: CohortSet,
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
    idempotency: IdempotencyDep,
) -> Any:
    principal.require_admin()
    edition = service.get_edition(session=session, course_edition_id=course_edition_id)
    if (replay := idempotency.replay(payload)) is not None:
        return replay
    service.add_to_cohort(session=session, edition=edition, person_ids=payload.person_ids)
    return idempotency.created(
        response,
        cohort_public(session, edition, principal),
        location=f"/course-editions/{edition.id}/cohort",
        etag=etag_for(edition.version),
    )


@router.put(
    "/course-editions/{course_edition_id}/cohort",
    response_model=CohortPublic,
    summary="Set the cohort of a course edition: people of the registry (regional administrators)",
    tags=["courses"],
    responses=problem_responses(401, 403, 404, 409, 412, 422),
)
def set_course_cohort(
    course_edition_id: uuid.UUID,
    payload: CohortSet,
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
    if_match: IfMatch = None,
) -> Any:
    principal.require_admin()
    edition = service.get_edition(session=session, course_edition_id=course_edition_id)
    expected_version_from_if_match(if_match, edition.version)
    service.set_cohort(session=session, edition=edition, person_ids=payload.person_ids)
    set_etag(response, edition.version)
    return cohort_public(session, edition, principal)


@router.put(
    "/course-editions/{course_edition_id}/sessions/{session_id}/attendance",
    response_model=CohortPublic,
    summary="Record who of the cohort attended a session of a course edition (regional administrators)",
    tags=["courses"],
    responses=problem_responses(401, 403, 404, 409, 412, 422),
)
def record_course_attendance(
    course_edition_id: uuid.UUID,
    session_id: uuid.UUID,
    payload: AttendanceSet,
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
    if_match: IfMatch = None,
) -> Any:
    principal.require_admin()
    edition = service.get_edition(session=session, course_edition_id=course_edition_id)
    course_session = service.get_session(session=session, edition=edition, session_id=session_id)
    expected_version_from_if_match(if_match, edition.version)
    service.set_attendance(
        session=session, edition=edition, course_session=course_session, person_ids=payload.person_ids
    )
    set_etag(response, edition.version)
    return cohort_public(session, edition, principal)


@router.post(
    "/course-editions/{course_edition_id}/completions",
    status_code=201,
    response_model=CohortMemberPublic,
    summary="Complete a cohort member (on attended hours, or marked) and write their training record",
    tags=["courses"],
    responses=problem_responses(401, 403, 404, 409, 422),
)
def complete_course_member(
    course_edition_id: uuid.UUID,
    payload: CompletionCreate,
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
    idempotency: IdempotencyDep,
) -> Any:
    principal.require_admin()
    edition = service.get_edition(session=session, course_edition_id=course_edition_id)
    if (replay := idempotency.replay(payload)) is not None:
        return replay
    member = service.complete_member(
        session=session, edition=edition, person_id=payload.person_id, basis=payload.basis
    )
    done = service.attended(session=session, edition=edition).get(member.person_id, service.Attended())
    body = CohortMemberPublic(
        person_id=member.person_id,
        district_id=member.district_id,
        attended_hours=done.hours,
        sessions_attended=done.sessions,
        completed_at=member.completed_at,
        completion_basis=member.completion_basis,
        training_id=member.training_id,
    )
    return idempotency.created(
        response,
        body,
        location=f"/course-editions/{edition.id}/cohort",
        etag=etag_for(edition.version),
    )
