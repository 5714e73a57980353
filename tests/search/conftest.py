"""Fixtures of the cross-region lists and search tests: the outcomes and participation tests' factories."""

from __future__ import annotations

from tests.participation.conftest import place
from tests.workshops_outcomes.conftest import (
    create_invention,
    create_priority,
    create_process,
    create_workshop,
    outcomes_client,
    registry,
)

__all__ = [
    "create_invention",
    "create_priority",
    "create_process",
    "create_workshop",
    "outcomes_client",
    "place",
    "registry",
]
