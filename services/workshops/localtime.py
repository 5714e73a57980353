"""Europe/Rome: the zone people of the workshops read and write their dates in."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

ROME = ZoneInfo("Europe/Rome")


def to_rome(value: datetime) -> str:
    """An aware timestamp as Europe/Rome local ISO 8601 (for people reading the API)."""
    return value.astimezone(ROME).isoformat()
