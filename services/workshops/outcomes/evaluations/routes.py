"""HTTP routes of evaluation cards."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import Enum
from typing import Annotated, Any

from fastapi import APIRouter, Query, Response

from services.workshops.deps import RegistryDep
from services.workshops.outcomes import base
from services.workshops.outcomes.deps import WRITE_ERRORS, TemplateForEdit
from services.workshops.outcomes.evaluations import service
from services.workshops.outcomes.evaluations.schemas import (
    EvaluationResponseCreate,
    EvaluationResponsePublic,
    EvaluationResults,
    EvaluationTemplateCreate,
    EvaluationTemplatePublic,
    EvaluationTemplateRevise,
)
from services.workshops.outcomes.models import EvaluationTemplate
from services.workshops.processes import base as processes
from services.workshops.processes.models import Workshop
from shared.api.etag import etag_for, set_etag
from shared.api.idempotency import IdempotencyDep
from shared.api.pagination import Page, Paging
from shared.api.timetravel import AsOfQuery, KnownAtQuery, TimePoint
from shared.deps import PrincipalDep, SessionDep
from shared.errors import problem_responses

EVALUATIONS: list[str | Enum] = ["evaluations"]
router = APIRouter()


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
    session: SessionDep, paging: Paging, district_id: uuid.UUID | None = None
) -> Any:
    """Templates with their current dimensions."""
    rows, next_cursor = service.list_templates(
        session=session, district_id=district_id, limit=paging.limit, cursor=paging.cursor
    )
    items = [
        EvaluationTemplatePublic.model_validate(
            service.template_view(row, service.get_template_version(session=session, template=row))
        )
        for row in rows
    ]
    return paging.page(items, next_cursor)


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
    edit: TemplateForEdit, payload: EvaluationTemplateRevise, response: Response, session: SessionDep
) -> Any:
    """Regional templates by regional admins, a district's by its editors; earlier versions stay."""
    template, version = service.revise_template(
        session=session, template=edit.row, data=payload, expected_version=edit.expected_version
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
    process = processes.get_process(session=session, process_id=payload.process_id)
    workshop = None
    if payload.workshop_id is not None:
        workshop = processes.get_workshop(session=session, workshop_id=payload.workshop_id)
        # A workshop's facilitators count only for their own workshop's process.
        facilitators = workshop.facilitator_ids if workshop.process_id == process.id else []
        principal.require_facilitator_or_editor(process.district_id, facilitators)
    else:
        principal.require_district_editor(process.district_id)
    processes.require_local_references(
        session=session,
        principal=principal,
        district_id=process.district_id,
        refs=[
            ("body.template_id", EvaluationTemplate, payload.template_id),
            ("body.workshop_id", Workshop, payload.workshop_id),
        ],
    )
    processes.require_registry_references(
        registry=registry,
        principal=principal,
        district_id=process.district_id,
        people=[("body.person_id", payload.person_id)],
    )
    if (replay := idempotency.replay(payload)) is not None:
        return replay
    recorded = service.record_response(
        session=session, registry=registry, process=process, workshop=workshop, data=payload
    )
    body = EvaluationResponsePublic.model_validate(recorded)
    return idempotency.created(
        response, body, location=f"/evaluation-responses/{recorded.id}", etag=etag_for(recorded.version)
    )


def _results(
    session: Any,
    template_id: uuid.UUID,
    scope: str,
    scope_id: uuid.UUID,
    as_of: datetime | None,
    known_at: datetime | None,
) -> EvaluationResults:
    template = service.get_template(session=session, template_id=template_id)
    return EvaluationResults.model_validate(
        service.evaluation_results(
            session=session,
            template=template,
            scope=scope,
            scope_id=scope_id,
            point=TimePoint.of(as_of, known_at),
        )
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
    process_id: uuid.UUID,
    template_id: TemplateQuery,
    session: SessionDep,
    as_of: AsOfQuery = None,
    known_at: KnownAtQuery = None,
) -> Any:
    """Count, mean and distribution per dimension over the process's responses (with ``as_of``/``known_at``:
    only the cards filled in by then and recorded by then)."""
    processes.get_process(session=session, process_id=process_id)
    return _results(session, template_id, "process", process_id, as_of, known_at)


@router.get(
    "/districts/{district_id}/evaluation-results",
    response_model=EvaluationResults,
    summary="Evaluation results of a district, per dimension",
    tags=EVALUATIONS,
    responses=problem_responses(404, 422, 503),
)
def get_district_evaluation_results(
    district_id: uuid.UUID,
    template_id: TemplateQuery,
    session: SessionDep,
    registry: RegistryDep,
    as_of: AsOfQuery = None,
    known_at: KnownAtQuery = None,
) -> Any:
    """Count, mean and distribution per dimension over all the district's processes (with
    ``as_of``/``known_at``: only the cards filled in by then and recorded by then)."""
    base.require_district(registry=registry, district_id=district_id)
    return _results(session, template_id, "district", district_id, as_of, known_at)


@router.get(
    "/editions/{edition_id}/evaluation-results",
    response_model=EvaluationResults,
    summary="Evaluation results of a programme edition, per dimension",
    tags=EVALUATIONS,
    responses=problem_responses(404, 422),
)
def get_edition_evaluation_results(
    edition_id: uuid.UUID,
    template_id: TemplateQuery,
    session: SessionDep,
    as_of: AsOfQuery = None,
    known_at: KnownAtQuery = None,
) -> Any:
    """Count, mean and distribution per dimension over the edition's processes (with ``as_of``/``known_at``:
    only the cards filled in by then and recorded by then)."""
    base.get_edition(session=session, edition_id=edition_id)
    return _results(session, template_id, "edition", edition_id, as_of, known_at)
