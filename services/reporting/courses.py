"""Course figures: per edition and district, the cohort, the hours attended and the completions (counts only)."""

from __future__ import annotations

import uuid
from collections import defaultdict
from typing import Any

from sqlmodel import Session

from services.reporting import queries
from services.reporting.models import CourseEditionView, CourseSessionView, CourseView

COURSE_FIGURE_FIELDS: list[tuple[str, str, str]] = [
    ("id", "string", "Row id (one per course edition and district)"),
    ("course_edition_id", "string", "Course edition id"),
    ("course_id", "string", "Course id"),
    ("kind", "string", "regional_facilitation_training, advanced_university_course or tutors_track"),
    ("course_title", "string", "Course title"),
    ("edition_title", "string", "Edition title"),
    ("year", "integer", "Year of the edition"),
    ("district_id", "string", "District the members count for (empty: none recorded)"),
    ("cohort", "integer", "People in the cohort"),
    ("attended_hours", "integer", "Hours attended by the cohort, summed"),
    ("completions", "integer", "People who completed the edition"),
]


def _row_id(edition_id: uuid.UUID, district_id: str | None) -> uuid.UUID:
    return uuid.uuid5(edition_id, district_id or "-")


def course_figures(*, session: Session) -> list[dict[str, Any]]:
    """One row per course edition and district of its members, by year, course title and edition."""
    courses = {c.id: c for c in session.exec(queries.all_of(CourseView))}
    hours_by_edition: dict[uuid.UUID, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for row in session.exec(queries.all_of(CourseSessionView)):
        if row.course_edition_id is None:
            continue
        for person_id in row.person_ids:
            hours_by_edition[row.course_edition_id][str(person_id)] += row.hours
    result = []
    for edition in session.exec(queries.by_id(CourseEditionView)):
        course = courses.get(edition.course_id) if edition.course_id else None
        per_district: dict[str | None, dict[str, int]] = defaultdict(
            lambda: {"cohort": 0, "attended_hours": 0, "completions": 0}
        )
        hours = hours_by_edition.get(edition.id, {})
        for person_id, district_id in edition.members.items():
            figures = per_district[district_id]
            figures["cohort"] += 1
            figures["attended_hours"] += hours.get(person_id, 0)
        for person_id, completion in edition.completions.items():
            district_id = completion.get("district_id") if isinstance(completion, dict) else None
            per_district[edition.members.get(person_id, district_id)]["completions"] += 1
        for district_id, figures in per_district.items():
            result.append(
                {
                    "id": str(_row_id(edition.id, district_id)),
                    "course_edition_id": str(edition.id),
                    "course_id": str(edition.course_id) if edition.course_id else None,
                    "kind": edition.kind or (course.kind if course else ""),
                    "course_title": course.title if course else "",
                    "edition_title": edition.title,
                    "year": edition.year,
                    "district_id": district_id,
                    **figures,
                }
            )
    result.sort(key=lambda r: (r["year"] or 0, r["course_title"], r["edition_title"], r["district_id"] or ""))
    return result
