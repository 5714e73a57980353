"""Tables of the participation domain: per-process settings, proposals, supports, priorities' provenance.

Whether a phase takes proposals is the phase's own ``open_to_proposals`` (processes domain), during its days.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from shared.db import JSONType, UTCDateTime, utcnow

SCHEMA = "workshops"


class ProposalState(StrEnum):
    """Life cycle of a proposal (the official answer is kept apart, in ``answer_state``)."""

    PUBLISHED = "published"
    WITHDRAWN = "withdrawn"
    MERGED = "merged"
    PROMOTED = "promoted"


class AnswerCategory(StrEnum):
    """What a process's own answer state means for reports."""

    ACCEPTED = "accepted"
    EVALUATING = "evaluating"
    REJECTED = "rejected"


def _enum(enum: type[StrEnum], name: str) -> sa.Enum:
    # Plain strings (no native PG enum) so adding a value needs no type migration.
    return sa.Enum(
        enum, name=name, native_enum=False, length=40, values_callable=lambda e: [m.value for m in e]
    )


class ParticipationSettings(SQLModel, table=True):
    """How a process takes proposals: limits, its own topics and answer states, the comment edit window."""

    __tablename__ = "participation_settings"
    __table_args__ = {"schema": SCHEMA}

    process_id: uuid.UUID = Field(foreign_key="workshops.processes.id", primary_key=True)
    district_id: uuid.UUID = Field(index=True)
    max_proposals_per_person: int = Field(default=3)
    topics: list[dict[str, Any]] = Field(default_factory=list, sa_type=JSONType)
    answer_states: list[dict[str, Any]] = Field(default_factory=list, sa_type=JSONType)
    comment_edit_minutes: int = Field(default=15)
    version: int = Field(default=0)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Proposal(SQLModel, table=True):
    """A participant's proposal to a process."""

    __tablename__ = "proposals"
    __table_args__ = (
        sa.Index("ix_workshops_proposals_process_created", "process_id", "created_at"),
        sa.Index("ix_workshops_proposals_process_supports", "process_id", "support_count"),
        {"schema": SCHEMA},
    )

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    process_id: uuid.UUID = Field(foreign_key="workshops.processes.id")
    district_id: uuid.UUID = Field(index=True)
    phase_id: uuid.UUID = Field(foreign_key="workshops.process_phases.id")
    # The registry person who proposed it; None once they are erased (the proposal stays).
    author_id: str | None = Field(default=None, max_length=64, index=True)
    title: str = Field(max_length=200)
    body: str = Field(default="", sa_type=sa.Text)
    body_html: str = Field(default="", sa_type=sa.Text)
    theme: str = Field(max_length=64)
    links: list[str] = Field(default_factory=list, sa_type=JSONType)
    state: ProposalState = Field(
        default=ProposalState.PUBLISHED, sa_type=_enum(ProposalState, "proposal_state")
    )
    answer_state: str | None = Field(default=None, max_length=64)
    answer_category: AnswerCategory | None = Field(
        default=None, sa_type=_enum(AnswerCategory, "answer_category")
    )
    answer_text: str | None = Field(default=None, sa_type=sa.Text)
    answered_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    merged_into_id: uuid.UUID | None = Field(default=None)
    priority_id: uuid.UUID | None = Field(default=None, index=True)
    support_count: int = Field(default=0)
    comment_count: int = Field(default=0)
    search_text: str = Field(default="", sa_type=sa.Text)
    version: int = Field(default=0)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Support(SQLModel, table=True):
    """One person's support of a proposal (the primary key makes it one per person)."""

    __tablename__ = "proposal_supports"
    __table_args__ = {"schema": SCHEMA}

    proposal_id: uuid.UUID = Field(foreign_key="workshops.proposals.id", primary_key=True)
    person_id: str = Field(max_length=64, primary_key=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class PriorityProvenance(SQLModel, table=True):
    """A priority born from proposals: which proposals it cites."""

    __tablename__ = "priority_proposals"
    __table_args__ = {"schema": SCHEMA}

    priority_id: uuid.UUID = Field(foreign_key="workshops.priorities.id", primary_key=True)
    proposal_id: uuid.UUID = Field(foreign_key="workshops.proposals.id", primary_key=True)
