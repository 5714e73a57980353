"""Rules of courses: every change appends its event in the caller's session; completions write training records."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import delete
from sqlmodel import Session, col

from services.registry.common.service import unique
from services.registry.courses import events as ev
from services.registry.courses import queries
from services.registry.courses.models import (
    CohortMember,
    CompletionBasis,
    Course,
    CourseEdition,
    CourseKind,
    CourseSession,
    SessionAttendance,
)
from services.registry.courses.schemas import CourseCreate, CourseEditionCreate, CourseSessionCreate
from services.registry.facilitators import service as facilitators
from services.registry.facilitators.models import FacilitatorKind, FacilitatorProfile
from services.registry.facilitators.schemas import FacilitatorCreate, TrainingCreate
from services.registry.people.models import Person
from services.registry.people.service import get_person, person_district_ids, require_not_erased
from shared.db import utcnow
from shared.errors import ConflictError, FieldError, NotFoundError, ValidationFailed
from shared.eventlog import NewEvent, append_to


def get_course(*, session: Session, course_id: uuid.UUID) -> Course:
    """The course, or NotFoundError."""
    course = session.get(Course, course_id)
    if course is None:
        raise NotFoundError(f"course {course_id} does not exist", course_id=str(course_id))
    return course


def get_edition(*, session: Session, course_edition_id: uuid.UUID) -> CourseEdition:
    """The course edition, or NotFoundError."""
    edition = session.get(CourseEdition, course_edition_id)
    if edition is None:
        raise NotFoundError(
            f"course edition {course_edition_id} does not exist", course_edition_id=str(course_edition_id)
        )
    return edition


def get_session(*, session: Session, edition: CourseEdition, session_id: uuid.UUID) -> CourseSession:
    """A session of this edition, or NotFoundError."""
    row = session.get(CourseSession, session_id)
    if row is None or row.course_edition_id != edition.id:
        raise NotFoundError(
            f"session {session_id} is not a session of this edition", session_id=str(session_id)
        )
    return row


def create_course(*, session: Session, data: CourseCreate) -> Course:
    """Create a course (course.created)."""
    course = Course(kind=data.kind, title=data.title, provider=data.provider)
    session.add(course)
    session.flush()
    payload = ev.CourseCreated(
        course_id=str(course.id), kind=course.kind.value, title=course.title, provider=course.provider
    )
    append_to(
        session,
        row=course,
        stream_type=ev.COURSE,
        new_events=[NewEvent(ev.COURSE_CREATED, payload.dump())],
        expected_version=0,
        district_id=None,
    )
    return course


def _emit_edition(session: Session, edition: CourseEdition, event_type: str, payload: ev._Payload) -> None:
    append_to(
        session,
        row=edition,
        stream_type=ev.COURSE_EDITION,
        new_events=[NewEvent(event_type, payload.dump())],
        expected_version=edition.version,
        district_id=None,
    )


def create_edition(*, session: Session, data: CourseEditionCreate) -> CourseEdition:
    """Create an edition of a course (course.edition_created)."""
    course = get_course(session=session, course_id=data.course_id)
    edition = CourseEdition(
        course_id=course.id,
        title=data.title,
        year=data.year,
        starts_on=data.starts_on,
        ends_on=data.ends_on,
        completion_hours=data.completion_hours,
    )
    session.add(edition)
    session.flush()
    _emit_edition(
        session,
        edition,
        ev.COURSE_EDITION_CREATED,
        ev.CourseEditionCreated(
            course_edition_id=str(edition.id),
            course_id=str(course.id),
            kind=course.kind.value,
            title=edition.title,
            year=edition.year,
            starts_on=edition.starts_on.isoformat() if edition.starts_on else None,
            ends_on=edition.ends_on.isoformat() if edition.ends_on else None,
            completion_hours=edition.completion_hours,
        ),
    )
    session.flush()
    return edition


def add_session(*, session: Session, edition: CourseEdition, data: CourseSessionCreate) -> CourseSession:
    """Add a session to an edition (course.session_added)."""
    row = CourseSession(
        course_edition_id=edition.id, held_on=data.held_on, place=data.place, hours=data.hours
    )
    session.add(row)
    session.flush()
    _emit_edition(
        session,
        edition,
        ev.COURSE_SESSION_ADDED,
        ev.CourseSessionAdded(
            course_edition_id=str(edition.id),
            session_id=str(row.id),
            held_on=row.held_on.isoformat(),
            hours=row.hours,
        ),
    )
    session.flush()
    return row


def sessions(*, session: Session, edition: CourseEdition) -> list[CourseSession]:
    """The sessions of an edition, by date."""
    return list(session.exec(queries.sessions_of(edition.id)).all())


def members(*, session: Session, edition: CourseEdition) -> list[CohortMember]:
    """The cohort of an edition."""
    return list(session.exec(queries.members_of(edition.id)).all())


def attended_counts(*, session: Session, session_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, int]:
    """How many attended each session."""
    if not session_ids:
        return {}
    return {sid: int(n) for sid, n in session.exec(queries.attended_counts(session_ids)).all()}


@dataclass(frozen=True)
class Attended:
    """A member's attended hours and sessions."""

    hours: int = 0
    sessions: int = 0


def attended(*, session: Session, edition: CourseEdition) -> dict[uuid.UUID, Attended]:
    """Attended hours and sessions of each person of an edition."""
    rows = sessions(session=session, edition=edition)
    hours = {s.id: s.hours for s in rows}
    totals: dict[uuid.UUID, list[int]] = defaultdict(lambda: [0, 0])
    if hours:
        for mark in session.exec(queries.attendance_of(list(hours))).all():
            totals[mark.person_id][0] += hours[mark.session_id]
            totals[mark.person_id][1] += 1
    return {person: Attended(hours=h, sessions=n) for person, (h, n) in totals.items()}


def _require_people(session: Session, person_ids: Sequence[uuid.UUID], path: str) -> list[Person]:
    people: list[Person] = []
    missing: list[FieldError] = []
    for i, person_id in enumerate(person_ids):
        person = session.get(Person, person_id)
        if person is None or person.erased:
            missing.append(FieldError(path=f"{path}[{i}]", message=f"person {person_id} does not exist"))
        else:
            people.append(person)
    if missing:
        raise ValidationFailed("unknown people", errors=missing)
    return people


def set_cohort(
    *, session: Session, edition: CourseEdition, person_ids: Sequence[uuid.UUID]
) -> list[CohortMember]:
    """Replace the cohort (course.cohort_set); a member who completed cannot be removed (409)."""
    wanted = unique(person_ids)
    _require_people(session, wanted, "body.person_ids")
    current = {m.person_id: m for m in members(session=session, edition=edition)}
    for person_id, member in current.items():
        if person_id not in wanted and member.completed_at is not None:
            raise ConflictError(
                f"person {person_id} completed this edition and stays in its cohort", person_id=str(person_id)
            )
    districts = person_district_ids(session=session, person_ids=wanted)
    for person_id, member in current.items():
        if person_id not in wanted:
            session.delete(member)
    session.flush()
    session_ids = [s.id for s in sessions(session=session, edition=edition)]
    removed = [p for p in current if p not in wanted]
    if session_ids and removed:
        session.exec(  # type: ignore[call-overload]
            delete(SessionAttendance).where(
                col(SessionAttendance.session_id).in_(session_ids),
                col(SessionAttendance.person_id).in_(removed),
            )
        )
    for person_id in wanted:
        if person_id not in current:
            own = districts.get(person_id) or []
            session.add(
                CohortMember(
                    course_edition_id=edition.id, person_id=person_id, district_id=own[0] if own else None
                )
            )
    session.flush()
    result = members(session=session, edition=edition)
    _emit_edition(
        session,
        edition,
        ev.COURSE_COHORT_SET,
        ev.CourseCohortSet(
            course_edition_id=str(edition.id),
            members=[
                ev.CohortMemberRef(
                    person_id=str(m.person_id), district_id=str(m.district_id) if m.district_id else None
                )
                for m in result
            ],
        ),
    )
    session.flush()
    return result


def add_to_cohort(
    *, session: Session, edition: CourseEdition, person_ids: Sequence[uuid.UUID]
) -> list[CohortMember]:
    """Add people to the cohort (course.cohort_set with the whole new cohort)."""
    _require_people(session, list(person_ids), "body.person_ids")
    current = [m.person_id for m in members(session=session, edition=edition)]
    return set_cohort(session=session, edition=edition, person_ids=[*current, *person_ids])


def set_attendance(
    *,
    session: Session,
    edition: CourseEdition,
    course_session: CourseSession,
    person_ids: Sequence[uuid.UUID],
) -> list[uuid.UUID]:
    """Replace who attended a session (course.attendance_recorded); only members of the cohort (422)."""
    wanted = unique(person_ids)
    cohort = {m.person_id for m in members(session=session, edition=edition)}
    outside = [
        FieldError(path=f"body.person_ids[{i}]", message=f"person {p} is not in this edition's cohort")
        for i, p in enumerate(person_ids)
        if p not in cohort
    ]
    if outside:
        raise ValidationFailed("attendance names people outside the cohort", errors=outside)
    session.exec(delete(SessionAttendance).where(col(SessionAttendance.session_id) == course_session.id))  # type: ignore[call-overload]
    for person_id in wanted:
        session.add(SessionAttendance(session_id=course_session.id, person_id=person_id))
    session.flush()
    _emit_edition(
        session,
        edition,
        ev.COURSE_ATTENDANCE_RECORDED,
        ev.CourseAttendanceRecorded(
            course_edition_id=str(edition.id),
            session_id=str(course_session.id),
            hours=course_session.hours,
            person_ids=[str(p) for p in wanted],
        ),
    )
    session.flush()
    return wanted


def _profile_for(session: Session, person: Person, course: Course) -> FacilitatorProfile:
    """The person's facilitator profile, made on first completion (a tutor after the tutors' track)."""
    profile = session.get(FacilitatorProfile, person.id)
    if profile is not None:
        return profile
    kind = FacilitatorKind.TUTOR if course.kind is CourseKind.TUTORS_TRACK else FacilitatorKind.FACILITATOR
    district_ids = person_district_ids(session=session, person_ids=[person.id]).get(person.id, [])
    return facilitators.create_facilitator(
        session=session,
        person=person,
        data=FacilitatorCreate(person_id=person.id, kind=kind, district_ids=district_ids),
    )


def complete_member(
    *, session: Session, edition: CourseEdition, person_id: uuid.UUID, basis: CompletionBasis
) -> CohortMember:
    """Complete a cohort member and write the training record it produces (course.completion_recorded).

    ``hours``: the member attended at least the edition's ``completion_hours`` (409 otherwise);
    ``marked``: the course's editor says so. Completing twice is a 409.
    """
    member = session.get(CohortMember, (edition.id, person_id))
    if member is None:
        raise ValidationFailed(
            "not in the cohort",
            errors=[
                FieldError(
                    path="body.person_id", message=f"person {person_id} is not in this edition's cohort"
                )
            ],
        )
    if member.completed_at is not None:
        raise ConflictError(f"person {person_id} already completed this edition", person_id=str(person_id))
    hours = attended(session=session, edition=edition).get(person_id, Attended()).hours
    if basis is CompletionBasis.HOURS and hours < edition.completion_hours:
        raise ConflictError(
            f"person {person_id} attended {hours} of the {edition.completion_hours} hours that complete the edition",
            person_id=str(person_id),
            attended_hours=hours,
        )
    person = get_person(session=session, person_id=person_id)
    require_not_erased(person)
    course = get_course(session=session, course_id=edition.course_id)
    profile = _profile_for(session, person, course)
    training = facilitators.record_training(
        session=session,
        person=person,
        profile=profile,
        data=TrainingCreate(
            course=f"{course.title} ({edition.title})"[:200],
            year=edition.year,
            hours=hours,
            provider=course.provider,
        ),
    )
    member.completed_at = utcnow()
    member.completion_basis = basis
    member.training_id = training.id
    _emit_edition(
        session,
        edition,
        ev.COURSE_COMPLETION_RECORDED,
        ev.CourseCompletionRecorded(
            course_edition_id=str(edition.id),
            person_id=str(person_id),
            district_id=str(member.district_id) if member.district_id else None,
            basis=basis.value,
            attended_hours=hours,
            training_id=str(training.id),
        ),
    )
    session.flush()
    return member
