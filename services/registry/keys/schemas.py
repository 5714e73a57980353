"""Payloads of API keys: the secret appears only in the response that creates or rotates it."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, model_validator

from shared.api.schemas import OptionalText

EXAMPLE_DISTRICT = "1b7d6a52-51b6-5a4e-9e0f-6d1d0d3c2a11"

KeyRole = Literal["regional_admin", "district_editor", "facilitator", "integration"]


class KeyStatus(StrEnum):
    """Whether a key works now."""

    ACTIVE = "active"
    EXPIRED = "expired"
    REVOKED = "revoked"


class ApiKeyCreate(BaseModel):
    """A new key: its role, the districts it may edit (editors) or read for webhooks, and when it expires."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "role": "integration",
                    "district_ids": [EXAMPLE_DISTRICT],
                    "label": "Portale regionale: webhooks",
                    "expires_at": "2027-06-30T00:00:00Z",
                }
            ]
        },
    )

    role: KeyRole
    district_ids: list[uuid.UUID] = Field(
        default_factory=list,
        max_length=50,
        description="Districts a district_editor key edits (at least one); for an integration key, the only "
        "districts its webhook subscriptions may follow (none: every district).",
    )
    person_id: uuid.UUID | None = Field(default=None, description="Registry person id (facilitator keys).")
    label: OptionalText = Field(default="", description="What the key is for (not personal data).")
    expires_at: AwareDatetime | None = Field(default=None, description="When it stops working; null: never.")

    @model_validator(mode="after")
    def _fits_role(self) -> ApiKeyCreate:
        if self.role == "district_editor" and not self.district_ids:
            raise ValueError("a district_editor key needs at least one district in district_ids")
        if self.role == "facilitator" and self.person_id is None:
            raise ValueError("a facilitator key needs person_id")
        return self


class ApiKeyRotate(BaseModel):
    """A new secret for a key; its expiry stays unless ``expires_at`` is sent."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"expires_at": "2027-12-31T00:00:00Z"}]}
    )

    expires_at: AwareDatetime | None = Field(
        default=None, description="A new expiry (null or absent: keep the current one)."
    )


class ApiKeyPublic(BaseModel):
    """A key as listed: ids, role, scope and dates; never the secret."""

    model_config = ConfigDict(from_attributes=True)

    key_id: str = Field(description="The public part of the key (`clk_<key_id>_...`).")
    actor_id: str = Field(description="Who the key acts as in the event log and owns webhook subscriptions.")
    role: KeyRole
    district_ids: list[str]
    person_id: str | None
    label: str
    status: KeyStatus
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None
    last_used_at: datetime | None = Field(description="Last use, to the minute.")


class ApiKeyIssued(ApiKeyPublic):
    """A key with its secret: shown in this response only (a replay with the same Idempotency-Key shows null)."""

    key: str | None = Field(
        description="The bearer token `clk_<key_id>_<secret>`: store it now, it is never shown again."
    )
