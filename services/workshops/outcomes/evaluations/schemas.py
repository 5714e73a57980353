"""Request and response bodies of evaluation cards."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from services.workshops.outcomes.schemas import (
    EXAMPLE_DISTRICT,
    EXAMPLE_PROCESS,
    EXAMPLE_WORKSHOP,
    LocalisedText,
)
from shared.api.schemas import ApiModel, Code, PublicModel
from shared.errors import FieldRule


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
                raise FieldRule("scale_max", "a scale needs scale_min < scale_max")
            if self.choices:
                raise FieldRule("choices", "a scale has no choices")
        elif self.kind is DimensionKind.CHOICE:
            if len(self.choices) < 2:
                raise FieldRule("choices", "a choice needs at least two choices")
            if len({c.code for c in self.choices}) != len(self.choices):
                raise FieldRule("choices", "choice codes must be unique")
            if self.scale_min is not None or self.scale_max is not None:
                raise FieldRule("scale_min", "a choice has no scale")
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
                    "district_id": EXAMPLE_DISTRICT,
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
                    "process_id": EXAMPLE_PROCESS,
                    "workshop_id": EXAMPLE_WORKSHOP,
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
    mean: float | None = Field(
        description="Mean of the numeric answers, two decimals rounded half up (scales only)."
    )
    scale_min: int | None = Field(
        default=None, description="The card's own scale for this dimension (scales only)."
    )
    scale_max: int | None = Field(default=None, description="Bars and means read against this maximum.")
    distribution: dict[str, int]


class EvaluationResults(BaseModel):
    """Results of a template's responses over a process, a district or an edition."""

    template_id: uuid.UUID
    scope: str
    scope_id: uuid.UUID
    response_count: int
    dimensions: list[DimensionResult]
    as_of: datetime | None = Field(default=None, description="Set when counted as of a valid time.")
    known_at: datetime | None = Field(default=None, description="Set when counted as known at a time.")
