"""Rules of districts: every change appends its event in the caller's session (flush only, never commit)."""

from __future__ import annotations

import csv
import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from sqlmodel import Session, select

from services.registry import events as ev
from services.registry.common.models import normalise_search
from services.registry.common.service import require_existing, rows_by
from services.registry.districts import queries
from services.registry.districts.models import District, DistrictMunicipality, DistrictPopulation
from services.registry.districts.schemas import DistrictCreate, DistrictUpdate, MunicipalityCreate
from shared.errors import ConflictError, FieldError, NotFoundError, ValidationFailed
from shared.eventlog import NewEvent, append_to

DATA_DIR = Path(__file__).parents[1] / "data"
SEED_NAMESPACE = uuid.UUID("6f1c2b9e-3d47-5a8e-9b0c-7e2d4f6a8c10")
"""Fixed namespace of the seeded districts' ids: uuid5(SEED_NAMESPACE, name) is the same on every install."""


def get_district(*, session: Session, district_id: uuid.UUID) -> District:
    """The district, or NotFoundError."""
    district = session.get(District, district_id)
    if district is None:
        raise NotFoundError(f"district {district_id} does not exist", district_id=str(district_id))
    return district


def require_districts(*, session: Session, district_ids: Sequence[uuid.UUID], path: str) -> None:
    """422 naming each district id that does not exist."""
    require_existing(session, id_column=District.id, ids=district_ids, path=path, noun="district")


def district_populations(
    *, session: Session, district_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[DistrictPopulation]]:
    """Population by year of each district, oldest first."""
    return rows_by(session, queries.populations_of(district_ids), owner="district_id", ids=district_ids)


def district_municipalities(
    *, session: Session, district_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[DistrictMunicipality]]:
    """Municipalities and unions of each district, by name."""
    return rows_by(session, queries.municipalities_of(district_ids), owner="district_id", ids=district_ids)


def create_district(
    *, session: Session, data: DistrictCreate, district_id: uuid.UUID | None = None
) -> District:
    """Create a district with its population and boundary (district.created, district.population_set)."""
    existing = session.exec(select(District).where(District.name == data.name)).first()
    if existing is not None and _periods_overlap(existing, data.valid_from, data.valid_to):
        raise ConflictError(
            f"a district named {data.name!r} already exists for an overlapping period",
            district_id=str(existing.id),
        )
    boundary = data.boundary.model_dump(mode="json") if data.boundary else None
    district = District(
        id=district_id or uuid.uuid4(),
        name=data.name,
        search_name=normalise_search(data.name),
        regional_code=data.regional_code or None,
        province=data.province,
        health_authority=data.health_authority,
        boundary=boundary,
        valid_from=data.valid_from,
        valid_to=data.valid_to,
    )
    session.add(district)
    new_events = [
        NewEvent(
            ev.DISTRICT_CREATED,
            ev.DistrictCreated(
                district_id=str(district.id),
                name=district.name,
                regional_code=district.regional_code,
                province=district.province,
                health_authority=district.health_authority,
                valid_from=district.valid_from.isoformat() if district.valid_from else None,
                valid_to=district.valid_to.isoformat() if district.valid_to else None,
                boundary=boundary,
            ).dump(),
        )
    ]
    for entry in data.population:
        session.add(DistrictPopulation(district_id=district.id, year=entry.year, population=entry.population))
        new_events.append(
            NewEvent(
                ev.DISTRICT_POPULATION_SET,
                ev.DistrictPopulationSet(
                    district_id=str(district.id), year=entry.year, population=entry.population
                ).dump(),
            )
        )
    session.flush()
    append_to(
        session,
        row=district,
        stream_type=ev.DISTRICT,
        new_events=new_events,
        expected_version=0,
        district_id=district.id,
    )
    return district


def _periods_overlap(district: District, valid_from: date | None, valid_to: date | None) -> bool:
    starts_before_other_ends = (
        valid_from is None or district.valid_to is None or valid_from <= district.valid_to
    )
    other_starts_before_end = (
        valid_to is None or district.valid_from is None or district.valid_from <= valid_to
    )
    return starts_before_other_ends and other_starts_before_end


def update_district(
    *, session: Session, district: District, data: DistrictUpdate, expected_version: int
) -> District:
    """Change a district's attributes (district.updated with the new values); no event if nothing changed."""
    changes: dict[str, Any] = {}
    for name, value in data.model_dump(exclude_unset=True).items():
        if name == "regional_code" and value == "":
            value = None
        if getattr(district, name) != value:
            changes[name] = value
    valid_from = changes.get("valid_from", district.valid_from)
    valid_to = changes.get("valid_to", district.valid_to)
    if valid_from and valid_to and valid_to < valid_from:
        raise ValidationFailed(
            "valid_to is before valid_from",
            errors=[FieldError(path="body.valid_to", message="must not be before valid_from")],
        )
    if not changes:
        return district
    for name, value in changes.items():
        setattr(district, name, value)
    if "name" in changes:
        district.search_name = normalise_search(district.name)
    payload = {k: v.isoformat() if isinstance(v, date) else v for k, v in changes.items()}
    append_to(
        session,
        row=district,
        stream_type=ev.DISTRICT,
        new_events=[
            NewEvent(
                ev.DISTRICT_UPDATED, ev.DistrictUpdated(district_id=str(district.id), changes=payload).dump()
            )
        ],
        expected_version=expected_version,
        district_id=district.id,
    )
    return district


def set_population(
    *, session: Session, district: District, year: int, population: int, expected_version: int
) -> District:
    """Set the population of a year (district.population_set); no event when unchanged."""
    row = session.exec(
        select(DistrictPopulation).where(
            DistrictPopulation.district_id == district.id, DistrictPopulation.year == year
        )
    ).first()
    if row is not None and row.population == population:
        return district
    if row is None:
        session.add(DistrictPopulation(district_id=district.id, year=year, population=population))
    else:
        row.population = population
    append_to(
        session,
        row=district,
        stream_type=ev.DISTRICT,
        new_events=[
            NewEvent(
                ev.DISTRICT_POPULATION_SET,
                ev.DistrictPopulationSet(
                    district_id=str(district.id), year=year, population=population
                ).dump(),
            )
        ],
        expected_version=expected_version,
        district_id=district.id,
    )
    return district


def set_boundary(
    *, session: Session, district: District, boundary: dict[str, Any] | None, expected_version: int
) -> District:
    """Replace the boundary (district.boundary_set carrying the geometry); no event when unchanged."""
    if district.boundary == boundary:
        return district
    district.boundary = boundary
    append_to(
        session,
        row=district,
        stream_type=ev.DISTRICT,
        new_events=[
            NewEvent(
                ev.DISTRICT_BOUNDARY_SET,
                ev.DistrictBoundarySet(district_id=str(district.id), boundary=boundary).dump(),
            )
        ],
        expected_version=expected_version,
        district_id=district.id,
    )
    return district


def add_municipality(
    *, session: Session, district: District, data: MunicipalityCreate
) -> DistrictMunicipality:
    """Add a municipality or union to a district (district.municipality_added)."""
    clash = session.exec(
        select(DistrictMunicipality).where(
            DistrictMunicipality.district_id == district.id,
            DistrictMunicipality.name == data.name,
            DistrictMunicipality.kind == data.kind,
        )
    ).first()
    if clash is not None:
        raise ConflictError(
            f"{data.kind.value} {data.name!r} is already in district {district.name}",
            municipality_id=str(clash.id),
        )
    row = DistrictMunicipality(
        district_id=district.id,
        name=data.name,
        kind=data.kind,
        istat_code=data.istat_code,
        valid_from=data.valid_from,
        valid_to=data.valid_to,
    )
    session.add(row)
    session.flush()
    append_to(
        session,
        row=district,
        stream_type=ev.DISTRICT,
        new_events=[
            NewEvent(
                ev.DISTRICT_MUNICIPALITY_ADDED,
                ev.DistrictMunicipalityAdded(
                    district_id=str(district.id),
                    municipality_id=str(row.id),
                    name=row.name,
                    kind=row.kind.value,
                    istat_code=row.istat_code,
                    valid_from=row.valid_from.isoformat() if row.valid_from else None,
                    valid_to=row.valid_to.isoformat() if row.valid_to else None,
                ).dump(),
            )
        ],
        expected_version=district.version,
        district_id=district.id,
    )
    return row


# ---------------------------------------------------------------- seed


@dataclass(frozen=True)
class SeedResult:
    """What a seed run did."""

    created: int
    updated: int
    unchanged: int


def seeded_district_id(name: str) -> uuid.UUID:
    """The stable id of a seeded district."""
    return uuid.uuid5(SEED_NAMESPACE, name)


def load_seed_districts(data_dir: Path = DATA_DIR) -> list[DistrictCreate]:
    """The region's 38 districts from the bundled CSV and GeoJSON, as create requests."""
    with (data_dir / "districts_emilia_romagna.geojson").open(encoding="utf-8") as handle:
        features = json.load(handle)["features"]
    geometry_by_name = {f["properties"]["name"]: f["geometry"] for f in features}
    districts: list[DistrictCreate] = []
    with (data_dir / "districts_emilia_romagna.csv").open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            population = row.get("population_2016", "").strip()
            districts.append(
                DistrictCreate.model_validate(
                    {
                        "name": row["name"],
                        # Blank stays blank: the region's table did not show this code.
                        "regional_code": row["regional_code"].strip() or None,
                        "province": row["province"].strip() or None,
                        "health_authority": row["health_authority"].strip() or None,
                        "population": [{"year": 2016, "population": int(population)}] if population else [],
                        "boundary": geometry_by_name.get(row["name"]),
                    }
                )
            )
    return districts


def seed_districts(*, session: Session, data_dir: Path = DATA_DIR) -> SeedResult:
    """Create the region's districts through the normal rules; a second run finds them and writes nothing."""
    created = updated = unchanged = 0
    for data in load_seed_districts(data_dir):
        district_id = seeded_district_id(data.name)
        district = session.get(District, district_id)
        if district is None:
            create_district(session=session, data=data, district_id=district_id)
            created += 1
            continue
        before = district.version
        # Only fill what is missing: edits made through the API since the last seed are kept.
        have_years = {
            p.year for p in district_populations(session=session, district_ids=[district.id])[district.id]
        }
        for entry in data.population:
            if entry.year not in have_years:
                set_population(
                    session=session,
                    district=district,
                    year=entry.year,
                    population=entry.population,
                    expected_version=district.version,
                )
        if district.boundary is None and data.boundary is not None:
            set_boundary(
                session=session,
                district=district,
                boundary=data.boundary.model_dump(mode="json"),
                expected_version=district.version,
            )
        if district.version != before:
            updated += 1
        else:
            unchanged += 1
    return SeedResult(created=created, updated=updated, unchanged=unchanged)
