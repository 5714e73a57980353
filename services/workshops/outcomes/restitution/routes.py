"""HTTP routes of restitution."""

from __future__ import annotations

import uuid
from enum import Enum
from typing import Any

from fastapi import APIRouter

from services.workshops.outcomes.restitution import service
from services.workshops.outcomes.restitution.schemas import ProcessRestitution, WorkshopOutcomes
from services.workshops.processes import base as processes
from shared.deps import PrincipalDep, SessionDep
from shared.errors import problem_responses
from shared.privacy import Scope, may_see

RESTITUTION: list[str | Enum] = ["restitution"]
router = APIRouter()


@router.get(
    "/processes/{process_id}/restitution",
    response_model=ProcessRestitution,
    summary="The material of a process's restitution events",
    tags=RESTITUTION,
    responses=problem_responses(404, 422),
)
def get_process_restitution(process_id: uuid.UUID, session: SessionDep, principal: PrincipalDep) -> Any:
    """Priorities and inventions each restitution event reports, and those not yet reported."""
    process = processes.get_process(session=session, process_id=process_id)
    return ProcessRestitution.model_validate(
        service.process_restitution(
            session=session, process=process, show_people=may_see(principal, Scope.of([process.district_id]))
        )
    )


@router.get(
    "/workshops/{workshop_id}/outcomes",
    response_model=WorkshopOutcomes,
    summary="Inventions and priority proposals born in a workshop",
    tags=RESTITUTION,
    responses=problem_responses(404, 422),
)
def get_workshop_outcomes(workshop_id: uuid.UUID, session: SessionDep, principal: PrincipalDep) -> Any:
    """What a workshop produced."""
    workshop = processes.get_workshop(session=session, workshop_id=workshop_id)
    return WorkshopOutcomes.model_validate(
        service.workshop_outcomes(
            session=session,
            workshop=workshop,
            show_people=may_see(principal, Scope.of([workshop.district_id], workshop.facilitator_ids)),
        )
    )
