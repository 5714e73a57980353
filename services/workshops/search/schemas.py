"""Shapes of the search API: the kinds searched and one hit."""

from __future__ import annotations

import uuid
from enum import StrEnum

from pydantic import ConfigDict, Field

from shared.api.schemas import PublicModel


class SearchKind(StrEnum):
    """What a hit is."""

    PROCESS = "process"
    WORKSHOP = "workshop"
    INVENTION = "invention"
    PRIORITY = "priority"
    PROPOSAL = "proposal"


class SearchHit(PublicModel):
    """One object found: what it is, where it is, and why it was found."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "kind": "workshop",
                    "id": "0b7d4c1e-2f5a-4f39-9d3e-6a1c8f2e4b10",
                    "title": "World Café sulla partecipazione",
                    "snippet": "…come rendere la città più accogliente per chi partecipa…",
                    "district_id": "3f2b8c1e-8a44-4a4e-9c61-2a0d6f1d9b10",
                    "process_id": "9a1e5c2d-7b3f-4e8a-a2d1-5c6b7e8f9a01",
                    "title_match": True,
                    "score": 0.61,
                    "url": "/workshops/0b7d4c1e-2f5a-4f39-9d3e-6a1c8f2e4b10",
                }
            ]
        }
    )

    kind: SearchKind
    id: uuid.UUID
    title: str
    snippet: str = Field(description="An extract of the body around the first word found (or its start).")
    district_id: uuid.UUID | None
    process_id: uuid.UUID | None
    title_match: bool = Field(description="Every word searched is in the title (such hits come first).")
    score: float = Field(
        description="Relevance within this result list (higher first); not comparable across databases."
    )
    url: str = Field(description="Path of the object in this API.")
