"""The batch store's SQLite value conversions equal the column types' own bind processing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy.dialects import sqlite

from services.reporting.models import TimelineEntry
from services.reporting.projections.base import _sqlite_processor, sqlite_utc_datetime

DIALECT = sqlite.dialect()


@pytest.mark.parametrize(
    "value",
    [
        None,
        datetime(2024, 3, 5, 10, 0, 0, tzinfo=UTC),
        datetime(2024, 3, 5, 10, 0, 0, 1, tzinfo=timezone(timedelta(hours=2))),
        datetime(1999, 12, 31, 23, 59, 59, 999999, tzinfo=timezone(timedelta(hours=-5))),
        datetime(2026, 12, 4, 18, 44, 52, 123456, tzinfo=UTC),
    ],
)
def test_utc_timestamps_are_written_as_the_column_type_writes_them(value: datetime | None) -> None:
    column = TimelineEntry.__table__.c["occurred_at"]  # type: ignore[attr-defined]
    generic = column.type.dialect_impl(DIALECT).bind_processor(DIALECT)
    fast = _sqlite_processor(column, DIALECT)
    assert fast is sqlite_utc_datetime
    assert fast(value) == generic(value)


def test_naive_timestamps_are_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        sqlite_utc_datetime(datetime(2024, 3, 5, 10, 0, 0))
