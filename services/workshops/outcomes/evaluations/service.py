"""Rules of participatory evaluation cards: versioned templates, responses, results."""

from __future__ import annotations

import uuid
from collections import defaultdict
from typing import Any

from sqlalchemy import func, or_
from sqlmodel import Session, col, select

from services.workshops.outcomes import events as ev
from services.workshops.outcomes.base import invalid, str_or_none
from services.workshops.outcomes.evaluations.schemas import (
    DimensionKind,
    EvaluationResponseCreate,
    EvaluationTemplateCreate,
    EvaluationTemplateRevise,
)
from services.workshops.outcomes.models import (
    EvaluationAnswer,
    EvaluationResponse,
    EvaluationTemplate,
    EvaluationTemplateVersion,
)
from services.workshops.processes.models import Process, Workshop
from shared.clients.registry import RegistryClient
from shared.errors import FieldError, NotFoundError, ValidationFailed
from shared.eventlog import NewEvent, TimePoint, append_to, streams_at
from shared.numbers import MEAN_PLACES, round_half_up
from shared.pagination import paginate


def template_view(template: EvaluationTemplate, version: EvaluationTemplateVersion) -> dict[str, Any]:
    """A template as the API shows it, with the dimensions of ``version``."""
    return {
        "id": template.id,
        "district_id": template.district_id,
        "name": {"it": template.name_it, "en": template.name_en},
        "current_version": template.current_version,
        "template_version": version.number,
        "dimensions": version.dimensions,
        "version": template.version,
        "created_at": template.created_at,
        "updated_at": template.updated_at,
    }


def get_template(*, session: Session, template_id: uuid.UUID) -> EvaluationTemplate:
    """The template, or NotFoundError."""
    template = session.get(EvaluationTemplate, template_id)
    if template is None:
        raise NotFoundError(f"evaluation template {template_id} does not exist", template_id=str(template_id))
    return template


def get_template_version(
    *, session: Session, template: EvaluationTemplate, number: int | None = None
) -> EvaluationTemplateVersion:
    """One version of a template (the current one by default), or NotFoundError."""
    number = number if number is not None else template.current_version
    version = session.exec(
        select(EvaluationTemplateVersion).where(
            EvaluationTemplateVersion.template_id == template.id, EvaluationTemplateVersion.number == number
        )
    ).first()
    if version is None:
        raise NotFoundError(f"evaluation template {template.id} has no version {number}")
    return version


def _template_event(template: EvaluationTemplate, version: EvaluationTemplateVersion) -> dict[str, Any]:
    return ev.EvaluationTemplateChanged(
        template_id=str(template.id),
        district_id=str_or_none(template.district_id),
        template_version=version.number,
        name_it=template.name_it,
        name_en=template.name_en,
        dimension_codes=[d["code"] for d in version.dimensions],
    ).model_dump(mode="json")


def create_template(
    *, session: Session, data: EvaluationTemplateCreate
) -> tuple[EvaluationTemplate, EvaluationTemplateVersion]:
    """Create a template and its version 1."""
    template = EvaluationTemplate(
        district_id=data.district_id, name_it=data.name.it, name_en=data.name.en, current_version=1
    )
    version = EvaluationTemplateVersion(
        template_id=template.id, number=1, dimensions=[d.model_dump(mode="json") for d in data.dimensions]
    )
    session.add(template)
    session.flush()
    session.add(version)
    append_to(
        session,
        row=template,
        stream_type=ev.EVALUATION_TEMPLATE_STREAM,
        new_events=[NewEvent(ev.EVALUATION_TEMPLATE_CREATED, _template_event(template, version))],
        expected_version=0,
        district_id=template.district_id,
    )
    return template, version


def revise_template(
    *, session: Session, template: EvaluationTemplate, data: EvaluationTemplateRevise, expected_version: int
) -> tuple[EvaluationTemplate, EvaluationTemplateVersion]:
    """Save a change as a new version; earlier versions and the responses to them stay as they were."""
    if data.name is not None:
        template.name_it, template.name_en = data.name.it, data.name.en
    template.current_version += 1
    version = EvaluationTemplateVersion(
        template_id=template.id,
        number=template.current_version,
        dimensions=[d.model_dump(mode="json") for d in data.dimensions],
    )
    session.add(version)
    append_to(
        session,
        row=template,
        stream_type=ev.EVALUATION_TEMPLATE_STREAM,
        new_events=[NewEvent(ev.EVALUATION_TEMPLATE_VERSIONED, _template_event(template, version))],
        expected_version=expected_version,
        district_id=template.district_id,
    )
    session.add(template)
    session.flush()
    return template, version


def list_templates(
    *, session: Session, district_id: uuid.UUID | None, limit: int, cursor: str | None
) -> tuple[list[EvaluationTemplate], str | None]:
    """Templates usable in a district (regional ones plus the district's own), or all."""
    statement = select(EvaluationTemplate)
    if district_id is not None:
        statement = statement.where(
            or_(col(EvaluationTemplate.district_id).is_(None), EvaluationTemplate.district_id == district_id)
        )
    return paginate(
        session,
        statement,
        sort=EvaluationTemplate.created_at,
        tiebreak=EvaluationTemplate.id,
        limit=limit,
        cursor=cursor,
    )


def _check_answers(
    dimensions: list[dict[str, Any]], answers: dict[str, Any]
) -> list[tuple[str, str, int | None]]:
    """Validate answers against the version's dimensions; return the (code, value, numeric) to aggregate."""
    by_code = {d["code"]: d for d in dimensions}
    errors: list[FieldError] = []
    rows: list[tuple[str, str, int | None]] = []
    for code, value in answers.items():
        path = f"body.answers.{code}"
        dimension = by_code.get(code)
        if dimension is None:
            errors.append(FieldError(path=path, message="not a dimension of this template version"))
            continue
        kind = DimensionKind(dimension["kind"])
        if kind is DimensionKind.SCALE:
            if isinstance(value, bool) or not isinstance(value, int):
                errors.append(FieldError(path=path, message="a scale answer is an integer"))
            elif not dimension["scale_min"] <= value <= dimension["scale_max"]:
                errors.append(
                    FieldError(
                        path=path,
                        message=f"must be between {dimension['scale_min']} and {dimension['scale_max']}",
                    )
                )
            else:
                rows.append((code, str(value), value))
        elif kind is DimensionKind.CHOICE:
            codes = [c["code"] for c in dimension["choices"]]
            if value not in codes:
                errors.append(FieldError(path=path, message=f"must be one of: {', '.join(codes)}"))
            else:
                rows.append((code, str(value), None))
        elif not isinstance(value, str):
            errors.append(FieldError(path=path, message="a free-text answer is text"))
    for dimension in dimensions:
        if dimension.get("required") and dimension["code"] not in answers:
            errors.append(FieldError(path=f"body.answers.{dimension['code']}", message="required"))
    if errors:
        raise ValidationFailed("the answers do not fit the template", errors=errors)
    return rows


def record_response(
    *,
    session: Session,
    registry: RegistryClient,
    process: Process,
    workshop: Workshop | None,
    data: EvaluationResponseCreate,
) -> EvaluationResponse:
    """Record one filled-in card for a process (or one of its workshops)."""
    if workshop is not None and workshop.process_id != process.id:
        raise invalid("body.workshop_id", f"workshop {workshop.id} does not belong to process {process.id}")
    template = session.get(EvaluationTemplate, data.template_id)
    if template is None:
        raise invalid("body.template_id", f"evaluation template {data.template_id} does not exist")
    if template.district_id is not None and template.district_id != process.district_id:
        raise invalid("body.template_id", "this template belongs to another district")
    number = data.template_version or template.current_version
    if number > template.current_version:
        raise invalid("body.template_version", f"the template has versions 1 to {template.current_version}")
    version = get_template_version(session=session, template=template, number=number)
    rows = _check_answers(version.dimensions, dict(data.answers))
    if data.person_id is not None:
        person = registry.get_person(str(data.person_id))
        if person is None or person.erased:
            raise invalid("body.person_id", f"no registry person {data.person_id}")
    response = EvaluationResponse(
        template_id=template.id,
        template_version=number,
        process_id=process.id,
        workshop_id=workshop.id if workshop else None,
        district_id=process.district_id,
        edition_id=process.edition_id,
        person_id=str_or_none(data.person_id),
        answers=dict(data.answers),
    )
    session.add(response)
    session.flush()
    for code, value, numeric in rows:
        session.add(
            EvaluationAnswer(
                response_id=response.id,
                template_id=template.id,
                template_version=number,
                dimension=code,
                value=value,
                numeric_value=numeric,
                process_id=process.id,
                district_id=process.district_id,
                edition_id=process.edition_id,
            )
        )
    payload = ev.EvaluationResponseRecorded(
        response_id=str(response.id),
        template_id=str(template.id),
        template_version=number,
        process_id=str(process.id),
        workshop_id=str_or_none(response.workshop_id),
        district_id=str(process.district_id),
        edition_id=str_or_none(process.edition_id),
        person_id=response.person_id,
        answers={code: (numeric if numeric is not None else value) for code, value, numeric in rows},
        scales={
            d["code"]: [d["scale_min"], d["scale_max"]]
            for d in version.dimensions
            if d["kind"] == DimensionKind.SCALE.value and d["code"] in response.answers
        },
    )
    append_to(
        session,
        row=response,
        stream_type=ev.EVALUATION_RESPONSE_STREAM,
        new_events=[NewEvent(ev.EVALUATION_RESPONSE_RECORDED, payload.model_dump(mode="json"))],
        expected_version=0,
        district_id=process.district_id,
        occurred_at=workshop.starts_at if workshop else None,
    )
    return response


SCOPE_COLUMNS = {
    "process": (EvaluationAnswer.process_id, EvaluationResponse.process_id),
    "district": (EvaluationAnswer.district_id, EvaluationResponse.district_id),
    "edition": (EvaluationAnswer.edition_id, EvaluationResponse.edition_id),
}


def _included_responses(
    session: Session, template: EvaluationTemplate, scope: str, scope_id: uuid.UUID, point: TimePoint
) -> set[uuid.UUID]:
    """The scope's responses to the template whose recording falls inside ``point`` (occurred_at <= as_of,
    recorded_at <= known_at): a card filled in at a workshop is dated by the workshop's day."""
    inside = streams_at(
        session,
        stream_type=ev.EVALUATION_RESPONSE_STREAM,
        event_type=ev.EVALUATION_RESPONSE_RECORDED,
        point=point,
        district_id=scope_id if scope == "district" else None,
    )
    _, response_column = SCOPE_COLUMNS[scope]
    in_scope = session.exec(
        select(EvaluationResponse.id).where(
            EvaluationResponse.template_id == template.id, response_column == scope_id
        )
    ).all()
    return {response_id for response_id in in_scope if str(response_id) in inside}


def _answer_groups(
    session: Session,
    template: EvaluationTemplate,
    scope: str,
    scope_id: uuid.UUID,
    included: set[uuid.UUID] | None,
) -> list[tuple[str, str, int, int, int]]:
    """(dimension, value, answers, numeric answers, sum of numeric values) over the scope's answers (only
    those of ``included`` responses when given)."""
    answer_column, _ = SCOPE_COLUMNS[scope]
    where = (EvaluationAnswer.template_id == template.id, answer_column == scope_id)
    if included is None:
        return [
            (dimension, value, int(count), int(numeric_count or 0), int(numeric_sum or 0))
            for dimension, value, count, numeric_count, numeric_sum in session.exec(
                select(
                    EvaluationAnswer.dimension,
                    EvaluationAnswer.value,
                    func.count(),
                    func.count(EvaluationAnswer.numeric_value),
                    func.sum(EvaluationAnswer.numeric_value),
                )
                .where(*where)
                .group_by(EvaluationAnswer.dimension, EvaluationAnswer.value)
            ).all()
        ]
    groups: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0, 0])
    for response_id, dimension, value, numeric_value in session.exec(
        select(
            EvaluationAnswer.response_id,
            EvaluationAnswer.dimension,
            EvaluationAnswer.value,
            EvaluationAnswer.numeric_value,
        ).where(*where)
    ).all():
        if response_id in included:
            group = groups[(dimension, value)]
            group[0] += 1
            if numeric_value is not None:
                group[1] += 1
                group[2] += int(numeric_value)
    return [(dimension, value, *group) for (dimension, value), group in groups.items()]  # type: ignore[misc]


def evaluation_results(
    *,
    session: Session,
    template: EvaluationTemplate,
    scope: str,
    scope_id: uuid.UUID,
    point: TimePoint | None = None,
) -> dict[str, Any]:
    """Per-dimension count, mean (scales) and distribution of a template's answers in a scope.

    At a ``point`` (as of a valid time, as known at a transaction time) only the responses recorded inside
    it count; the dimensions' labels are those of the template's newest version either way.
    """
    point = point or TimePoint()
    included = None if point.is_now else _included_responses(session, template, scope, scope_id, point)
    if included is None:
        _, response_column = SCOPE_COLUMNS[scope]
        response_count = session.exec(
            select(func.count())
            .select_from(EvaluationResponse)
            .where(EvaluationResponse.template_id == template.id, response_column == scope_id)
        ).one()
    else:
        response_count = len(included)
    rows = _answer_groups(session, template, scope, scope_id, included)
    distributions: dict[str, dict[str, int]] = defaultdict(dict)
    # The mean is over numeric answers only: a dimension may have been a choice in an earlier version.
    numeric: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for dimension, value, count, numeric_count, numeric_sum in rows:
        distributions[dimension][value] = count
        numeric[dimension][0] += numeric_count
        numeric[dimension][1] += numeric_sum
    # Labels come from the newest version that has the dimension; answers of every version count.
    versions = session.exec(
        select(EvaluationTemplateVersion)
        .where(EvaluationTemplateVersion.template_id == template.id)
        .order_by(col(EvaluationTemplateVersion.number).desc())
    ).all()
    specs: dict[str, dict[str, Any]] = {}
    order: list[str] = []
    for template_version in versions:
        for spec_dict in template_version.dimensions:
            if spec_dict["code"] not in specs:
                specs[spec_dict["code"]] = spec_dict
                order.append(spec_dict["code"])
    results = []
    for code in order:
        spec = specs[code]
        if spec["kind"] == DimensionKind.TEXT.value:
            continue
        distribution = distributions.get(code, {})
        count = sum(distribution.values())
        mean = None
        if spec["kind"] == DimensionKind.SCALE.value:
            distribution = {
                str(v): distribution.get(str(v), 0) for v in range(spec["scale_min"], spec["scale_max"] + 1)
            } | distribution
            numeric_count, numeric_sum = numeric[code]
            if numeric_count:
                mean = round_half_up(numeric_sum / numeric_count, MEAN_PLACES)
        else:
            distribution = {c["code"]: distribution.get(c["code"], 0) for c in spec["choices"]} | distribution
        results.append(
            {
                "code": code,
                "kind": spec["kind"],
                "question": spec["question"],
                "count": count,
                "mean": mean,
                "scale_min": spec.get("scale_min"),
                "scale_max": spec.get("scale_max"),
                "distribution": distribution,
            }
        )
    return {
        "template_id": template.id,
        "scope": scope,
        "scope_id": scope_id,
        "response_count": int(response_count),
        "dimensions": results,
        "as_of": point.as_of,
        "known_at": point.known_at,
    }
