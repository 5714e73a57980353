"""Bodies shared by the sessions topics: bounded text types and examples."""

from __future__ import annotations

import uuid
from typing import Annotated

from pydantic import AfterValidator, Field

# People are referenced by registry id only (checked against the registry on write).
PersonId = uuid.UUID


def _no_nul(value: str) -> str:
    # PostgreSQL text and JSONB cannot hold NUL: refuse it as a 422 instead of failing at insert.
    if "\x00" in value:
        raise ValueError("text must not contain NUL characters")
    return value


ListText = Annotated[str, Field(min_length=1, max_length=2000), AfterValidator(_no_nul)]
SlotLabel = Annotated[str, Field(min_length=1, max_length=100), AfterValidator(_no_nul)]
ThemeText = Annotated[str, Field(max_length=200), AfterValidator(_no_nul)]
Note = Annotated[str, Field(max_length=2000), AfterValidator(_no_nul)]

EXAMPLE_PERSON = "5b1d6c1e-3f7a-4a59-9a63-0c8f0f1e2d3c"
EXAMPLE_WORKSHOP = "8a6e0b52-2f3c-4d1f-b6a3-5c2e9d7a1b40"
EXAMPLE_TOPIC = "0f2b7c9e-1d4a-4e8b-9c3f-6a5d2e1b7c80"
