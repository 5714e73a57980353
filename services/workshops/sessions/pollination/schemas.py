"""Request and response bodies of cross-pollination (links between items of workshops)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from services.workshops.sessions.models import OriginKind
from services.workshops.sessions.schemas import EXAMPLE_WORKSHOP, Note
from shared.api.schemas import ApiModel


class ItemRef(ApiModel):
    """A thing inside a workshop: the workshop itself, an Open Space topic, a café table or round."""

    kind: OriginKind
    id: uuid.UUID


class PollinationLinkCreate(ApiModel):
    """An idea carried from something of this workshop to something of this or another workshop."""

    model_config = ConfigDict(
        extra="forbid",
        populate_by_name=True,
        json_schema_extra={
            "examples": [
                {
                    "from": {"kind": "workshop", "id": EXAMPLE_WORKSHOP},
                    "to": {"kind": "workshop", "id": EXAMPLE_WORKSHOP},
                    "note": "The 'shared map' idea travelled on to the next table.",
                }
            ]
        },
    )

    from_: ItemRef = Field(alias="from")
    to: ItemRef
    note: Note = ""


class PollinationLinkPublic(BaseModel):
    """A cross-pollination link."""

    model_config = ConfigDict(populate_by_name=True, serialize_by_alias=True)

    id: uuid.UUID
    workshop_id: uuid.UUID
    from_: dict[str, Any] = Field(alias="from")
    to: dict[str, Any]
    to_workshop_id: uuid.UUID
    note: str
    created_at: datetime
