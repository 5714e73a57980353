"""One rounding rule for every number a person reads: half away from zero, on the decimal value written.

Python's ``round`` rounds floats half to even on their binary value (``round(3.25, 1) == 3.2``,
``round(2.675, 2) == 2.67``), so the same mean could read 3,25 in the Diario and 3,2 on the dashboard. The
API's JSON, the Diario and the dashboard all round with :func:`round_half_up`, to these places.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

MEAN_PLACES = 2
"""Means of evaluation scales (3,25 out of 5)."""

RATE_PLACES = 1
"""Rates such as people per 10,000 residents (12,5)."""


def round_half_up(value: float, places: int) -> float:
    """``value`` rounded to ``places`` decimals, halves away from zero (3.25 -> 3.3 at one place)."""
    quantum = Decimal(1).scaleb(-places)
    return float(Decimal(repr(value)).quantize(quantum, rounding=ROUND_HALF_UP))
