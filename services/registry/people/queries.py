"""Statements that read people and their consents."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import or_
from sqlmodel import select
from sqlmodel.sql.expression import SelectOfScalar

from services.registry.common.service import search_filter
from services.registry.people.models import ConsentRecord, Person, PersonAffiliation, PersonDistrict


def person_list_statement(
    *,
    q: str | None,
    district_id: uuid.UUID | None,
    category: str | None,
    organisation_id: uuid.UUID | None,
    within: PeopleWithin | None = None,
) -> SelectOfScalar[Person]:
    """Select people by accent-insensitive name/email, district, category and organisation (within a scope)."""
    statement = select(Person)
    if within is not None:
        # The caller's privacy scope (shared.privacy): people of these districts or these people, nobody else.
        in_districts = Person.id.in_(  # type: ignore[attr-defined]
            select(PersonDistrict.person_id).where(
                PersonDistrict.district_id.in_([uuid.UUID(d) for d in within.district_ids])  # type: ignore[attr-defined]
            )
        )
        listed = Person.id.in_([uuid.UUID(p) for p in within.person_ids])  # type: ignore[attr-defined]
        statement = statement.where(or_(in_districts, listed))
    if q:
        statement = statement.where(search_filter(Person.search_name, q))
    if category:
        statement = statement.where(Person.actor_category == category)
    if district_id:
        statement = statement.where(
            Person.id.in_(select(PersonDistrict.person_id).where(PersonDistrict.district_id == district_id))  # type: ignore[attr-defined]
        )
    if organisation_id:
        statement = statement.where(
            Person.id.in_(  # type: ignore[attr-defined]
                select(PersonAffiliation.person_id).where(
                    PersonAffiliation.organisation_id == organisation_id
                )
            )
        )
    return statement


@dataclass(frozen=True)
class PeopleWithin:
    """The people a caller may see with their personal data: those of some districts, and some by id."""

    district_ids: frozenset[str] = frozenset()
    person_ids: frozenset[str] = frozenset()


def consents_of(person_ids: Sequence[uuid.UUID]) -> SelectOfScalar[ConsentRecord]:
    """Select the consent records of some people, oldest first."""
    return (
        select(ConsentRecord)
        .where(ConsentRecord.person_id.in_(person_ids))  # type: ignore[attr-defined]
        .order_by(ConsentRecord.given_at, ConsentRecord.id)  # type: ignore[arg-type]
    )
