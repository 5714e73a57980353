"""Events of courses: ids, dates, hours and counts; people appear by id only (no names, ever)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict

COURSE = "course"
COURSE_EDITION = "course_edition"

COURSE_CREATED = "course.created"
COURSE_EDITION_CREATED = "course.edition_created"
COURSE_SESSION_ADDED = "course.session_added"
COURSE_COHORT_SET = "course.cohort_set"
COURSE_ATTENDANCE_RECORDED = "course.attendance_recorded"
COURSE_COMPLETION_RECORDED = "course.completion_recorded"


class _Payload(BaseModel):
    model_config = ConfigDict(extra="forbid")

    def dump(self) -> dict[str, Any]:
        """JSON-native payload."""
        return self.model_dump(mode="json")


class CourseCreated(_Payload):
    """A course was created (its title is the course's, not a person's)."""

    course_id: str
    kind: str
    title: str
    provider: str


class CourseEditionCreated(_Payload):
    """An edition of a course was created."""

    course_edition_id: str
    course_id: str
    kind: str
    title: str
    year: int
    starts_on: str | None
    ends_on: str | None
    completion_hours: int


class CourseSessionAdded(_Payload):
    """A session was added to an edition."""

    course_edition_id: str
    session_id: str
    held_on: str
    hours: int


class CohortMemberRef(_Payload):
    """A member of a cohort by id, and the district they count for."""

    person_id: str
    district_id: str | None


class CourseCohortSet(_Payload):
    """The whole cohort of an edition (replaces the previous one)."""

    course_edition_id: str
    members: list[CohortMemberRef]


class CourseAttendanceRecorded(_Payload):
    """The whole attendance of one session (replaces the previous one)."""

    course_edition_id: str
    session_id: str
    hours: int
    person_ids: list[str]


class CourseCompletionRecorded(_Payload):
    """A member completed an edition; ``training_id`` is the training record it produced."""

    course_edition_id: str
    person_id: str
    district_id: str | None
    basis: str
    attended_hours: int
    training_id: str


PAYLOADS: dict[str, type[BaseModel]] = {
    COURSE_CREATED: CourseCreated,
    COURSE_EDITION_CREATED: CourseEditionCreated,
    COURSE_SESSION_ADDED: CourseSessionAdded,
    COURSE_COHORT_SET: CourseCohortSet,
    COURSE_ATTENDANCE_RECORDED: CourseAttendanceRecorded,
    COURSE_COMPLETION_RECORDED: CourseCompletionRecorded,
}
