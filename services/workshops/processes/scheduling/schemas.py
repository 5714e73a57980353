"""Request and response bodies of workshops."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any, ClassVar

from pydantic import AwareDatetime, ConfigDict, Field, computed_field

from services.workshops.localtime import to_rome
from services.workshops.processes.models import WorkshopMethod, WorkshopStatus
from shared.api.schemas import ApiModel, LongText, PatchModel, PublicModel, ShortText, Url

_WORKSHOP_EXAMPLE: dict[str, Any] = {
    "method": "world_cafe",
    "title": "World Café: la casa come luogo di cura",
    "description": "Tre giri di tavoli e un raccolto finale.",
    "starts_at": "2016-02-20T09:00:00+01:00",
    "ends_at": "2016-02-20T12:30:00+01:00",
    "online_url": "https://meet.example.org/world-cafe",
    "capacity": 40,
    "facilitator_ids": [],
}


class WorkshopCreate(ApiModel):
    """A workshop of a process."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [_WORKSHOP_EXAMPLE]})

    method: WorkshopMethod
    title: ShortText
    description: LongText = ""
    starts_at: AwareDatetime
    ends_at: AwareDatetime
    venue: ShortText | None = Field(
        default=None,
        description="Where it takes place, e.g. `Sala del Carmine, Lugo`; booked once at a time.",
    )
    online_url: Url | None = None
    capacity: Annotated[int, Field(ge=1, le=100_000)] | None = Field(
        default=None, description="Seats; registrations beyond it go on the waiting list. Null: no limit."
    )
    facilitator_ids: list[uuid.UUID] = Field(
        default_factory=list, max_length=20, description="Registry person ids; each booked once at a time."
    )
    status: WorkshopStatus = Field(default=WorkshopStatus.PLANNED, description="planned or confirmed")


class WorkshopUpdate(PatchModel):
    """Changes to a workshop (only the fields sent change); not allowed once it was held."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"starts_at": "2016-02-27T09:00:00+01:00", "ends_at": "2016-02-27T12:30:00+01:00"}]
        },
    )
    nullable_fields: ClassVar[frozenset[str]] = frozenset({"venue", "online_url", "capacity"})

    method: WorkshopMethod | None = None
    title: ShortText | None = None
    description: LongText | None = None
    starts_at: AwareDatetime | None = None
    ends_at: AwareDatetime | None = None
    venue: ShortText | None = None
    online_url: Url | None = None
    capacity: Annotated[int, Field(ge=1, le=100_000)] | None = None
    facilitator_ids: list[uuid.UUID] | None = Field(default=None, max_length=20)


class WorkshopStatusChange(ApiModel):
    """Confirm, hold, cancel or postpone a workshop, with a reason."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"status": "cancelled", "reason": "Allerta meteo"}]}
    )

    status: WorkshopStatus
    reason: Annotated[str, Field(max_length=2000)] | None = None


class WorkshopPublic(PublicModel):
    """A workshop; times in UTC and, for people, in Europe/Rome (``*_local``)."""

    id: uuid.UUID
    process_id: uuid.UUID
    district_id: uuid.UUID
    edition_id: uuid.UUID | None
    method: WorkshopMethod
    title: str
    description: str
    starts_at: datetime
    ends_at: datetime
    venue: str | None
    online_url: str | None
    capacity: int | None
    facilitator_ids: list[str]
    status: WorkshopStatus
    status_reason: str | None
    version: int
    as_of: datetime | None = Field(default=None, description="Set when folded as of a valid time.")
    known_at: datetime | None = Field(default=None, description="Set when folded as known at a time.")

    @computed_field  # type: ignore[prop-decorator]
    @property
    def method_card_url(self) -> str:
        """The collective manual's card of this workshop's method (``GET /methods/{method}``)."""
        return f"/methods/{self.method.value}"

    @computed_field  # type: ignore[prop-decorator]
    @property
    def starts_at_local(self) -> str:
        """Start in Europe/Rome."""
        return to_rome(self.starts_at)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def ends_at_local(self) -> str:
        """End in Europe/Rome."""
        return to_rome(self.ends_at)
