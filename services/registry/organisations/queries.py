"""Statements that read organisations."""

from __future__ import annotations

import uuid

from sqlmodel import select
from sqlmodel.sql.expression import SelectOfScalar

from services.registry.common.service import search_filter
from services.registry.organisations.models import Organisation, OrganisationDistrict


def organisation_list_statement(
    *, q: str | None, kind: str | None, district_id: uuid.UUID | None
) -> SelectOfScalar[Organisation]:
    """Select organisations by accent-insensitive name, kind and district served."""
    statement = select(Organisation)
    if q:
        statement = statement.where(search_filter(Organisation.search_name, q))
    if kind:
        statement = statement.where(Organisation.kind == kind)
    if district_id:
        statement = statement.where(
            Organisation.id.in_(  # type: ignore[attr-defined]
                select(OrganisationDistrict.organisation_id).where(
                    OrganisationDistrict.district_id == district_id
                )
            )
        )
    return statement
