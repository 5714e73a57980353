"""Core reads of one district for the hot GET routes: plain row values, no ORM objects.

The district, its population by year and its municipalities, shaped like ``DistrictPublic`` with its boundary
(the route validates and serialises them once).
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import Connection, bindparam, select

from services.registry.districts.models import District, DistrictMunicipality, DistrictPopulation
from shared.errors import NotFoundError

_district = District.__table__  # type: ignore[attr-defined]
_population = DistrictPopulation.__table__  # type: ignore[attr-defined]
_municipality = DistrictMunicipality.__table__  # type: ignore[attr-defined]

DISTRICT_COLUMNS = (
    _district.c.id,
    _district.c.name,
    _district.c.regional_code,
    _district.c.province,
    _district.c.health_authority,
    _district.c.valid_from,
    _district.c.valid_to,
    _district.c.version,
    _district.c.boundary,
)
MUNICIPALITY_COLUMNS = (
    _municipality.c.id,
    _municipality.c.district_id,
    _municipality.c.name,
    _municipality.c.kind,
    _municipality.c.istat_code,
    _municipality.c.valid_from,
    _municipality.c.valid_to,
)


# Built once: constructing a statement (and its cache key) cost about as much as running it on this read.
_DISTRICT = select(*DISTRICT_COLUMNS).where(_district.c.id == bindparam("district_id"))
_POPULATION = (
    select(_population.c.year, _population.c.population)
    .where(_population.c.district_id == bindparam("district_id"))
    .order_by(_population.c.year)
)
_MUNICIPALITIES = (
    select(*MUNICIPALITY_COLUMNS)
    .where(_municipality.c.district_id == bindparam("district_id"))
    .order_by(_municipality.c.name, _municipality.c.id)
)


def district_data(connection: Connection, district_id: uuid.UUID) -> dict[str, Any]:
    """One district with its population, municipalities and boundary, or NotFoundError.

    Three statements: run it in one read transaction (``run_read``), so the body matches its version.
    """
    key = {"district_id": district_id}
    row = connection.execute(_DISTRICT, key).mappings().first()
    if row is None:
        raise NotFoundError(f"district {district_id} does not exist", district_id=str(district_id))
    data = dict(row)
    data["has_boundary"] = data["boundary"] is not None
    data["population"] = [dict(p) for p in connection.execute(_POPULATION, key).mappings()]
    data["municipalities"] = [dict(m) for m in connection.execute(_MUNICIPALITIES, key).mappings()]
    return data
