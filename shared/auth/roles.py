"""The roles an API key or a signed-in person can carry (standard library only: the CLI parser reads them)."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    """The roles an API key can carry."""

    REGIONAL_ADMIN = "regional_admin"
    DISTRICT_EDITOR = "district_editor"
    FACILITATOR = "facilitator"
    INTEGRATION = "integration"
    PARTICIPANT = "participant"
    """A signed-in person without a staff role (never an API key's role)."""


KEY_ROLES = tuple(role for role in Role if role is not Role.PARTICIPANT)
"""The roles an API key may be created with."""
