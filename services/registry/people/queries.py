"""Statements that read people and their consents."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlmodel import select
from sqlmodel.sql.expression import SelectOfScalar

from services.registry.common.service import search_filter
from services.registry.people.models import ConsentRecord, Person, PersonAffiliation, PersonDistrict


def person_list_statement(
    *, q: str | None, district_id: uuid.UUID | None, category: str | None, organisation_id: uuid.UUID | None
) -> SelectOfScalar[Person]:
    """Select people by accent-insensitive name/email, district, category and organisation."""
    statement = select(Person)
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


def consents_of(person_ids: Sequence[uuid.UUID]) -> SelectOfScalar[ConsentRecord]:
    """Select the consent records of some people, oldest first."""
    return (
        select(ConsentRecord)
        .where(ConsentRecord.person_id.in_(person_ids))  # type: ignore[attr-defined]
        .order_by(ConsentRecord.given_at, ConsentRecord.id)  # type: ignore[arg-type]
    )
