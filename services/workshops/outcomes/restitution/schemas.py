"""Response bodies of restitution."""

from __future__ import annotations

import uuid

from pydantic import BaseModel

from services.workshops.outcomes.inventions.schemas import InventionPublic
from services.workshops.outcomes.priorities.schemas import PriorityPublic
from services.workshops.outcomes.schemas import WorkshopRef


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
