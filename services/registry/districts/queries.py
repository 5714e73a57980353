"""Statements that read districts, their population and their municipalities."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date

from sqlalchemy import or_
from sqlmodel import select
from sqlmodel.sql.expression import SelectOfScalar

from services.registry.common.service import search_filter
from services.registry.districts.models import District, DistrictMunicipality, DistrictPopulation


def district_list_statement(
    *, q: str | None, province: str | None, on: date | None
) -> SelectOfScalar[District]:
    """Select districts matching an accent-insensitive name search, a province and a date of validity."""
    statement = select(District)
    if q:
        statement = statement.where(search_filter(District.search_name, q))
    if province:
        statement = statement.where(District.province == province)
    if on:
        statement = statement.where(
            or_(District.valid_from.is_(None), District.valid_from <= on),  # type: ignore[union-attr]
            or_(District.valid_to.is_(None), District.valid_to >= on),  # type: ignore[union-attr]
        )
    return statement


def populations_of(district_ids: Sequence[uuid.UUID]) -> SelectOfScalar[DistrictPopulation]:
    """Select the population rows of some districts, oldest year first."""
    return (
        select(DistrictPopulation)
        .where(DistrictPopulation.district_id.in_(district_ids))  # type: ignore[attr-defined]
        .order_by(DistrictPopulation.year)
    )


def municipalities_of(district_ids: Sequence[uuid.UUID]) -> SelectOfScalar[DistrictMunicipality]:
    """Select the municipalities and unions of some districts, by name."""
    return (
        select(DistrictMunicipality)
        .where(DistrictMunicipality.district_id.in_(district_ids))  # type: ignore[attr-defined]
        .order_by(DistrictMunicipality.name, DistrictMunicipality.id)
    )
