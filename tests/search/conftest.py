"""Fixtures of the cross-region lists and search tests: the outcomes tests' factories, all through the APIs."""

from __future__ import annotations

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
    "registry",
]
