"""HTTP routes of the outcomes domain (thin: parse, authorise, call the service, shape the response)."""

from __future__ import annotations

import uuid
from datetime import date
from enum import Enum
from typing import Annotated, Any

from fastapi import APIRouter, Header, Query, Request, Response

from services.workshops.deps import RegistryDep
from services.workshops.outcomes import service
from services.workshops.outcomes.models import InventionKind, PriorityState, Theme
from services.workshops.outcomes.schemas import (
    EvaluationResponseCreate,
    EvaluationResponsePublic,
    EvaluationResults,
    EvaluationTemplateCreate,
    EvaluationTemplatePublic,
    EvaluationTemplateRevise,
    InventionCreate,
    InventionDetail,
    InventionHandover,
    InventionPublic,
    InventionUpdate,
    PriorityAssign,
    PriorityCreate,
    PriorityDecision,
    PriorityDetail,
    PriorityPlanAction,
    PriorityPublic,
    PriorityReport,
    PrioritySubmit,
    ProcessRestitution,
    WorkshopOutcomes,
)
from services.workshops.outcomes.statemachine import PriorityAction
from shared.api.etag import etag_for, expected_version_from_if_match, set_etag
from shared.api.idempotency import IdempotencyDep
from shared.api.pagination import CursorQuery, LimitQuery, Page, set_link_header
from shared.deps import PrincipalDep, SessionDep
from shared.errors import problem_responses

router = APIRouter()

OPENAPI_TAGS: list[dict[str, str]] = [
    {
        "name": "inventions",
        "description": "Inventions born in processes and workshops, by macro-theme, and their hand-over.",
    },
    {
        "name": "priorities",
        "description": "The yearly priority cycle: Ufficio di Piano, Comitato di Distretto, project tables, "
        "restitution and the local plan. Illegal steps are 409 with the allowed ones.",
    },
    {
        "name": "evaluations",
        "description": "Participatory evaluation cards: versioned templates, responses, results per dimension.",
    },
    {"name": "restitution", "description": "What restitution events report and what workshops produced."},
]

IfMatch = Annotated[
    str | None,
    Header(alias="If-Match", max_length=200, description="The ETag you read; 412 if it changed since."),
]

INVENTIONS: list[str | Enum] = ["inventions"]
PRIORITIES: list[str | Enum] = ["priorities"]
EVALUATIONS: list[str | Enum] = ["evaluations"]
RESTITUTION: list[str | Enum] = ["restitution"]

WRITE_ERRORS = problem_responses(401, 403, 404, 409, 412, 422, 503)


# ----- inventions ---------------------------------------------------------------------------------------------


@router.post(
    "/inventions",
    status_code=201,
    response_model=InventionPublic,
    summary="Record an invention born in a process",
    tags=INVENTIONS,
    responses=problem_responses(401, 403, 404, 409, 422, 503),
)
def create_invention(
    payload: InventionCreate,
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
    idempotency: IdempotencyDep,
    registry: RegistryDep,
) -> Any:
    """Create an invention (editors of the process's district)."""
    process = service.get_process(session=session, process_id=payload.process_id)
    principal.require_district_editor(process.district_id)
    if (replay := idempotency.replay(payload)) is not None:
        return replay
    invention = service.create_invention(session=session, registry=registry, process=process, data=payload)
    body = InventionPublic.model_validate(service.invention_view(invention))
    return idempotency.created(
        response, body, location=f"/inventions/{invention.id}", etag=etag_for(invention.version)
    )


@router.get(
    "/inventions",
    response_model=Page[InventionPublic],
    summary="List inventions by district, edition, process, workshop, theme or kind",
    tags=INVENTIONS,
    responses=problem_responses(422),
)
def list_inventions(
    request: Request,
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
    limit: LimitQuery = 50,
    cursor: CursorQuery = None,
    district_id: uuid.UUID | None = None,
    edition_id: uuid.UUID | None = None,
    process_id: uuid.UUID | None = None,
    workshop_id: uuid.UUID | None = None,
    theme: Theme | None = None,
    kind: InventionKind | None = None,
) -> Any:
    """One page of inventions, oldest first."""
    rows, next_cursor = service.list_inventions(
        session=session,
        district_id=district_id,
        edition_id=edition_id,
        process_id=process_id,
        workshop_id=workshop_id,
        theme=theme,
        kind=kind,
        limit=limit,
        cursor=cursor,
    )
    set_link_header(request, response, next_cursor)
    return Page[InventionPublic](
        items=[
            InventionPublic.model_validate(
                service.invention_view(row, show_people=principal.sees_personal_data)
            )
            for row in rows
        ],
        next_cursor=next_cursor,
    )


def _invention_detail(session: Any, invention: Any, principal: Any) -> InventionDetail:
    return InventionDetail.model_validate(
        service.invention_view(invention, show_people=principal.sees_personal_data)
        | {
            "origin_detail": service.origin_detail(
                session=session,
                process_id=invention.process_id,
                workshop_id=invention.workshop_id,
                origin_kind=invention.origin_kind,
                origin_id=invention.origin_id,
            )
        }
    )


@router.get(
    "/inventions/{invention_id}",
    response_model=InventionDetail,
    summary="An invention with its origin (process, workshop, session)",
    tags=INVENTIONS,
    responses=problem_responses(404, 422),
)
def get_invention(
    invention_id: uuid.UUID, response: Response, session: SessionDep, principal: PrincipalDep
) -> Any:
    """One invention."""
    invention = service.get_invention(session=session, invention_id=invention_id)
    set_etag(response, invention.version)
    return _invention_detail(session, invention, principal)


@router.patch(
    "/inventions/{invention_id}",
    response_model=InventionDetail,
    summary="Change an invention",
    tags=INVENTIONS,
    responses=WRITE_ERRORS,
)
def update_invention(
    invention_id: uuid.UUID,
    payload: InventionUpdate,
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
    registry: RegistryDep,
    if_match: IfMatch = None,
) -> Any:
    """Change the fields sent (editors of the invention's district; If-Match honoured)."""
    invention = service.get_invention(session=session, invention_id=invention_id)
    principal.require_district_editor(invention.district_id)
    expected = expected_version_from_if_match(if_match, invention.version)
    invention = service.update_invention(
        session=session, registry=registry, invention=invention, data=payload, expected_version=expected
    )
    set_etag(response, invention.version)
    return _invention_detail(session, invention, principal)


@router.post(
    "/inventions/{invention_id}/handover",
    response_model=InventionDetail,
    summary="Record to whom the invention is passed (a chi passo l'invenzione)",
    tags=INVENTIONS,
    responses=WRITE_ERRORS,
)
def hand_over_invention(
    invention_id: uuid.UUID,
    payload: InventionHandover,
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
    registry: RegistryDep,
    if_match: IfMatch = None,
) -> Any:
    """Hand the invention over to another district or an organisation."""
    invention = service.get_invention(session=session, invention_id=invention_id)
    principal.require_district_editor(invention.district_id)
    expected = expected_version_from_if_match(if_match, invention.version)
    invention = service.hand_over_invention(
        session=session, registry=registry, invention=invention, data=payload, expected_version=expected
    )
    set_etag(response, invention.version)
    return _invention_detail(session, invention, principal)


# ----- priorities ---------------------------------------------------------------------------------------------


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
    if (replay := idempotency.replay(payload)) is not None:
        return replay
    priority = service.create_priority(session=session, data=payload)
    body = PriorityPublic.model_validate(service.priority_view(priority))
    return idempotency.created(
        response, body, location=f"/priorities/{priority.id}", etag=etag_for(priority.version)
    )


def _priority_detail(session: Any, priority: Any, *, show_actors: bool = True) -> PriorityDetail:
    history = service.priority_history(session=session, priority=priority)
    if not show_actors:  # who pressed the button is for staff keys, as in the process history
        history = [entry | {"actor_id": None} for entry in history]
    return PriorityDetail.model_validate(
        service.priority_view(priority)
        | {
            "origin_detail": service.origin_detail(
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
    priority_id: uuid.UUID, response: Response, session: SessionDep, principal: PrincipalDep
) -> Any:
    """One priority (the actors of its steps are shown to staff keys only)."""
    priority = service.get_priority(session=session, priority_id=priority_id)
    set_etag(response, priority.version)
    return _priority_detail(session, priority, show_actors=principal.sees_personal_data)


def _prepare_step(
    *,
    session: Any,
    principal: Any,
    registry: Any,
    priority_id: uuid.UUID,
    action: PriorityAction,
    if_match: str | None,
    on: date | None = None,
) -> tuple[Any, int]:
    """Load, authorise, check If-Match: the part every step shares, in that order."""
    priority = service.get_priority(session=session, priority_id=priority_id)
    service.authorise_priority_step(
        registry=registry,
        principal=principal,
        priority=priority,
        action=action,
        on=on or service.today_in_rome(),
    )
    return priority, expected_version_from_if_match(if_match, priority.version)


def _step_response(session: Any, response: Response, priority: Any) -> PriorityDetail:
    set_etag(response, priority.version)
    return _priority_detail(session, priority)


@router.post(
    "/priorities/{priority_id}/submit",
    response_model=PriorityDetail,
    summary="Submit a proposed priority to the Comitato di Distretto for a year (Ufficio di Piano)",
    tags=PRIORITIES,
    responses=WRITE_ERRORS,
)
def submit_priority(
    priority_id: uuid.UUID,
    payload: PrioritySubmit,
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
    registry: RegistryDep,
    if_match: IfMatch = None,
) -> Any:
    """proposed -> submitted; needs a role in the district's Ufficio di Piano."""
    priority, expected = _prepare_step(
        session=session,
        principal=principal,
        registry=registry,
        priority_id=priority_id,
        action=PriorityAction.SUBMIT,
        if_match=if_match,
    )
    priority = service.submit_priority(
        session=session, priority=priority, year=payload.year, expected_version=expected
    )
    return _step_response(session, response, priority)


@router.post(
    "/priorities/{priority_id}/validate",
    response_model=PriorityDetail,
    summary="Validate a submitted priority (Comitato di Distretto)",
    tags=PRIORITIES,
    responses=WRITE_ERRORS,
)
def validate_priority(
    priority_id: uuid.UUID,
    payload: PriorityDecision,
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
    registry: RegistryDep,
    if_match: IfMatch = None,
) -> Any:
    """submitted -> validated; needs a role in the district's Comitato di Distretto on the sitting date."""
    priority, expected = _prepare_step(
        session=session,
        principal=principal,
        registry=registry,
        priority_id=priority_id,
        action=PriorityAction.VALIDATE,
        if_match=if_match,
        on=payload.sitting_date,
    )
    priority = service.decide_priority(
        session=session,
        priority=priority,
        validated=True,
        sitting_date=payload.sitting_date,
        motivation=payload.motivation,
        expected_version=expected,
    )
    return _step_response(session, response, priority)


@router.post(
    "/priorities/{priority_id}/reject",
    response_model=PriorityDetail,
    summary="Reject a submitted priority (Comitato di Distretto)",
    tags=PRIORITIES,
    responses=WRITE_ERRORS,
)
def reject_priority(
    priority_id: uuid.UUID,
    payload: PriorityDecision,
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
    registry: RegistryDep,
    if_match: IfMatch = None,
) -> Any:
    """submitted -> rejected; needs a role in the district's Comitato di Distretto on the sitting date."""
    priority, expected = _prepare_step(
        session=session,
        principal=principal,
        registry=registry,
        priority_id=priority_id,
        action=PriorityAction.REJECT,
        if_match=if_match,
        on=payload.sitting_date,
    )
    priority = service.decide_priority(
        session=session,
        priority=priority,
        validated=False,
        sitting_date=payload.sitting_date,
        motivation=payload.motivation,
        expected_version=expected,
    )
    return _step_response(session, response, priority)


@router.post(
    "/priorities/{priority_id}/assign",
    response_model=PriorityDetail,
    summary="Assign a validated priority to its project table",
    tags=PRIORITIES,
    responses=WRITE_ERRORS,
)
def assign_priority(
    priority_id: uuid.UUID,
    payload: PriorityAssign,
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
    registry: RegistryDep,
    if_match: IfMatch = None,
) -> Any:
    """validated -> assigned (workshops of method project_table of the district)."""
    priority, expected = _prepare_step(
        session=session,
        principal=principal,
        registry=registry,
        priority_id=priority_id,
        action=PriorityAction.ASSIGN,
        if_match=if_match,
    )
    priority = service.assign_priority(
        session=session,
        priority=priority,
        workshop_ids=payload.project_table_workshop_ids,
        expected_version=expected,
    )
    return _step_response(session, response, priority)


@router.post(
    "/priorities/{priority_id}/start",
    response_model=PriorityDetail,
    summary="Mark an assigned priority as in progress",
    tags=PRIORITIES,
    responses=WRITE_ERRORS,
)
def start_priority(
    priority_id: uuid.UUID,
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
    registry: RegistryDep,
    if_match: IfMatch = None,
) -> Any:
    """assigned -> in_progress (no body)."""
    priority, expected = _prepare_step(
        session=session,
        principal=principal,
        registry=registry,
        priority_id=priority_id,
        action=PriorityAction.START,
        if_match=if_match,
    )
    priority = service.start_priority(session=session, priority=priority, expected_version=expected)
    return _step_response(session, response, priority)


@router.post(
    "/priorities/{priority_id}/report",
    response_model=PriorityDetail,
    summary="Report a priority's outcome at a restitution event",
    tags=PRIORITIES,
    responses=WRITE_ERRORS,
)
def report_priority(
    priority_id: uuid.UUID,
    payload: PriorityReport,
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
    registry: RegistryDep,
    if_match: IfMatch = None,
) -> Any:
    """in_progress -> reported, with the outcome and the restitution workshop."""
    priority, expected = _prepare_step(
        session=session,
        principal=principal,
        registry=registry,
        priority_id=priority_id,
        action=PriorityAction.REPORT,
        if_match=if_match,
    )
    priority = service.report_priority(
        session=session,
        priority=priority,
        outcome=payload.outcome,
        restitution_workshop_id=payload.restitution_workshop_id,
        note=payload.note,
        expected_version=expected,
    )
    return _step_response(session, response, priority)


@router.post(
    "/priorities/{priority_id}/link-plan-action",
    response_model=PriorityDetail,
    summary="Link a reported priority to an action sheet of the local plan",
    tags=PRIORITIES,
    responses=WRITE_ERRORS,
)
def link_priority_to_plan_action(
    priority_id: uuid.UUID,
    payload: PriorityPlanAction,
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
    registry: RegistryDep,
    if_match: IfMatch = None,
) -> Any:
    """reported -> linked_to_plan_action."""
    priority, expected = _prepare_step(
        session=session,
        principal=principal,
        registry=registry,
        priority_id=priority_id,
        action=PriorityAction.LINK_PLAN_ACTION,
        if_match=if_match,
    )
    priority = service.link_priority_to_plan_action(
        session=session, priority=priority, plan_action=payload.plan_action, expected_version=expected
    )
    return _step_response(session, response, priority)


@router.get(
    "/districts/{district_id}/priorities",
    response_model=Page[PriorityPublic],
    summary="A district's priorities of a year and where each one is",
    tags=PRIORITIES,
    responses=problem_responses(404, 422, 503),
)
def list_district_priorities(
    district_id: uuid.UUID,
    request: Request,
    response: Response,
    session: SessionDep,
    registry: RegistryDep,
    year: Annotated[
        int | None, Query(ge=2000, le=2100, description="The year they were submitted for.")
    ] = None,
    state: Annotated[
        list[PriorityState] | None, Query(max_length=10, description="Only these states (repeatable).")
    ] = None,
    limit: LimitQuery = 50,
    cursor: CursorQuery = None,
) -> Any:
    """E.g. `?year=2026&state=validated&state=assigned&state=in_progress&state=reported`."""
    service.require_district(registry=registry, district_id=district_id)
    rows, next_cursor = service.list_district_priorities(
        session=session, district_id=district_id, year=year, states=state or [], limit=limit, cursor=cursor
    )
    set_link_header(request, response, next_cursor)
    return Page[PriorityPublic](
        items=[PriorityPublic.model_validate(service.priority_view(row)) for row in rows],
        next_cursor=next_cursor,
    )


# ----- evaluation cards ---------------------------------------------------------------------------------------


@router.post(
    "/evaluation-templates",
    status_code=201,
    response_model=EvaluationTemplatePublic,
    summary="Create an evaluation card template",
    tags=EVALUATIONS,
    responses=problem_responses(401, 403, 409, 422),
)
def create_evaluation_template(
    payload: EvaluationTemplateCreate,
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
    idempotency: IdempotencyDep,
) -> Any:
    """Regional templates (no district_id) by regional admins; a district's own by its editors."""
    if payload.district_id is None:
        principal.require_admin()
    else:
        principal.require_district_editor(payload.district_id)
    if (replay := idempotency.replay(payload)) is not None:
        return replay
    template, version = service.create_template(session=session, data=payload)
    body = EvaluationTemplatePublic.model_validate(service.template_view(template, version))
    return idempotency.created(
        response, body, location=f"/evaluation-templates/{template.id}", etag=etag_for(template.version)
    )


@router.get(
    "/evaluation-templates",
    response_model=Page[EvaluationTemplatePublic],
    summary="List evaluation card templates (those usable in a district with `district_id`)",
    tags=EVALUATIONS,
    responses=problem_responses(422),
)
def list_evaluation_templates(
    request: Request,
    response: Response,
    session: SessionDep,
    district_id: uuid.UUID | None = None,
    limit: LimitQuery = 50,
    cursor: CursorQuery = None,
) -> Any:
    """Templates with their current dimensions."""
    rows, next_cursor = service.list_templates(
        session=session, district_id=district_id, limit=limit, cursor=cursor
    )
    set_link_header(request, response, next_cursor)
    items = [
        EvaluationTemplatePublic.model_validate(
            service.template_view(row, service.get_template_version(session=session, template=row))
        )
        for row in rows
    ]
    return Page[EvaluationTemplatePublic](items=items, next_cursor=next_cursor)


@router.get(
    "/evaluation-templates/{template_id}",
    response_model=EvaluationTemplatePublic,
    summary="An evaluation card template (current version, or `?template_version=`)",
    tags=EVALUATIONS,
    responses=problem_responses(404, 422),
)
def get_evaluation_template(
    template_id: uuid.UUID,
    response: Response,
    session: SessionDep,
    template_version: Annotated[int | None, Query(ge=1, le=100_000)] = None,
) -> Any:
    """One template with the dimensions of the version asked for."""
    template = service.get_template(session=session, template_id=template_id)
    version = service.get_template_version(session=session, template=template, number=template_version)
    set_etag(response, template.version)
    return EvaluationTemplatePublic.model_validate(service.template_view(template, version))


@router.put(
    "/evaluation-templates/{template_id}",
    response_model=EvaluationTemplatePublic,
    summary="Change a template: saves a new version",
    tags=EVALUATIONS,
    responses=WRITE_ERRORS,
)
def revise_evaluation_template(
    template_id: uuid.UUID,
    payload: EvaluationTemplateRevise,
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
    if_match: IfMatch = None,
) -> Any:
    """Regional templates by regional admins, a district's by its editors; earlier versions stay."""
    template = service.get_template(session=session, template_id=template_id)
    if template.district_id is None:
        principal.require_admin()
    else:
        principal.require_district_editor(template.district_id)
    expected = expected_version_from_if_match(if_match, template.version)
    template, version = service.revise_template(
        session=session, template=template, data=payload, expected_version=expected
    )
    set_etag(response, template.version)
    return EvaluationTemplatePublic.model_validate(service.template_view(template, version))


@router.post(
    "/evaluation-responses",
    status_code=201,
    response_model=EvaluationResponsePublic,
    summary="Record a filled-in evaluation card for a process or workshop",
    tags=EVALUATIONS,
    responses=problem_responses(401, 403, 404, 409, 422, 503),
)
def record_evaluation_response(
    payload: EvaluationResponseCreate,
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
    idempotency: IdempotencyDep,
    registry: RegistryDep,
) -> Any:
    """Editors of the process's district, or the facilitators of the workshop, record cards."""
    process = service.get_process(session=session, process_id=payload.process_id)
    workshop = None
    if payload.workshop_id is not None:
        workshop = service.get_workshop(session=session, workshop_id=payload.workshop_id)
        # A workshop's facilitators count only for their own workshop's process.
        facilitators = workshop.facilitator_ids if workshop.process_id == process.id else []
        principal.require_facilitator_or_editor(process.district_id, facilitators)
    else:
        principal.require_district_editor(process.district_id)
    if (replay := idempotency.replay(payload)) is not None:
        return replay
    recorded = service.record_response(
        session=session, registry=registry, process=process, workshop=workshop, data=payload
    )
    body = EvaluationResponsePublic.model_validate(recorded)
    return idempotency.created(
        response, body, location=f"/evaluation-responses/{recorded.id}", etag=etag_for(recorded.version)
    )


def _results(session: Any, template_id: uuid.UUID, scope: str, scope_id: uuid.UUID) -> EvaluationResults:
    template = service.get_template(session=session, template_id=template_id)
    return EvaluationResults.model_validate(
        service.evaluation_results(session=session, template=template, scope=scope, scope_id=scope_id)
    )


TemplateQuery = Annotated[uuid.UUID, Query(description="The template whose answers to aggregate.")]


@router.get(
    "/processes/{process_id}/evaluation-results",
    response_model=EvaluationResults,
    summary="Evaluation results of a process, per dimension",
    tags=EVALUATIONS,
    responses=problem_responses(404, 422),
)
def get_process_evaluation_results(
    process_id: uuid.UUID, template_id: TemplateQuery, session: SessionDep
) -> Any:
    """Count, mean and distribution per dimension over the process's responses."""
    service.get_process(session=session, process_id=process_id)
    return _results(session, template_id, "process", process_id)


@router.get(
    "/districts/{district_id}/evaluation-results",
    response_model=EvaluationResults,
    summary="Evaluation results of a district, per dimension",
    tags=EVALUATIONS,
    responses=problem_responses(404, 422, 503),
)
def get_district_evaluation_results(
    district_id: uuid.UUID, template_id: TemplateQuery, session: SessionDep, registry: RegistryDep
) -> Any:
    """Count, mean and distribution per dimension over all the district's processes."""
    service.require_district(registry=registry, district_id=district_id)
    return _results(session, template_id, "district", district_id)


@router.get(
    "/editions/{edition_id}/evaluation-results",
    response_model=EvaluationResults,
    summary="Evaluation results of a programme edition, per dimension",
    tags=EVALUATIONS,
    responses=problem_responses(404, 422),
)
def get_edition_evaluation_results(
    edition_id: uuid.UUID, template_id: TemplateQuery, session: SessionDep
) -> Any:
    """Count, mean and distribution per dimension over the edition's processes."""
    service.get_edition(session=session, edition_id=edition_id)
    return _results(session, template_id, "edition", edition_id)


# ----- restitution --------------------------------------------------------------------------------------------


@router.get(
    "/processes/{process_id}/restitution",
    response_model=ProcessRestitution,
    summary="The material of a process's restitution events",
    tags=RESTITUTION,
    responses=problem_responses(404, 422),
)
def get_process_restitution(process_id: uuid.UUID, session: SessionDep, principal: PrincipalDep) -> Any:
    """Priorities and inventions each restitution event reports, and those not yet reported."""
    process = service.get_process(session=session, process_id=process_id)
    return ProcessRestitution.model_validate(
        service.process_restitution(
            session=session, process=process, show_people=principal.sees_personal_data
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
    workshop = service.get_workshop(session=session, workshop_id=workshop_id)
    return WorkshopOutcomes.model_validate(
        service.workshop_outcomes(
            session=session, workshop=workshop, show_people=principal.sees_personal_data
        )
    )
