"""HTTP routes of the priority cycle."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from enum import Enum
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Response

from services.workshops.deps import RegistryDep
from services.workshops.outcomes import base
from services.workshops.outcomes.deps import WRITE_ERRORS, PriorityForStep
from services.workshops.outcomes.models import Priority, PriorityState
from services.workshops.outcomes.priorities import service
from services.workshops.outcomes.priorities.schemas import (
    PriorityAssign,
    PriorityCreate,
    PriorityDecision,
    PriorityDetail,
    PriorityPlanAction,
    PriorityPublic,
    PriorityReport,
    PrioritySubmit,
)
from services.workshops.outcomes.statemachine import PriorityAction
from services.workshops.processes import base as processes
from services.workshops.processes.models import Process, Workshop
from shared.api.etag import etag_for, set_etag
from shared.api.idempotency import IdempotencyDep
from shared.api.pagination import Page, Paging
from shared.api.resources import Edit
from shared.api.timetravel import AsOfQuery, KnownAtQuery, TimePoint
from shared.auth.principal import Principal
from shared.deps import PrincipalDep, SessionDep
from shared.errors import problem_responses
from shared.privacy import Scope, may_see

PRIORITIES: list[str | Enum] = ["priorities"]
router = APIRouter()


@router.post(
    "/priorities",
    status_code=201,
    response_model=PriorityPublic,
    summary="Propose a priority (from a workshop or by the Ufficio di Piano)",
    tags=PRIORITIES,
    responses=problem_responses(401, 403, 409, 422, 503),
)
def propose_priority(
    payload: PriorityCreate,
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
    idempotency: IdempotencyDep,
) -> Any:
    """Create a priority in state `proposed` (editors of the district)."""
    principal.require_district_editor(payload.district_id)
    processes.require_local_references(
        session=session,
        principal=principal,
        district_id=payload.district_id,
        refs=[
            ("body.process_id", Process, payload.process_id),
            ("body.workshop_id", Workshop, payload.workshop_id),
        ],
    )
    if (replay := idempotency.replay(payload)) is not None:
        return replay
    priority = service.create_priority(session=session, data=payload)
    body = PriorityPublic.model_validate(service.priority_view(priority))
    return idempotency.created(
        response, body, location=f"/priorities/{priority.id}", etag=etag_for(priority.version)
    )


def _priority_detail(
    session: Any, priority: Any, *, show_actors: bool = True, point: TimePoint | None = None
) -> PriorityDetail:
    history = service.priority_history(session=session, priority=priority, point=point)
    if not show_actors:  # who pressed the button is for staff keys, as in the process history
        history = [entry | {"actor_id": None} for entry in history]
    view = (
        service.priority_at(session=session, priority=priority, point=point)
        if point is not None and not point.is_now
        else service.priority_view(priority)
    )
    return PriorityDetail.model_validate(
        view
        | {
            "origin_detail": base.origin_detail(
                session=session,
                process_id=priority.process_id,
                workshop_id=priority.workshop_id,
                origin_kind=priority.origin_kind,
                origin_id=priority.origin_id,
            ),
            "history": history,
        }
    )


@router.get(
    "/priorities/{priority_id}",
    response_model=PriorityDetail,
    summary="A priority with its origin, the steps allowed now and its full state history",
    tags=PRIORITIES,
    responses=problem_responses(404, 422),
)
def get_priority(
    priority_id: uuid.UUID,
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
    as_of: AsOfQuery = None,
    known_at: KnownAtQuery = None,
) -> Any:
    """One priority (the actors of its steps are shown to staff keys only), now or at a past point."""
    priority = service.get_priority(session=session, priority_id=priority_id)
    detail = _priority_detail(
        session,
        priority,
        show_actors=may_see(principal, Scope.of([priority.district_id])),
        point=TimePoint.of(as_of, known_at),
    )
    set_etag(response, detail.version)
    return detail


@dataclass(frozen=True)
class Step:
    """A step of a priority's cycle being taken: the priority (If-Match kept) and who takes it."""

    edit: Edit[Priority]
    response: Response
    session: Any
    principal: Principal
    registry: Any

    def authorise(self, action: PriorityAction, on: date | None = None) -> int:
        """The caller's right to take this step (a role in the district's body, on the date), then If-Match."""
        service.authorise_priority_step(
            registry=self.registry,
            principal=self.principal,
            priority=self.edit.row,
            action=action,
            on=on or base.today_in_rome(),
        )
        return self.edit.expected_version

    def require_workshops(self, refs: list[tuple[str, uuid.UUID]]) -> None:
        """Workshops named in a step's body must be of a district this key may use (403 before state checks)."""
        processes.require_local_references(
            session=self.session,
            principal=self.principal,
            district_id=self.edit.row.district_id,
            refs=[(path, Workshop, workshop_id) for path, workshop_id in refs],
        )

    def answer(self, priority: Priority) -> PriorityDetail:
        """The priority after the step, its new ETag set."""
        set_etag(self.response, priority.version)
        return _priority_detail(self.session, priority)


def _step(
    edit: PriorityForStep,
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
    registry: RegistryDep,
) -> Step:
    return Step(edit, response, session, principal, registry)


StepDep = Annotated[Step, Depends(_step)]


def _decide(step: Step, payload: PriorityDecision, *, validated: bool) -> PriorityDetail:
    """The Comitato di Distretto's decision at its sitting: validated or rejected."""
    action = PriorityAction.VALIDATE if validated else PriorityAction.REJECT
    priority = service.decide_priority(
        session=step.session,
        priority=step.edit.row,
        validated=validated,
        sitting_date=payload.sitting_date,
        motivation=payload.motivation,
        expected_version=step.authorise(action, on=payload.sitting_date),
    )
    return step.answer(priority)


@router.post(
    "/priorities/{priority_id}/submit",
    response_model=PriorityDetail,
    summary="Submit a proposed priority to the Comitato di Distretto for a year (Ufficio di Piano)",
    tags=PRIORITIES,
    responses=WRITE_ERRORS,
)
def submit_priority(step: StepDep, payload: PrioritySubmit) -> Any:
    """proposed -> submitted; needs a role in the district's Ufficio di Piano."""
    expected = step.authorise(PriorityAction.SUBMIT)
    priority = service.submit_priority(
        session=step.session, priority=step.edit.row, year=payload.year, expected_version=expected
    )
    return step.answer(priority)


@router.post(
    "/priorities/{priority_id}/validate",
    response_model=PriorityDetail,
    summary="Validate a submitted priority (Comitato di Distretto)",
    tags=PRIORITIES,
    responses=WRITE_ERRORS,
)
def validate_priority(step: StepDep, payload: PriorityDecision) -> Any:
    """submitted -> validated; needs a role in the district's Comitato di Distretto on the sitting date."""
    return _decide(step, payload, validated=True)


@router.post(
    "/priorities/{priority_id}/reject",
    response_model=PriorityDetail,
    summary="Reject a submitted priority (Comitato di Distretto)",
    tags=PRIORITIES,
    responses=WRITE_ERRORS,
)
def reject_priority(step: StepDep, payload: PriorityDecision) -> Any:
    """submitted -> rejected; needs a role in the district's Comitato di Distretto on the sitting date."""
    return _decide(step, payload, validated=False)


@router.post(
    "/priorities/{priority_id}/assign",
    response_model=PriorityDetail,
    summary="Assign a validated priority to its project table",
    tags=PRIORITIES,
    responses=WRITE_ERRORS,
)
def assign_priority(step: StepDep, payload: PriorityAssign) -> Any:
    """validated -> assigned (workshops of method project_table of the district)."""
    workshop_ids = payload.project_table_workshop_ids
    step.require_workshops([(f"body.project_table_workshop_ids[{i}]", w) for i, w in enumerate(workshop_ids)])
    expected = step.authorise(PriorityAction.ASSIGN)
    priority = service.assign_priority(
        session=step.session, priority=step.edit.row, workshop_ids=workshop_ids, expected_version=expected
    )
    return step.answer(priority)


@router.post(
    "/priorities/{priority_id}/start",
    response_model=PriorityDetail,
    summary="Mark an assigned priority as in progress",
    tags=PRIORITIES,
    responses=WRITE_ERRORS,
)
def start_priority(step: StepDep) -> Any:
    """assigned -> in_progress (no body)."""
    expected = step.authorise(PriorityAction.START)
    return step.answer(
        service.start_priority(session=step.session, priority=step.edit.row, expected_version=expected)
    )


@router.post(
    "/priorities/{priority_id}/report",
    response_model=PriorityDetail,
    summary="Report a priority's outcome at a restitution event",
    tags=PRIORITIES,
    responses=WRITE_ERRORS,
)
def report_priority(step: StepDep, payload: PriorityReport) -> Any:
    """in_progress -> reported, with the outcome and the restitution workshop."""
    step.require_workshops([("body.restitution_workshop_id", payload.restitution_workshop_id)])
    expected = step.authorise(PriorityAction.REPORT)
    priority = service.report_priority(
        session=step.session,
        priority=step.edit.row,
        outcome=payload.outcome,
        restitution_workshop_id=payload.restitution_workshop_id,
        note=payload.note,
        expected_version=expected,
    )
    return step.answer(priority)


@router.post(
    "/priorities/{priority_id}/link-plan-action",
    response_model=PriorityDetail,
    summary="Link a reported priority to an action sheet of the local plan",
    tags=PRIORITIES,
    responses=WRITE_ERRORS,
)
def link_priority_to_plan_action(step: StepDep, payload: PriorityPlanAction) -> Any:
    """reported -> linked_to_plan_action."""
    expected = step.authorise(PriorityAction.LINK_PLAN_ACTION)
    priority = service.link_priority_to_plan_action(
        session=step.session,
        priority=step.edit.row,
        plan_action=payload.plan_action,
        expected_version=expected,
    )
    return step.answer(priority)


@router.get(
    "/districts/{district_id}/priorities",
    response_model=Page[PriorityPublic],
    summary="A district's priorities of a year and where each one is",
    tags=PRIORITIES,
    responses=problem_responses(404, 422, 503),
)
def list_district_priorities(
    district_id: uuid.UUID,
    session: SessionDep,
    registry: RegistryDep,
    paging: Paging,
    year: Annotated[
        int | None, Query(ge=2000, le=2100, description="The year they were submitted for.")
    ] = None,
    state: Annotated[
        list[PriorityState] | None, Query(max_length=10, description="Only these states (repeatable).")
    ] = None,
) -> Any:
    """E.g. `?year=2026&state=validated&state=assigned&state=in_progress&state=reported`."""
    base.require_district(registry=registry, district_id=district_id)
    rows, next_cursor = service.list_district_priorities(
        session=session,
        district_id=district_id,
        year=year,
        states=state or [],
        limit=paging.limit,
        cursor=paging.cursor,
    )
    return paging.page(
        [PriorityPublic.model_validate(service.priority_view(row)) for row in rows], next_cursor
    )
