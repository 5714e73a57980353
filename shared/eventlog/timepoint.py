"""A point of a bitemporal read: ``as_of`` (valid time, ``occurred_at``) and ``known_at`` (transaction
time, ``recorded_at``). No web framework here: services take a ``TimePoint``; routes build it from the
query (``shared.api.timetravel``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

ROME = ZoneInfo("Europe/Rome")


def moment(value: datetime | date | None) -> datetime | None:
    """A query time as an aware UTC datetime (a date: the last microsecond of that day in Europe/Rome)."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.astimezone(UTC)
    return (
        datetime.combine(value + timedelta(days=1), time.min, tzinfo=ROME) - timedelta(microseconds=1)
    ).astimezone(UTC)


@dataclass(frozen=True)
class TimePoint:
    """Where a read stands in time: both None means "now, as recorded now"."""

    as_of: datetime | None = None
    known_at: datetime | None = None

    @classmethod
    def of(cls, as_of: datetime | date | None, known_at: datetime | date | None) -> TimePoint:
        """From the two query parameters."""
        return cls(as_of=moment(as_of), known_at=moment(known_at))

    def includes(self, occurred_at: datetime, recorded_at: datetime) -> bool:
        """Whether an event with these two times is part of the answer."""
        return (self.as_of is None or occurred_at <= self.as_of) and (
            self.known_at is None or recorded_at <= self.known_at
        )

    def describe(self) -> str:
        """The point in words (for messages)."""
        parts = [
            f"as of {self.as_of.isoformat()}" if self.as_of else "",
            f"known at {self.known_at.isoformat()}" if self.known_at else "",
        ]
        return ", ".join(p for p in parts if p) or "now"

    @property
    def is_now(self) -> bool:
        """Neither time was asked for: the current tables answer."""
        return self.as_of is None and self.known_at is None
