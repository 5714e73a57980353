"""Route-level pieces of the outcomes topics: their resources (``shared.api.resources``), write errors."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Depends
from sqlmodel import Session

from services.workshops.outcomes.evaluations import service as evaluations
from services.workshops.outcomes.inventions import service as inventions
from services.workshops.outcomes.models import EvaluationTemplate, Invention, Priority
from services.workshops.outcomes.priorities import service as priorities
from shared.api.resources import Edit, for_edit
from shared.auth.principal import Principal
from shared.errors import problem_responses

WRITE_ERRORS = problem_responses(401, 403, 404, 409, 412, 422, 503)


def load_invention(session: Session, invention_id: uuid.UUID) -> Invention:
    """The invention, or NotFoundError."""
    return inventions.get_invention(session=session, invention_id=invention_id)


def district_editor(session: Session, principal: Principal, row: Invention) -> None:
    """Editors of the row's district (and regional administrators)."""
    principal.require_district_editor(row.district_id)


InventionForEdit = Annotated[
    Edit[Invention], Depends(for_edit("invention_id", load_invention, authorise=district_editor))
]
"""An invention an editor of its district changes (If-Match on the invention)."""


def load_priority(session: Session, priority_id: uuid.UUID) -> Priority:
    """The priority, or NotFoundError."""
    return priorities.get_priority(session=session, priority_id=priority_id)


PriorityForStep = Annotated[Edit[Priority], Depends(for_edit("priority_id", load_priority))]
"""A priority to move a step along its cycle, If-Match kept: the route checks the step's right (a role in the
district's body on the date, which may come from the body) after the workshops the body names."""


def load_template(session: Session, template_id: uuid.UUID) -> EvaluationTemplate:
    """The evaluation template, or NotFoundError."""
    return evaluations.get_template(session=session, template_id=template_id)


def template_owner(session: Session, principal: Principal, template: EvaluationTemplate) -> None:
    """A regional template's regional administrators, a district's template's editors."""
    if template.district_id is None:
        principal.require_admin()
    else:
        principal.require_district_editor(template.district_id)


TemplateForEdit = Annotated[
    Edit[EvaluationTemplate], Depends(for_edit("template_id", load_template, authorise=template_owner))
]
"""An evaluation template its owners revise (If-Match on the template)."""
