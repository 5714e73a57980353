"""Event catalogue of the outcomes domain: stream types, event type names and payload models.

Every payload carries its aggregate's id, ``district_id`` and (where it has one) ``process_id``; people
appear by registry id only and free-text answers of evaluation cards never enter the log.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import BaseModel, Field

INVENTION_STREAM = "invention"
PRIORITY_STREAM = "priority"
EVALUATION_TEMPLATE_STREAM = "evaluation_template"
EVALUATION_RESPONSE_STREAM = "evaluation_response"

INVENTION_CREATED = "invention.created"
INVENTION_UPDATED = "invention.updated"
INVENTION_HANDED_OVER = "invention.handed_over"

PRIORITY_PROPOSED = "priority.proposed"
PRIORITY_SUBMITTED = "priority.submitted"
PRIORITY_VALIDATED = "priority.validated"
PRIORITY_REJECTED = "priority.rejected"
PRIORITY_ASSIGNED = "priority.assigned"
PRIORITY_STARTED = "priority.started"
PRIORITY_REPORTED = "priority.reported"
PRIORITY_LINKED_TO_PLAN_ACTION = "priority.linked_to_plan_action"

EVALUATION_TEMPLATE_CREATED = "evaluation_template.created"
EVALUATION_TEMPLATE_VERSIONED = "evaluation_template.versioned"
EVALUATION_RESPONSE_RECORDED = "evaluation.response_recorded"


class Origin(BaseModel):
    """Where an invention or priority was born inside a workshop (an OST topic, a café table...)."""

    kind: str
    id: str


class InventionCreated(BaseModel):
    """``invention.created``."""

    invention_id: str
    process_id: str
    district_id: str
    edition_id: str | None
    workshop_id: str | None
    origin: Origin | None
    title: str
    kind: str
    theme: str
    person_ids: list[str]
    organisation_ids: list[str]
    attachment_count: int


class InventionUpdated(BaseModel):
    """``invention.updated``: the changed fields with their new values (ids and text, no personal data)."""

    invention_id: str
    process_id: str
    district_id: str
    changes: dict[str, Any]


class InventionHandedOver(BaseModel):
    """``invention.handed_over``: "a chi passo l'invenzione"."""

    invention_id: str
    process_id: str
    district_id: str
    to_district_id: str | None
    to_organisation_id: str | None
    on: date
    note: str | None


class PriorityEventBase(BaseModel):
    """Fields every priority event carries."""

    priority_id: str
    process_id: str | None
    district_id: str
    from_state: str | None
    to_state: str


class PriorityProposed(PriorityEventBase):
    """``priority.proposed``."""

    title: str
    source: str
    workshop_id: str | None
    edition_id: str | None
    origin: Origin | None


class PrioritySubmitted(PriorityEventBase):
    """``priority.submitted``."""

    year: int


class PriorityDecided(PriorityEventBase):
    """``priority.validated`` and ``priority.rejected``."""

    year: int | None
    sitting_date: date
    motivation: str


class PriorityAssigned(PriorityEventBase):
    """``priority.assigned``."""

    project_table_workshop_ids: list[str]


class PriorityStarted(PriorityEventBase):
    """``priority.started``."""


class PriorityReported(PriorityEventBase):
    """``priority.reported``."""

    outcome: str
    restitution_workshop_id: str
    note: str | None


class PriorityLinkedToPlanAction(PriorityEventBase):
    """``priority.linked_to_plan_action``."""

    plan_action: str


class EvaluationTemplateChanged(BaseModel):
    """``evaluation_template.created`` and ``evaluation_template.versioned``."""

    template_id: str
    district_id: str | None
    template_version: int
    name_it: str
    name_en: str
    dimension_codes: list[str]


class EvaluationResponseRecorded(BaseModel):
    """``evaluation.response_recorded``: scale and choice answers only (free text stays in the table)."""

    response_id: str
    template_id: str
    template_version: int
    process_id: str
    workshop_id: str | None
    district_id: str
    edition_id: str | None
    person_id: str | None
    answers: dict[str, str | int]
    # The card's own scale of each scale answer, [min, max], so reports draw bars against it. Events written
    # before it existed have none; readers then know only the answers.
    scales: dict[str, list[int]] = Field(default_factory=dict)


# The payload model of every event type this domain writes (the webhooks' OpenAPI is generated from it).
PAYLOADS: dict[str, type[BaseModel]] = {
    INVENTION_CREATED: InventionCreated,
    INVENTION_UPDATED: InventionUpdated,
    INVENTION_HANDED_OVER: InventionHandedOver,
    PRIORITY_PROPOSED: PriorityProposed,
    PRIORITY_SUBMITTED: PrioritySubmitted,
    PRIORITY_VALIDATED: PriorityDecided,
    PRIORITY_REJECTED: PriorityDecided,
    PRIORITY_ASSIGNED: PriorityAssigned,
    PRIORITY_STARTED: PriorityStarted,
    PRIORITY_REPORTED: PriorityReported,
    PRIORITY_LINKED_TO_PLAN_ACTION: PriorityLinkedToPlanAction,
    EVALUATION_TEMPLATE_CREATED: EvaluationTemplateChanged,
    EVALUATION_TEMPLATE_VERSIONED: EvaluationTemplateChanged,
    EVALUATION_RESPONSE_RECORDED: EvaluationResponseRecorded,
}
