"""The two times a read can be asked at: ``as_of`` (valid time) and ``known_at`` (transaction time).

``as_of`` answers "how things stood at that time", with every correction recorded since applied from its
valid time on (the sitting date of a decision, the day of a workshop); ``known_at`` answers "what the log
knew then", ignoring anything recorded later. Both together: "how things stood at ``as_of`` as we knew it
on ``known_at``". A bare date means the end of that day in Europe/Rome.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Any

from fastapi import Query
from pydantic import AfterValidator, AwareDatetime, BeforeValidator, WithJsonSchema

from shared.api.schemas import check_date_range
from shared.eventlog.timepoint import TimePoint, moment

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _date_as_end_of_day(value: Any) -> Any:
    # A bare date means the end of that day in Europe/Rome; anything else is parsed as a datetime.
    if isinstance(value, str) and _DATE.match(value):
        try:
            day = date.fromisoformat(value)
        except ValueError:
            return value
        check_date_range(day)  # before any arithmetic: 9999-12-31 is refused, not overflowed
        return moment(day)
    return value


QueryTime = Annotated[
    AwareDatetime,
    BeforeValidator(_date_as_end_of_day),
    AfterValidator(check_date_range),
    # Documented as what it accepts (a date-time or a date), so both examples below are valid for linters.
    WithJsonSchema(
        {"anyOf": [{"type": "string", "format": "date-time"}, {"type": "string", "format": "date"}]}
    ),
]
"""A query time: an ISO 8601 date and time with zone, or a date (the end of that day, Europe/Rome)."""

__all__ = ["AsOfQuery", "KnownAtQuery", "QueryTime", "TimePoint", "moment"]

AS_OF_DESCRIPTION = (
    "Valid time: the record as it stood at this time, corrections recorded later included from the time "
    "they apply to (a decision from its sitting date, an attendance fix from the workshop's day). An ISO "
    "8601 date and time with zone, or a date (the end of that day, Europe/Rome)."
)
KNOWN_AT_DESCRIPTION = (
    "Transaction time: only what had been recorded by this time (what we knew then); anything recorded "
    "later is ignored. Same formats as `as_of`; combine both for 'as it stood then, as we knew it on ...'."
)

AsOfQuery = Annotated[
    QueryTime | None,
    Query(
        description=AS_OF_DESCRIPTION,
        openapi_examples={
            "end_of_2019": {"summary": "At the end of 2019", "value": "2019-12-31"},
            "a_moment": {"summary": "At a moment (with zone)", "value": "2019-06-30T18:00:00+02:00"},
        },
    ),
]
KnownAtQuery = Annotated[
    QueryTime | None,
    Query(
        description=KNOWN_AT_DESCRIPTION,
        openapi_examples={
            "first_of_march_2020": {"summary": "As we knew it on 1 March 2020", "value": "2020-03-01"},
            "a_moment": {"summary": "As recorded by a moment", "value": "2020-03-01T09:30:00Z"},
        },
    ),
]
