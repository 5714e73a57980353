"""Request and response bodies of the case library."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, ClassVar

from pydantic import AfterValidator, ConfigDict, Field, StringConstraints

from services.workshops.knowledge.cases.models import CaseLine, CaseSide, CaseStatus
from shared.api.schemas import ApiModel, PatchModel, PublicModel, ShortText

Slug = Annotated[str, StringConstraints(min_length=1, max_length=64, pattern=r"^[a-z0-9][a-z0-9_-]*$")]
Summary = Annotated[str, StringConstraints(max_length=500)]
Story = Annotated[str, StringConstraints(min_length=1, max_length=20_000)]
Question = Annotated[str, StringConstraints(min_length=1, max_length=1000, strip_whitespace=True)]
GuidanceText = Annotated[str, StringConstraints(min_length=1, max_length=2000, strip_whitespace=True)]


def _unique(values: list[CaseLine]) -> list[CaseLine]:
    if len(set(values)) != len(values):
        raise ValueError("each line at most once")
    return values


Lines = Annotated[list[CaseLine], Field(min_length=1, max_length=3), AfterValidator(_unique)]

EXAMPLE = {
    "district_id": "3f2b1c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d",
    "side": "social_and_health",
    "title": "La casa della salute come luogo di comunità",
    "summary": "Operatori sanitari e sociali e associazioni ripensano insieme l'accoglienza.",
    "story": "Nel distretto la casa della salute è diventata un luogo di incontro tra servizi e cittadini.",
    "lines": ["subjects", "institutional_architectures"],
    "questions": ["Chi decide l'uso degli spazi comuni?"],
    "guidance": [
        {"line": "subjects", "text": "Coinvolgere le associazioni fin dalla progettazione degli spazi."},
        {
            "line": "institutional_architectures",
            "text": "Un tavolo stabile tra AUSL, Comuni e terzo settore.",
        },
    ],
    "process_ids": ["4a3b2c1d-6e5f-4b7a-9c8d-1f0e2a3b4c5d"],
    "lab_meeting_ids": [],
}


class GuidanceIn(ApiModel):
    """One piece of operational guidance and the line it belongs to."""

    model_config = ConfigDict(extra="forbid")

    line: CaseLine
    text: GuidanceText


class CaseCreate(ApiModel):
    """A new case, written as a draft; ``code`` defaults to a slug of the title.

    ``lab_meeting_ids``: the regional lab meetings that studied it (``/lab-meetings``; 422 for an unknown one).
    """

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [EXAMPLE]})

    district_id: uuid.UUID
    side: CaseSide
    title: ShortText
    story: Story
    lines: Lines
    summary: Summary = ""
    code: Slug | None = None
    questions: list[Question] = Field(default_factory=list, max_length=50)
    guidance: list[GuidanceIn] = Field(default_factory=list, max_length=50)
    process_ids: list[uuid.UUID] = Field(default_factory=list, max_length=50)
    lab_meeting_ids: list[uuid.UUID] = Field(default_factory=list, max_length=50)


class CaseUpdate(PatchModel):
    """Change a case: absent fields stay; a list given replaces the whole list."""

    nullable_fields: ClassVar[frozenset[str]] = frozenset()
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "summary": "Operatori, associazioni e cittadini ripensano insieme l'accoglienza.",
                    "guidance": [
                        {"line": "methodological_solutions", "text": "Un World Café con gli utenti."}
                    ],
                }
            ]
        },
    )

    side: CaseSide | None = None
    title: ShortText | None = None
    summary: Summary | None = None
    story: Story | None = None
    lines: Lines | None = None
    questions: list[Question] | None = Field(default=None, max_length=50)
    guidance: list[GuidanceIn] | None = Field(default=None, max_length=50)
    process_ids: list[uuid.UUID] | None = Field(default=None, max_length=50)
    lab_meeting_ids: list[uuid.UUID] | None = Field(default=None, max_length=50)


class CaseStatusChange(ApiModel):
    """Publish a case (everybody reads it from then on) or take it back to draft."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"status": "published"}]})

    status: CaseStatus


class GuidancePublic(PublicModel):
    """One piece of guidance."""

    id: uuid.UUID
    line: CaseLine
    position: int
    text: str


class CasePublic(PublicModel):
    """A case with its questions, its guidance by line and the processes it informed."""

    id: uuid.UUID
    code: str
    district_id: uuid.UUID
    side: CaseSide
    status: CaseStatus
    title: str
    summary: str
    story: str
    lines: list[CaseLine]
    questions: list[str]
    guidance: list[GuidancePublic]
    process_ids: list[uuid.UUID]
    lab_meeting_ids: list[uuid.UUID]
    published_at: datetime | None = None
    version: int
    created_at: datetime
    updated_at: datetime
