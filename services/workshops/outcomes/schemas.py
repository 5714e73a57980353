"""Request and response bodies of the outcomes domain (bounded strings and lists, examples on requests)."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field, model_validator

from services.workshops.outcomes.models import (
    InventionKind,
    PriorityOutcome,
    PrioritySource,
    PriorityState,
    Theme,
)
from shared.api.schemas import ApiModel, Code, LongText, PatchModel, PublicModel, ShortText, Url

_EX_PROCESS = "5b1c3f0e-8d2a-4c6e-9f1a-2b3c4d5e6f70"
_EX_WORKSHOP = "6c2d4a1f-9e3b-4d7f-8a2b-3c4d5e6f7081"
_EX_DISTRICT = "7d3e5b2a-0f4c-4e8a-9b3c-4d5e6f708192"
_EX_PERSON = "8e4f6c3b-1a5d-4f9b-8c4d-5e6f708192a3"
_EX_ORG = "9f507d4c-2b6e-4a0c-9d5e-6f708192a3b4"

MediumText = Annotated[str, Field(max_length=5000)]


class OriginKind(StrEnum):
    """Kinds of "origin session" inside a workshop (resolved by the sessions domain)."""

    WORKSHOP = "workshop"
    OST_TOPIC = "ost_topic"
    CAFE_TABLE = "cafe_table"
    CAFE_ROUND = "cafe_round"


class OriginIn(ApiModel):
    """The session of a workshop an invention or priority was born in."""

    kind: OriginKind
    id: uuid.UUID


class Attachment(ApiModel):
    """A link to a document, photo or video about an invention."""

    title: ShortText
    url: Url


class LocalisedText(ApiModel):
    """A label in Italian (the working language) and English."""

    it: ShortText
    en: ShortText


# ----- inventions ---------------------------------------------------------------------------------------------


class InventionCreate(ApiModel):
    """A new invention of a process."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "process_id": _EX_PROCESS,
                    "workshop_id": _EX_WORKSHOP,
                    "origin": {"kind": "workshop", "id": _EX_WORKSHOP},
                    "title": "Sportello di prossimità nei quartieri",
                    "description": "Un punto di ascolto gestito insieme da servizi sociali e volontari.",
                    "kind": "service_organisation",
                    "theme": "oltre_i_servizi",
                    "person_ids": [],
                    "organisation_ids": [],
                    "attachments": [{"title": "Presentazione", "url": "https://example.org/sportello.pdf"}],
                }
            ]
        },
    )

    process_id: uuid.UUID
    workshop_id: uuid.UUID | None = None
    origin: OriginIn | None = None
    title: ShortText
    description: LongText = ""
    kind: InventionKind
    theme: Theme
    person_ids: list[uuid.UUID] = Field(default_factory=list, max_length=50)
    organisation_ids: list[uuid.UUID] = Field(default_factory=list, max_length=50)
    attachments: list[Attachment] = Field(default_factory=list, max_length=20)
    restitution_workshop_id: uuid.UUID | None = None

    @model_validator(mode="after")
    def _origin_needs_workshop(self) -> InventionCreate:
        if self.origin is not None and self.workshop_id is None:
            raise ValueError("origin needs workshop_id: a session belongs to a workshop")
        return self


class InventionUpdate(PatchModel):
    """Changes to an invention (only the fields sent change)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "title": "Sportello di prossimità in tre quartieri",
                    "theme": "reti_vive",
                    "attachments": [{"title": "Foto", "url": "https://example.org/foto.jpg"}],
                }
            ]
        },
    )
    nullable_fields: ClassVar[frozenset[str]] = frozenset({"restitution_workshop_id"})

    title: ShortText | None = None
    description: LongText | None = None
    kind: InventionKind | None = None
    theme: Theme | None = None
    person_ids: list[uuid.UUID] | None = Field(default=None, max_length=50)
    organisation_ids: list[uuid.UUID] | None = Field(default=None, max_length=50)
    attachments: list[Attachment] | None = Field(default=None, max_length=20)
    restitution_workshop_id: uuid.UUID | None = None


class InventionHandover(ApiModel):
    """To whom an invention is passed ("a chi passo l'invenzione"): a district or an organisation."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "to_district_id": _EX_DISTRICT,
                    "on": "2026-11-20",
                    "note": "Presentata al tavolo del distretto vicino",
                }
            ]
        },
    )

    to_district_id: uuid.UUID | None = None
    to_organisation_id: uuid.UUID | None = None
    on: date
    note: MediumText | None = None

    @model_validator(mode="after")
    def _exactly_one_recipient(self) -> InventionHandover:
        if (self.to_district_id is None) == (self.to_organisation_id is None):
            raise ValueError("give exactly one of to_district_id and to_organisation_id")
        return self


class Handover(BaseModel):
    """The hand-over of an invention, once recorded."""

    to_district_id: uuid.UUID | None
    to_organisation_id: uuid.UUID | None
    on: date
    note: str | None


class OriginOut(BaseModel):
    """An origin session as shown in responses."""

    kind: str
    id: str


class InventionPublic(PublicModel):
    """An invention."""

    id: uuid.UUID
    process_id: uuid.UUID
    district_id: uuid.UUID
    edition_id: uuid.UUID | None
    workshop_id: uuid.UUID | None
    origin: OriginOut | None
    title: str
    description: str
    kind: InventionKind
    theme: Theme
    theme_label: dict[str, str]
    person_ids: list[str]
    organisation_ids: list[str]
    attachments: list[dict[str, Any]]
    restitution_workshop_id: uuid.UUID | None
    handover: Handover | None
    version: int
    created_at: datetime
    updated_at: datetime


class ProcessRef(BaseModel):
    """A process, briefly."""

    id: uuid.UUID
    title: str
    district_id: uuid.UUID
    edition_id: uuid.UUID | None


class WorkshopRef(BaseModel):
    """A workshop, briefly."""

    id: uuid.UUID
    title: str
    method: str
    starts_at: datetime


class SessionRef(BaseModel):
    """The session inside a workshop (an OST topic, a café table or round, or the whole workshop)."""

    kind: str
    id: str
    title: str | None


class OriginDetail(BaseModel):
    """Where something was born: the process, the workshop and the session inside it."""

    process: ProcessRef | None
    workshop: WorkshopRef | None
    session: SessionRef | None


class InventionDetail(InventionPublic):
    """An invention with its origin spelled out."""

    origin_detail: OriginDetail


# ----- priorities ---------------------------------------------------------------------------------------------


class PriorityCreate(ApiModel):
    """A priority proposal, from a workshop or by the Ufficio di Piano."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "district_id": _EX_DISTRICT,
                    "process_id": _EX_PROCESS,
                    "workshop_id": _EX_WORKSHOP,
                    "origin": {"kind": "workshop", "id": _EX_WORKSHOP},
                    "source": "workshop",
                    "title": "Contrastare la solitudine degli anziani",
                    "description": "Reti di vicinato e presenza dei servizi nei luoghi di vita.",
                }
            ]
        },
    )

    district_id: uuid.UUID
    process_id: uuid.UUID | None = None
    workshop_id: uuid.UUID | None = None
    origin: OriginIn | None = None
    source: PrioritySource
    title: ShortText
    description: LongText = ""

    @model_validator(mode="after")
    def _source_rules(self) -> PriorityCreate:
        if self.source is PrioritySource.WORKSHOP and self.workshop_id is None:
            raise ValueError("a priority proposed by a workshop needs workshop_id")
        if self.origin is not None and self.workshop_id is None:
            raise ValueError("origin needs workshop_id: a session belongs to a workshop")
        return self


class PrioritySubmit(ApiModel):
    """The Ufficio di Piano submits the priority to the Comitato di Distretto for a year."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"year": 2026}]})

    year: int = Field(ge=2000, le=2100)


class PriorityDecision(ApiModel):
    """A decision of the Comitato di Distretto: the date of the sitting and the motivation."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"sitting_date": "2026-03-12", "motivation": "Coerente con il Piano di Zona 2024-2026"}
            ]
        },
    )

    sitting_date: date
    motivation: Annotated[str, Field(min_length=1, max_length=5000)]


class PriorityAssign(ApiModel):
    """The project table (one or more workshops of method project_table) that will work on it."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"project_table_workshop_ids": [_EX_WORKSHOP]}]},
    )

    project_table_workshop_ids: list[uuid.UUID] = Field(min_length=1, max_length=20)


class PriorityReport(ApiModel):
    """What the restitution event reported."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "outcome": "partly_achieved",
                    "restitution_workshop_id": _EX_WORKSHOP,
                    "note": "Avviate due reti di vicinato su tre",
                }
            ]
        },
    )

    outcome: PriorityOutcome
    restitution_workshop_id: uuid.UUID
    note: MediumText | None = None


class PriorityPlanAction(ApiModel):
    """The action sheet (scheda intervento) of the district's local plan the priority became."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"plan_action": "PdZ-2026-26"}]}
    )

    plan_action: Code


class AllowedTransition(BaseModel):
    """A step allowed from the current state."""

    action: str
    to: str


class PriorityPublic(PublicModel):
    """A priority and where it stands."""

    id: uuid.UUID
    district_id: uuid.UUID
    process_id: uuid.UUID | None
    edition_id: uuid.UUID | None
    workshop_id: uuid.UUID | None
    origin: OriginOut | None
    source: PrioritySource
    title: str
    description: str
    state: PriorityState
    year: int | None
    sitting_date: date | None
    motivation: str | None
    project_table_workshop_ids: list[str]
    outcome: PriorityOutcome | None
    outcome_note: str | None
    restitution_workshop_id: uuid.UUID | None
    plan_action: str | None
    allowed: list[AllowedTransition]
    version: int
    created_at: datetime
    updated_at: datetime


class PriorityHistoryEntry(BaseModel):
    """One step of a priority's life, read back from its event stream."""

    version: int
    event_type: str
    from_state: str | None
    to_state: str
    at: datetime
    actor_id: str | None
    details: dict[str, Any]


class PriorityDetail(PriorityPublic):
    """A priority with its origin and full state history."""

    origin_detail: OriginDetail
    history: list[PriorityHistoryEntry]


# ----- evaluation cards ---------------------------------------------------------------------------------------


class DimensionKind(StrEnum):
    """How a dimension is answered."""

    SCALE = "scale"
    CHOICE = "choice"
    TEXT = "text"


class ChoiceSpec(ApiModel):
    """One option of a choice dimension."""

    code: Code
    label: LocalisedText


class DimensionSpec(ApiModel):
    """One question of a card: a scale (e.g. 1-5), a choice list, or free text."""

    code: Code
    kind: DimensionKind
    question: LocalisedText
    scale_min: int | None = Field(default=None, ge=0, le=10)
    scale_max: int | None = Field(default=None, ge=1, le=10)
    choices: list[ChoiceSpec] = Field(default_factory=list, max_length=20)
    required: bool = False

    @model_validator(mode="after")
    def _shape(self) -> DimensionSpec:
        if self.kind is DimensionKind.SCALE:
            if self.scale_min is None or self.scale_max is None or self.scale_min >= self.scale_max:
                raise ValueError("a scale needs scale_min < scale_max")
            if self.choices:
                raise ValueError("a scale has no choices")
        elif self.kind is DimensionKind.CHOICE:
            if len(self.choices) < 2:
                raise ValueError("a choice needs at least two choices")
            if len({c.code for c in self.choices}) != len(self.choices):
                raise ValueError("choice codes must be unique")
            if self.scale_min is not None or self.scale_max is not None:
                raise ValueError("a choice has no scale")
        elif self.choices or self.scale_min is not None or self.scale_max is not None:
            raise ValueError("a free-text dimension has neither scale nor choices")
        return self


def _example_scale(code: str, it: str, en: str) -> dict[str, Any]:
    return {"code": code, "kind": "scale", "question": {"it": it, "en": en}, "scale_min": 1, "scale_max": 5}


# The same dimension codes as the default card, so the response example fits a card made from this one.
_EXAMPLE_DIMENSIONS = [
    _example_scale("ascolto", "Quanto ti sei sentito/a ascoltato/a?", "How far did you feel listened to?"),
    _example_scale("relazioni", "Sono nate nuove relazioni?", "Did new ties form?"),
    _example_scale("cambiamento", "Il modo di lavorare è cambiato?", "Did the way of working change?"),
    {
        "code": "influenza",
        "kind": "choice",
        "question": {"it": "Le proposte hanno inciso sul Piano?", "en": "Did the proposals shape the plan?"},
        "choices": [
            {"code": "si", "label": {"it": "Sì", "en": "Yes"}},
            {"code": "in_parte", "label": {"it": "In parte", "en": "Partly"}},
            {"code": "no", "label": {"it": "No", "en": "No"}},
        ],
    },
    _example_scale("continuita", "Continuerai a partecipare?", "Will you keep taking part?"),
    {
        "code": "commenti",
        "kind": "text",
        "question": {"it": "Cosa cambieresti?", "en": "What would you change?"},
    },
]


def _unique_codes(dimensions: list[DimensionSpec]) -> list[DimensionSpec]:
    codes = [d.code for d in dimensions]
    if len(set(codes)) != len(codes):
        raise ValueError("dimension codes must be unique")
    return dimensions


class EvaluationTemplateCreate(ApiModel):
    """A new evaluation card template (district_id null: a regional template, admins only)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "district_id": _EX_DISTRICT,
                    "name": {"it": "Carta di valutazione del laboratorio", "en": "Workshop evaluation card"},
                    "dimensions": _EXAMPLE_DIMENSIONS,
                }
            ]
        },
    )

    district_id: uuid.UUID | None = None
    name: LocalisedText
    dimensions: list[DimensionSpec] = Field(min_length=1, max_length=30)

    @model_validator(mode="after")
    def _codes(self) -> EvaluationTemplateCreate:
        _unique_codes(self.dimensions)
        return self


class EvaluationTemplateRevise(ApiModel):
    """A change to a template: always a new version; responses keep the version they answered."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "name": {"it": "Carta di valutazione (rivista)", "en": "Evaluation card (revised)"},
                    "dimensions": _EXAMPLE_DIMENSIONS,
                }
            ]
        },
    )

    name: LocalisedText | None = None
    dimensions: list[DimensionSpec] = Field(min_length=1, max_length=30)

    @model_validator(mode="after")
    def _codes(self) -> EvaluationTemplateRevise:
        _unique_codes(self.dimensions)
        return self


class EvaluationTemplatePublic(BaseModel):
    """A template with the dimensions of the version shown."""

    id: uuid.UUID
    district_id: uuid.UUID | None
    name: dict[str, str]
    current_version: int
    template_version: int
    dimensions: list[dict[str, Any]]
    version: int
    created_at: datetime
    updated_at: datetime


AnswerValue = int | Annotated[str, Field(max_length=2000)]


class EvaluationResponseCreate(ApiModel):
    """A filled-in card: answers by dimension code (scale: an integer; choice: a choice code; text: text)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "template_id": "e7869feb-8e08-5124-b619-27931bc0d591",
                    "process_id": _EX_PROCESS,
                    "workshop_id": _EX_WORKSHOP,
                    "person_id": None,
                    "answers": {
                        "ascolto": 4,
                        "relazioni": 5,
                        "cambiamento": 3,
                        "influenza": "in_parte",
                        "continuita": 4,
                        "commenti": "Più tempo per i tavoli",
                    },
                }
            ]
        },
    )

    template_id: uuid.UUID
    template_version: int | None = Field(default=None, ge=1, le=100_000)
    process_id: uuid.UUID
    workshop_id: uuid.UUID | None = None
    person_id: uuid.UUID | None = None
    answers: dict[Code, AnswerValue] = Field(max_length=30)


class EvaluationResponsePublic(PublicModel):
    """A recorded evaluation response."""

    id: uuid.UUID
    template_id: uuid.UUID
    template_version: int
    process_id: uuid.UUID
    workshop_id: uuid.UUID | None
    district_id: uuid.UUID
    edition_id: uuid.UUID | None
    person_id: str | None
    answers: dict[str, Any]
    created_at: datetime


class DimensionResult(BaseModel):
    """Results of one dimension: how many answered, the mean (scales), and the distribution of values."""

    code: str
    kind: str
    question: dict[str, str]
    count: int
    mean: float | None
    distribution: dict[str, int]


class EvaluationResults(BaseModel):
    """Results of a template's responses over a process, a district or an edition."""

    template_id: uuid.UUID
    scope: str
    scope_id: uuid.UUID
    response_count: int
    dimensions: list[DimensionResult]


# ----- restitution --------------------------------------------------------------------------------------------


class RestitutionWorkshop(BaseModel):
    """A restitution event and what it reports."""

    workshop: WorkshopRef
    priorities: list[PriorityPublic]
    inventions: list[InventionPublic]


class ProcessRestitution(BaseModel):
    """The material of a process's restitution: what each restitution event reports, and what is pending."""

    process_id: uuid.UUID
    district_id: uuid.UUID
    restitution_events: list[RestitutionWorkshop]
    priorities_not_yet_reported: list[PriorityPublic]
    inventions_not_yet_presented: list[InventionPublic]


class WorkshopOutcomes(BaseModel):
    """Inventions and priority proposals born in a workshop."""

    workshop_id: uuid.UUID
    process_id: uuid.UUID
    inventions: list[InventionPublic]
    priorities: list[PriorityPublic]
