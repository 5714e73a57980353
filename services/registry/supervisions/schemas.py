"""Request and response bodies of supervisions (bounded, with examples); notes are returned to participants only."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from pydantic import ConfigDict, Field

from services.registry.common.schemas import EXAMPLE_PERSON, EXAMPLE_PROCESS
from services.registry.supervisions.models import CaseSubjectKind
from shared.api.schemas import ApiDate, ApiModel, LongText, OptionalText, PublicModel, ShortText

EXAMPLE_SUPERVISION = "6a7b8c9d-0e1f-4a2b-8c3d-4e5f6a7b8c9d"
EXAMPLE_EDITION = "7b8c9d0e-1f2a-4b3c-9d4e-5f6a7b8c9d0e"
EXAMPLE_WORKSHOP = "8c9d0e1f-2a3b-4c4d-8e5f-6a7b8c9d0e1f"


class SupervisionCreate(ApiModel):
    """A supervision session with its supervisors (registry people)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "held_on": "2019-03-14",
                    "place": "Bologna, viale Aldo Moro 21",
                    "edition_id": EXAMPLE_EDITION,
                    "supervisor_person_ids": [EXAMPLE_PERSON],
                }
            ]
        },
    )

    held_on: ApiDate
    place: OptionalText = ""
    edition_id: uuid.UUID | None = Field(
        default=None, description="The programme edition (workshops service) the session belongs to."
    )
    supervisor_person_ids: list[uuid.UUID] = Field(min_length=1, max_length=20)


class SupervisionCaseCreate(ApiModel):
    """A case a facilitator or tutor brings to a session, from a process or one of its workshops."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "supervision_id": EXAMPLE_SUPERVISION,
                    "facilitator_id": EXAMPLE_PERSON,
                    "process_id": EXAMPLE_PROCESS,
                    "workshop_id": EXAMPLE_WORKSHOP,
                    "title": "Un tavolo che non decolla",
                }
            ]
        },
    )

    supervision_id: uuid.UUID
    facilitator_id: uuid.UUID = Field(
        description="The facilitator or tutor (registry person) bringing the case."
    )
    process_id: uuid.UUID
    workshop_id: uuid.UUID | None = Field(
        default=None, description="A workshop of the process, if the case is one."
    )
    title: ShortText


class SupervisionNoteCreate(ApiModel):
    """A note on a case: private to the case's participants and regional administrators."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"body": "Restituire al tavolo le domande raccolte prima di proporre soluzioni."}]
        },
    )

    body: LongText = Field(min_length=1)


class SupervisionCasePublic(PublicModel):
    """A case of a session (its notes are read at /supervision-cases/{id}/notes)."""

    id: uuid.UUID
    supervision_id: uuid.UUID
    facilitator_id: uuid.UUID
    subject_kind: CaseSubjectKind
    process_id: uuid.UUID
    workshop_id: uuid.UUID | None
    district_id: uuid.UUID
    edition_id: uuid.UUID | None
    title: str
    notes: int
    created_at: datetime


class SupervisionPublic(PublicModel):
    """A supervision session with its supervisors and cases."""

    id: uuid.UUID
    held_on: date
    place: str
    edition_id: uuid.UUID | None
    supervisor_person_ids: list[uuid.UUID]
    cases: list[SupervisionCasePublic]
    version: int
    created_at: datetime


class SupervisionNotePublic(PublicModel):
    """A private note on a case."""

    id: uuid.UUID
    supervision_case_id: uuid.UUID
    author_id: uuid.UUID | None
    body: str
    created_at: datetime
