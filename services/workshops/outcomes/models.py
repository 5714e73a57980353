"""Tables of the outcomes domain: inventions, priorities, evaluation templates and responses.

Process, workshop and district ids are plain UUID columns without database foreign keys: processes and
workshops belong to another migration component, districts to the registry (another service).
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from shared.db import JSONType, UTCDateTime, utcnow

SCHEMA = "workshops"


class InventionKind(StrEnum):
    """What an invention is (DOMAIN.md, "Invenzione")."""

    ACTION = "action"
    PRODUCT = "product"
    DOCUMENT = "document"
    SERVICE_ORGANISATION = "service_organisation"
    CITIZEN_ENGAGEMENT = "citizen_engagement"


class Theme(StrEnum):
    """The six macro-themes of the Community Express inventions."""

    OLTRE_I_SERVIZI = "oltre_i_servizi"
    RETI_VIVE = "reti_vive"
    IL_FRONTE_INTERNO = "il_fronte_interno"
    PRODOTTI_TANGIBILI = "prodotti_tangibili"
    NUOVI_LINGUAGGI_COMPETENZE = "nuovi_linguaggi_competenze"
    NARRARE_I_PROCESSI = "narrare_i_processi"


THEME_LABELS: dict[Theme, dict[str, str]] = {
    Theme.OLTRE_I_SERVIZI: {"it": "Oltre i servizi", "en": "Beyond services"},
    Theme.RETI_VIVE: {"it": "Reti vive", "en": "Living networks"},
    Theme.IL_FRONTE_INTERNO: {"it": "Il fronte interno", "en": "The inner front"},
    Theme.PRODOTTI_TANGIBILI: {"it": "I prodotti tangibili", "en": "Tangible products"},
    Theme.NUOVI_LINGUAGGI_COMPETENZE: {
        "it": "Nuovi linguaggi e nuove competenze",
        "en": "New languages and new skills",
    },
    Theme.NARRARE_I_PROCESSI: {"it": "Narrare i processi", "en": "Telling the processes"},
}


class PrioritySource(StrEnum):
    """Who proposed a priority."""

    WORKSHOP = "workshop"
    UFFICIO_DI_PIANO = "ufficio_di_piano"


class PriorityState(StrEnum):
    """States of the priority cycle (see statemachine.py for the allowed transitions)."""

    PROPOSED = "proposed"
    SUBMITTED = "submitted"
    VALIDATED = "validated"
    REJECTED = "rejected"
    ASSIGNED = "assigned"
    IN_PROGRESS = "in_progress"
    REPORTED = "reported"
    LINKED_TO_PLAN_ACTION = "linked_to_plan_action"


class PriorityOutcome(StrEnum):
    """What the restitution event reported about a priority."""

    ACHIEVED = "achieved"
    PARTLY_ACHIEVED = "partly_achieved"
    NOT_ACHIEVED = "not_achieved"
    CARRIED_OVER = "carried_over"


def _enum(enum: type[StrEnum], name: str) -> sa.Enum:
    # Plain strings (no native PG enum) so adding a value needs no type migration.
    return sa.Enum(
        enum, name=name, native_enum=False, length=40, values_callable=lambda e: [m.value for m in e]
    )


class Invention(SQLModel, table=True):
    """An invention born in a process (optionally in one workshop and one of its sessions)."""

    __tablename__ = "inventions"
    __table_args__ = (
        sa.Index("ix_workshops_inventions_district_created", "district_id", "created_at"),
        {"schema": SCHEMA},
    )

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    process_id: uuid.UUID = Field(index=True)
    district_id: uuid.UUID
    edition_id: uuid.UUID | None = Field(default=None, index=True)
    workshop_id: uuid.UUID | None = Field(default=None, index=True)
    origin_kind: str | None = Field(default=None, max_length=40)
    origin_id: str | None = Field(default=None, max_length=64)
    title: str = Field(max_length=200)
    description: str = Field(default="", sa_type=sa.Text)
    kind: InventionKind = Field(sa_type=_enum(InventionKind, "invention_kind"))
    theme: Theme = Field(sa_type=_enum(Theme, "invention_theme"))
    person_ids: list[str] = Field(default_factory=list, sa_type=JSONType)
    organisation_ids: list[str] = Field(default_factory=list, sa_type=JSONType)
    attachments: list[dict[str, Any]] = Field(default_factory=list, sa_type=JSONType)
    restitution_workshop_id: uuid.UUID | None = Field(default=None, index=True)
    handed_over_to_district_id: uuid.UUID | None = None
    handed_over_to_organisation_id: uuid.UUID | None = None
    handed_over_on: date | None = None
    handover_note: str | None = Field(default=None, sa_type=sa.Text)
    version: int = Field(default=0)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Priority(SQLModel, table=True):
    """A priority going through the yearly cycle; ``state`` is kept by statemachine.py."""

    __tablename__ = "priorities"
    __table_args__ = (
        sa.Index("ix_workshops_priorities_district_year", "district_id", "year"),
        {"schema": SCHEMA},
    )

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    district_id: uuid.UUID
    process_id: uuid.UUID | None = Field(default=None, index=True)
    edition_id: uuid.UUID | None = None
    workshop_id: uuid.UUID | None = Field(default=None, index=True)
    origin_kind: str | None = Field(default=None, max_length=40)
    origin_id: str | None = Field(default=None, max_length=64)
    source: PrioritySource = Field(sa_type=_enum(PrioritySource, "priority_source"))
    title: str = Field(max_length=200)
    description: str = Field(default="", sa_type=sa.Text)
    state: PriorityState = Field(
        default=PriorityState.PROPOSED, sa_type=_enum(PriorityState, "priority_state")
    )
    year: int | None = None
    sitting_date: date | None = None
    motivation: str | None = Field(default=None, sa_type=sa.Text)
    project_table_workshop_ids: list[str] = Field(default_factory=list, sa_type=JSONType)
    outcome: PriorityOutcome | None = Field(default=None, sa_type=_enum(PriorityOutcome, "priority_outcome"))
    outcome_note: str | None = Field(default=None, sa_type=sa.Text)
    restitution_workshop_id: uuid.UUID | None = Field(default=None, index=True)
    plan_action: str | None = Field(default=None, max_length=64)
    version: int = Field(default=0)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class EvaluationTemplate(SQLModel, table=True):
    """A participatory evaluation card template; its dimensions live in versions."""

    __tablename__ = "evaluation_templates"
    __table_args__ = {"schema": SCHEMA}

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    # None: a regional template usable everywhere; otherwise the district that owns it.
    district_id: uuid.UUID | None = Field(default=None, index=True)
    name_it: str = Field(max_length=200)
    name_en: str = Field(max_length=200)
    current_version: int = Field(default=1)
    version: int = Field(default=0)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class EvaluationTemplateVersion(SQLModel, table=True):
    """One immutable version of a template's dimensions; responses point at the version they answered."""

    __tablename__ = "evaluation_template_versions"
    __table_args__ = (
        sa.UniqueConstraint("template_id", "number", name="uq_evaluation_template_versions_number"),
        {"schema": SCHEMA},
    )

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    template_id: uuid.UUID = Field(foreign_key="workshops.evaluation_templates.id", index=True)
    number: int
    dimensions: list[dict[str, Any]] = Field(default_factory=list, sa_type=JSONType)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class EvaluationResponse(SQLModel, table=True):
    """One participant's filled-in card for a process (optionally a workshop)."""

    __tablename__ = "evaluation_responses"
    __table_args__ = {"schema": SCHEMA}

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    template_id: uuid.UUID = Field(foreign_key="workshops.evaluation_templates.id", index=True)
    template_version: int
    process_id: uuid.UUID = Field(index=True)
    workshop_id: uuid.UUID | None = Field(default=None, index=True)
    district_id: uuid.UUID = Field(index=True)
    edition_id: uuid.UUID | None = Field(default=None, index=True)
    person_id: str | None = Field(default=None, max_length=64)
    answers: dict[str, Any] = Field(default_factory=dict, sa_type=JSONType)
    version: int = Field(default=0)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class EvaluationAnswer(SQLModel, table=True):
    """One scale or choice answer, denormalised so results aggregate in SQL by process, district, edition."""

    __tablename__ = "evaluation_answers"
    # One covering index per results scope (migration workshops_outcomes_0004).
    __table_args__ = (
        sa.Index(
            "ix_workshops_evaluation_answers_process_results",
            "process_id",
            "template_id",
            "dimension",
            "value",
        ),
        sa.Index(
            "ix_workshops_evaluation_answers_district_results",
            "district_id",
            "template_id",
            "dimension",
            "value",
        ),
        sa.Index(
            "ix_workshops_evaluation_answers_edition_results",
            "edition_id",
            "template_id",
            "dimension",
            "value",
        ),
        {"schema": SCHEMA},
    )

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    response_id: uuid.UUID = Field(foreign_key="workshops.evaluation_responses.id", index=True)
    template_id: uuid.UUID
    template_version: int
    dimension: str = Field(max_length=64)
    value: str = Field(max_length=64)
    numeric_value: int | None = None
    process_id: uuid.UUID
    district_id: uuid.UUID
    edition_id: uuid.UUID | None = None
