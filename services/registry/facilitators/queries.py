"""Statements that read facilitator profiles and training records."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import func
from sqlmodel import select
from sqlmodel.sql.expression import SelectOfScalar

from services.registry.common.service import search_filter
from services.registry.facilitators.models import FacilitatorDistrict, FacilitatorProfile, TrainingRecord


def facilitator_list_statement(
    *, district_id: uuid.UUID | None, course: str | None, kind: str | None, min_hours: int | None
) -> SelectOfScalar[FacilitatorProfile]:
    """Select facilitators by district served, course (accent-insensitive), kind and total training hours."""
    statement = select(FacilitatorProfile)
    if district_id:
        statement = statement.where(
            FacilitatorProfile.person_id.in_(  # type: ignore[attr-defined]
                select(FacilitatorDistrict.person_id).where(FacilitatorDistrict.district_id == district_id)
            )
        )
    if course:
        statement = statement.where(
            FacilitatorProfile.person_id.in_(  # type: ignore[attr-defined]
                select(TrainingRecord.person_id).where(search_filter(TrainingRecord.search_course, course))
            )
        )
    if kind:
        statement = statement.where(FacilitatorProfile.kind == kind)
    if min_hours:
        statement = statement.where(
            FacilitatorProfile.person_id.in_(  # type: ignore[attr-defined]
                select(TrainingRecord.person_id)
                .group_by(TrainingRecord.person_id)
                .having(func.sum(TrainingRecord.hours) >= min_hours)
            )
        )
    return statement


def trainings_of(person_ids: Sequence[uuid.UUID]) -> SelectOfScalar[TrainingRecord]:
    """Select the training records of some facilitators, by year."""
    return (
        select(TrainingRecord)
        .where(TrainingRecord.person_id.in_(person_ids))  # type: ignore[attr-defined]
        .order_by(TrainingRecord.year, TrainingRecord.id)  # type: ignore[arg-type]
    )
