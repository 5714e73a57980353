"""Projection "courses": editions of courses, their cohorts, sessions, attendance and completions.

Person ids are kept only to sum each member's hours; reports and open data show counts per district.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sqlmodel import Session, SQLModel

from services.reporting.models import CourseEditionView, CourseSessionView, CourseView
from services.reporting.projections.base import (
    Handler,
    Projection,
    as_date,
    as_int,
    as_uuid,
    entity_id,
    get_or_new,
    text,
)
from shared.eventlog import RecordedEvent


class CoursesProjection(Projection):
    """Courses, editions and sessions, keyed by the ids the registry's course events carry."""

    name = "courses"
    tables = (CourseView, CourseEditionView, CourseSessionView)

    def handlers(self) -> dict[str, Handler]:
        """Event type -> handler."""
        return {
            "course.created": self.course_created,
            "course.edition_created": self.edition_created,
            "course.session_added": self.session_added,
            "course.cohort_set": self.cohort_set,
            "course.attendance_recorded": self.attendance,
            "course.completion_recorded": self.completion,
        }

    def keys(self, event: RecordedEvent) -> Iterator[tuple[type[SQLModel], Any]]:
        """The rows an event writes."""
        if event.type == "course.created":
            yield CourseView, entity_id(event, "course_id")
        elif event.type in ("course.session_added", "course.attendance_recorded"):
            yield CourseSessionView, as_uuid(event.payload.get("session_id"))
        else:
            yield CourseEditionView, entity_id(event, "course_edition_id")

    def course_created(self, session: Session, event: RecordedEvent) -> None:
        """A course."""
        course_id = entity_id(event, "course_id")
        if course_id is None:
            return
        row = get_or_new(session, CourseView, course_id, id=course_id)
        row.kind = text(event.payload.get("kind"), 64)
        row.title = text(event.payload.get("title"))

    def edition_created(self, session: Session, event: RecordedEvent) -> None:
        """An edition of a course."""
        edition_id = entity_id(event, "course_edition_id")
        if edition_id is None:
            return
        row = get_or_new(session, CourseEditionView, edition_id, id=edition_id)
        row.course_id = as_uuid(event.payload.get("course_id"))
        row.kind = text(event.payload.get("kind"), 64)
        row.title = text(event.payload.get("title"))
        row.year = as_int(event.payload.get("year"))
        row.completion_hours = as_int(event.payload.get("completion_hours")) or 0

    def session_added(self, session: Session, event: RecordedEvent) -> None:
        """A session and its hours."""
        session_id = as_uuid(event.payload.get("session_id"))
        if session_id is None:
            return
        row = get_or_new(session, CourseSessionView, session_id, id=session_id)
        row.course_edition_id = entity_id(event, "course_edition_id")
        row.held_on = as_date(event.payload.get("held_on"))
        row.hours = as_int(event.payload.get("hours")) or 0

    def cohort_set(self, session: Session, event: RecordedEvent) -> None:
        """The whole cohort replaces the previous one."""
        edition_id = entity_id(event, "course_edition_id")
        if edition_id is None:
            return
        row = get_or_new(session, CourseEditionView, edition_id, id=edition_id)
        members = event.payload.get("members")
        row.members = {
            str(m["person_id"]): m.get("district_id")
            for m in (members if isinstance(members, list) else [])
            if isinstance(m, dict) and as_uuid(m.get("person_id"))
        }

    def attendance(self, session: Session, event: RecordedEvent) -> None:
        """The whole attendance of a session replaces the previous list."""
        session_id = as_uuid(event.payload.get("session_id"))
        if session_id is None:
            return
        row = get_or_new(session, CourseSessionView, session_id, id=session_id)
        row.course_edition_id = entity_id(event, "course_edition_id")
        row.hours = as_int(event.payload.get("hours")) or row.hours
        ids = event.payload.get("person_ids")
        row.person_ids = [str(i) for i in ids if as_uuid(i)] if isinstance(ids, list) else []

    def completion(self, session: Session, event: RecordedEvent) -> None:
        """A member completed (keyed by person, so a replay changes nothing)."""
        edition_id = entity_id(event, "course_edition_id")
        person_id = as_uuid(event.payload.get("person_id"))
        if edition_id is None or person_id is None:
            return
        row = get_or_new(session, CourseEditionView, edition_id, id=edition_id)
        row.completions = {
            **row.completions,
            str(person_id): {
                "district_id": event.payload.get("district_id"),
                "basis": text(event.payload.get("basis"), 16),
            },
        }
