"""Statements behind the district overview: counts and lists over the other domains' tables."""

from __future__ import annotations

import uuid

from sqlalchemy import func
from sqlmodel import select
from sqlmodel.sql.expression import Select, SelectOfScalar

from services.registry.bodies.models import GovernanceBody
from services.registry.facilitators.models import FacilitatorDistrict
from services.registry.people.models import ActorCategory, Person, PersonDistrict


def people_by_category(*, district_id: uuid.UUID) -> Select[tuple[ActorCategory, int]]:
    """Select (category, how many people) among the district's people who were not erased."""
    return (
        select(Person.actor_category, func.count())
        .join(PersonDistrict, PersonDistrict.person_id == Person.id)  # type: ignore[arg-type]
        .where(PersonDistrict.district_id == district_id, Person.erased.is_(False))  # type: ignore[attr-defined]
        .group_by(Person.actor_category)
    )


def bodies_of(*, district_id: uuid.UUID) -> SelectOfScalar[GovernanceBody]:
    """Select the district's governance bodies, oldest first."""
    return (
        select(GovernanceBody)
        .where(GovernanceBody.district_id == district_id)
        .order_by(GovernanceBody.created_at)  # type: ignore[arg-type]
    )


def facilitator_count(*, district_id: uuid.UUID) -> SelectOfScalar[int]:
    """Select how many facilitators and tutors serve the district."""
    return (
        select(func.count())
        .select_from(FacilitatorDistrict)
        .where(FacilitatorDistrict.district_id == district_id)
    )
