"""Pieces of request bodies more than one registry domain uses: example ids, years, periods."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from pydantic import Field

from shared.errors import FieldRule

EXAMPLE_DISTRICT = "3f2b1c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d"
EXAMPLE_PERSON = "5c6d7e8f-9a0b-4c1d-8e2f-3a4b5c6d7e8f"
EXAMPLE_PROCESS = "9d8c7b6a-5f4e-4d3c-8b2a-1f0e9d8c7b6a"

Year = Annotated[int, Field(ge=1900, le=2200)]


def check_period(valid_from: date | None, valid_to: date | None, field: str = "valid_to") -> None:
    """FieldRule (a ValueError at ``field``) when ``valid_to`` is before ``valid_from``."""
    if valid_from and valid_to and valid_to < valid_from:
        raise FieldRule(field, f"{field} must not be before valid_from")
