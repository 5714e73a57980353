"""What a checked bundle will write: one typed record per row, with references resolved to bundle rows or records.

A ``Ref`` points either to another row of the bundle (``key``) or to a record already in the database (``id``).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from services.workshops.imports.bundle import Row
from services.workshops.outcomes.models import InventionKind, PriorityOutcome, PrioritySource, Theme
from services.workshops.processes.models import WorkshopMethod, WorkshopStatus


@dataclass(frozen=True)
class Ref:
    """A reference: to a row of the bundle (``key``) or to a record already present (``id``)."""

    key: str | None = None
    id: uuid.UUID | None = None


@dataclass
class EditionPlan:
    row: Row
    key: str
    programme: str
    programme_description: str
    name: str
    starts_on: date
    ends_on: date
    district_ids: list[str]


@dataclass
class ProcessPlan:
    row: Row
    key: str
    edition: Ref
    district_id: str
    title: str
    started_on: date
    purpose: str
    methods_and_tools: str
    location: str
    closed_on: date | None


@dataclass
class WorkshopPlan:
    row: Row
    key: str
    process: Ref
    method: WorkshopMethod
    title: str
    starts_at: datetime
    ends_at: datetime
    venue: str | None
    description: str
    status: WorkshopStatus
    attendance: dict[str, int] = field(default_factory=dict)
    district_id: str = ""


@dataclass
class InventionPlan:
    row: Row
    key: str
    process: Ref
    workshop: Ref | None
    title: str
    kind: InventionKind
    theme: Theme
    description: str
    handed_over_to: str | None
    handed_over_on: date | None
    handover_note: str | None


@dataclass
class PriorityPlan:
    row: Row
    key: str
    district_id: str
    process: Ref | None
    workshop: Ref | None
    title: str
    description: str
    source: PrioritySource
    proposed_on: date
    year: int | None
    submitted_on: date | None
    decision: str | None
    sitting_date: date | None
    motivation: str
    assigned_on: date | None
    project_tables: list[Ref]
    started_on: date | None
    outcome: PriorityOutcome | None
    restitution_workshop: Ref | None
    note: str | None


@dataclass
class EvaluationPlan:
    row: Row
    key: str
    workshop: Ref
    template_id: uuid.UUID
    answers: dict[str, Any]


@dataclass
class Plan:
    """What the bundle will write, in order."""

    editions: list[EditionPlan] = field(default_factory=list)
    processes: list[ProcessPlan] = field(default_factory=list)
    workshops: list[WorkshopPlan] = field(default_factory=list)
    inventions: list[InventionPlan] = field(default_factory=list)
    priorities: list[PriorityPlan] = field(default_factory=list)
    evaluations: list[EvaluationPlan] = field(default_factory=list)

    def count(self) -> dict[str, int]:
        """Rows per kind."""
        return {
            "editions": len(self.editions),
            "processes": len(self.processes),
            "workshops": len(self.workshops),
            "inventions": len(self.inventions),
            "priorities": len(self.priorities),
            "evaluations": len(self.evaluations),
        }
