"""Statements that read courses, editions, sessions and attendance."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.sql.expression import Select, SelectOfScalar

from services.registry.courses.models import (
    CohortMember,
    Course,
    CourseEdition,
    CourseKind,
    CourseSession,
    SessionAttendance,
)


def course_list_statement(*, kind: CourseKind | None) -> SelectOfScalar[Course]:
    """Select courses, by kind."""
    statement = select(Course)
    if kind is not None:
        statement = statement.where(Course.kind == kind)
    return statement


def edition_list_statement(*, course_id: uuid.UUID | None, year: int | None) -> SelectOfScalar[CourseEdition]:
    """Select editions by course and year."""
    statement = select(CourseEdition)
    if course_id is not None:
        statement = statement.where(CourseEdition.course_id == course_id)
    if year is not None:
        statement = statement.where(CourseEdition.year == year)
    return statement


def sessions_of(edition_id: uuid.UUID) -> SelectOfScalar[CourseSession]:
    """The sessions of an edition, by date."""
    return (
        select(CourseSession)
        .where(CourseSession.course_edition_id == edition_id)
        .order_by(col(CourseSession.held_on), col(CourseSession.id))
    )


def members_of(edition_id: uuid.UUID) -> SelectOfScalar[CohortMember]:
    """The cohort of an edition."""
    return (
        select(CohortMember)
        .where(CohortMember.course_edition_id == edition_id)
        .order_by(col(CohortMember.person_id))
    )


def attendance_of(session_ids: Sequence[uuid.UUID]) -> SelectOfScalar[SessionAttendance]:
    """Attendance rows of some sessions."""
    return select(SessionAttendance).where(col(SessionAttendance.session_id).in_(session_ids))


def attended_counts(session_ids: Sequence[uuid.UUID]) -> Select[tuple[uuid.UUID, int]]:
    """How many attended each session."""
    return (
        select(SessionAttendance.session_id, func.count())
        .where(col(SessionAttendance.session_id).in_(session_ids))
        .group_by(col(SessionAttendance.session_id))
    )
