"""Request and response bodies of the participation domain."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any

from pydantic import ConfigDict, Field, StringConstraints, model_validator

from services.workshops.participation.models import AnswerCategory, ProposalState
from shared.api.schemas import ApiModel, Code, PatchModel, PublicModel, ShortText, Url
from shared.privacy import Personal

ProposalBody = Annotated[str, StringConstraints(max_length=10_000)]
AnswerText = Annotated[str, StringConstraints(min_length=1, max_length=10_000)]


class Topic(ApiModel):
    """A topic a process defines for its proposals, next to the six macro-themes."""

    key: Code
    label: ShortText


class AnswerStateDef(ApiModel):
    """One of a process's own answer states and the category reports count it under."""

    key: Code
    label: ShortText
    category: AnswerCategory


DEFAULT_ANSWER_STATES: list[dict[str, str]] = [
    {"key": "accolta", "label": "Accolta", "category": "accepted"},
    {"key": "in_valutazione", "label": "In valutazione", "category": "evaluating"},
    {"key": "non_accolta", "label": "Non accolta", "category": "rejected"},
]
"""The answer states of a process that defines none."""


class ParticipationSettingsBody(ApiModel):
    """How a process takes proposals (the whole settings, replaced)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "max_proposals_per_person": 3,
                    "topics": [{"key": "trasporti", "label": "Trasporti e mobilità"}],
                    "answer_states": DEFAULT_ANSWER_STATES,
                    "comment_edit_minutes": 15,
                }
            ]
        },
    )

    max_proposals_per_person: int = Field(default=3, ge=1, le=100)
    topics: list[Topic] = Field(default_factory=list, max_length=50)
    answer_states: list[AnswerStateDef] = Field(
        default_factory=lambda: [AnswerStateDef.model_validate(s) for s in DEFAULT_ANSWER_STATES],
        min_length=1,
        max_length=20,
    )
    comment_edit_minutes: int = Field(default=15, ge=0, le=10_080)

    @model_validator(mode="after")
    def _unique_keys(self) -> ParticipationSettingsBody:
        for name, items in (("topics", self.topics), ("answer_states", self.answer_states)):
            keys = [item.key for item in items]
            if len(set(keys)) != len(keys):
                raise ValueError(f"{name} keys must not repeat")
        return self


class ParticipationSettingsPublic(PublicModel):
    """A process's participation settings."""

    process_id: uuid.UUID
    district_id: uuid.UUID
    max_proposals_per_person: int
    topics: list[Topic]
    answer_states: list[AnswerStateDef]
    comment_edit_minutes: int
    version: int


_PROPOSAL_EXAMPLE: dict[str, Any] = {
    "title": "Un pulmino per le visite in ospedale",
    "body": "Molti anziani delle frazioni **non hanno un passaggio**: proponiamo un servizio di trasporto "
    "sociale con i volontari.",
    "theme": "reti_vive",
    "links": ["https://example.org/trasporto-sociale"],
    "person_id": "8d1c2b3a-4e5f-4a6b-9c7d-0e1f2a3b4c5d",
}


class ProposalCreate(ApiModel):
    """A proposal: a title, a body in Markdown (a safe subset), a macro-theme or process topic, links."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [_PROPOSAL_EXAMPLE]})

    title: ShortText
    body: ProposalBody = ""
    theme: Code = Field(description="One of the six macro-themes, or the key of a topic of the process.")
    links: list[Url] = Field(default_factory=list, max_length=10)
    person_id: uuid.UUID | None = Field(
        default=None,
        description="Editors of the district record a proposal received on paper for this registry person "
        "(also after the phase's days); signed-in participants leave it out and propose as themselves.",
    )


class ProposalUpdate(PatchModel):
    """Changes to a proposal, allowed to its author until the first support or comment."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"title": "Un pulmino per le frazioni"}]}
    )

    title: ShortText | None = None
    body: ProposalBody | None = None
    theme: Code | None = None
    links: list[Url] | None = Field(default=None, max_length=10)


class AnswerCreate(ApiModel):
    """The Ufficio di Piano's official answer: one of the process's answer states and a text."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"state": "accolta", "text": "La proposta entra nel piano attuativo 2027."}]
        },
    )

    state: Code
    text: AnswerText


class AnswerPublic(PublicModel):
    """An official answer as shown with the proposal."""

    state: str
    label: str
    category: AnswerCategory
    text: str
    answered_at: datetime


class MergeRequest(ApiModel):
    """Merge this proposal into another of the same process."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"into_proposal_id": "5b0a2c4e-9f1d-4e3b-8a7c-6d5e4f3a2b10"}]},
    )

    into_proposal_id: uuid.UUID


class PromotionRequest(ApiModel):
    """Promote proposals to a priority of the district: a new one, or an existing one that will cite them."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "title": "Trasporto sociale per le frazioni",
                    "description": "Dalle proposte dei cittadini raccolte nella fase di ascolto.",
                }
            ]
        },
    )

    priority_id: uuid.UUID | None = Field(
        default=None, description="An existing priority of the district; omit to create one."
    )
    title: ShortText | None = None
    description: ProposalBody = ""

    @model_validator(mode="after")
    def _title_or_priority(self) -> PromotionRequest:
        if self.priority_id is None and self.title is None:
            raise ValueError("give the title of the new priority, or the priority_id of an existing one")
        return self


class PriorityRef(PublicModel):
    """Where a proposal went: the priority that cites it."""

    id: uuid.UUID
    title: str
    state: str


class ProposalPublic(PublicModel):
    """A proposal. Its author's id is shown to the author, the district's editors and administrators only."""

    id: uuid.UUID
    process_id: uuid.UUID
    district_id: uuid.UUID
    phase_id: uuid.UUID
    author_id: Annotated[str | None, Personal] = None
    mine: bool = Field(default=False, description="True when the caller is the author.")
    title: str
    body: str
    body_html: str = Field(description="The body rendered to HTML and sanitised (a safe subset).")
    theme: str
    links: list[str]
    state: ProposalState
    support_count: int
    comment_count: int
    supported: bool = Field(default=False, description="True when the caller supports it.")
    editable: bool = Field(description="The author may still edit it (no support nor comment yet).")
    answer: AnswerPublic | None = None
    merged_into_id: uuid.UUID | None = None
    merged_from_ids: list[uuid.UUID] = Field(default_factory=list)
    priority: PriorityRef | None = None
    version: int
    created_at: datetime
    updated_at: datetime


class SupportPublic(PublicModel):
    """The caller's support and the proposal's count after it."""

    proposal_id: uuid.UUID
    supported: bool
    support_count: int


class PriorityProposalsPublic(PublicModel):
    """The proposals a priority came from."""

    priority_id: uuid.UUID
    proposal_ids: list[uuid.UUID]
