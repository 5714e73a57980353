"""Rules of the registry: every change appends its event in the caller's session (flush only, never commit)."""

from __future__ import annotations

import csv
import json
import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import and_, delete, func, or_, true
from sqlmodel import Session, select

from services.registry import events as ev
from services.registry.models import (
    BodyMembership,
    ConsentRecord,
    District,
    DistrictMunicipality,
    DistrictPopulation,
    FacilitatorDistrict,
    FacilitatorProfile,
    GovernanceBody,
    Organisation,
    OrganisationDistrict,
    Person,
    PersonAffiliation,
    PersonDistrict,
    TrainingRecord,
    normalise_search,
)
from services.registry.schemas import (
    BodyCreate,
    ConsentCreate,
    DistrictCreate,
    DistrictUpdate,
    FacilitatorCreate,
    FacilitatorUpdate,
    MembershipCreate,
    MunicipalityCreate,
    OrganisationCreate,
    OrganisationUpdate,
    PersonCreate,
    PersonUpdate,
    TrainingCreate,
)
from shared.db import utcnow
from shared.errors import ConflictError, FieldError, NotFoundError, ValidationFailed
from shared.eventlog import NewEvent, append
from shared.platform.tables import idempotency_keys

DATA_DIR = Path(__file__).parent / "data"
SEED_NAMESPACE = uuid.UUID("6f1c2b9e-3d47-5a8e-9b0c-7e2d4f6a8c10")
"""Fixed namespace of the seeded districts' ids: uuid5(SEED_NAMESPACE, name) is the same on every install."""


def _emit(
    session: Session,
    *,
    stream_type: str,
    stream_id: uuid.UUID,
    expected_version: int,
    new_events: Sequence[NewEvent],
    district_id: uuid.UUID | str | None,
) -> int:
    """Append events to a stream and return its new version."""
    append(
        session,
        stream_type=stream_type,
        stream_id=str(stream_id),
        expected_version=expected_version,
        events_to_append=new_events,
        district_id=str(district_id) if district_id is not None else None,
    )
    return expected_version + len(new_events)


def _search_filter(column: Any, q: str) -> Any:
    return column.contains(normalise_search(q), autoescape=True)


def _first(ids: Sequence[uuid.UUID]) -> uuid.UUID | None:
    return ids[0] if ids else None


def _unique(ids: Iterable[uuid.UUID]) -> list[uuid.UUID]:
    seen: dict[uuid.UUID, None] = {}
    for item in ids:
        seen.setdefault(item, None)
    return list(seen)


# ---------------------------------------------------------------- districts


def get_district(*, session: Session, district_id: uuid.UUID) -> District:
    """The district, or NotFoundError."""
    district = session.get(District, district_id)
    if district is None:
        raise NotFoundError(f"district {district_id} does not exist", district_id=str(district_id))
    return district


def require_districts(*, session: Session, district_ids: Sequence[uuid.UUID], path: str) -> None:
    """422 naming each district id that does not exist."""
    if not district_ids:
        return
    found = set(session.exec(select(District.id).where(District.id.in_(district_ids))).all())
    missing = [
        FieldError(path=f"{path}[{i}]", message=f"district {d} does not exist")
        for i, d in enumerate(district_ids)
        if d not in found
    ]
    if missing:
        raise ValidationFailed("unknown district", errors=missing)


def district_populations(*, session: Session, district_id: uuid.UUID) -> list[DistrictPopulation]:
    """Population by year, oldest first."""
    return list(
        session.exec(
            select(DistrictPopulation)
            .where(DistrictPopulation.district_id == district_id)
            .order_by(DistrictPopulation.year)
        ).all()
    )


def district_municipalities(*, session: Session, district_id: uuid.UUID) -> list[DistrictMunicipality]:
    """Municipalities and unions of the district, by name."""
    return list(
        session.exec(
            select(DistrictMunicipality)
            .where(DistrictMunicipality.district_id == district_id)
            .order_by(DistrictMunicipality.name, DistrictMunicipality.id)
        ).all()
    )


def district_list_statement(*, q: str | None, province: str | None, on: date | None) -> Any:
    """Select districts matching an accent-insensitive name search, a province and a date of validity."""
    statement = select(District)
    if q:
        statement = statement.where(_search_filter(District.search_name, q))
    if province:
        statement = statement.where(District.province == province)
    if on:
        statement = statement.where(
            or_(District.valid_from.is_(None), District.valid_from <= on),  # type: ignore[union-attr]
            or_(District.valid_to.is_(None), District.valid_to >= on),  # type: ignore[union-attr]
        )
    return statement


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
    district.version = _emit(
        session,
        stream_type=ev.DISTRICT,
        stream_id=district.id,
        expected_version=0,
        new_events=new_events,
        district_id=district.id,
    )
    session.flush()
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
    district.updated_at = utcnow()
    payload = {k: v.isoformat() if isinstance(v, date) else v for k, v in changes.items()}
    district.version = _emit(
        session,
        stream_type=ev.DISTRICT,
        stream_id=district.id,
        expected_version=expected_version,
        new_events=[
            NewEvent(
                ev.DISTRICT_UPDATED, ev.DistrictUpdated(district_id=str(district.id), changes=payload).dump()
            )
        ],
        district_id=district.id,
    )
    session.flush()
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
    district.updated_at = utcnow()
    district.version = _emit(
        session,
        stream_type=ev.DISTRICT,
        stream_id=district.id,
        expected_version=expected_version,
        new_events=[
            NewEvent(
                ev.DISTRICT_POPULATION_SET,
                ev.DistrictPopulationSet(
                    district_id=str(district.id), year=year, population=population
                ).dump(),
            )
        ],
        district_id=district.id,
    )
    session.flush()
    return district


def set_boundary(
    *, session: Session, district: District, boundary: dict[str, Any] | None, expected_version: int
) -> District:
    """Replace the boundary (district.boundary_set carrying the geometry); no event when unchanged."""
    if district.boundary == boundary:
        return district
    district.boundary = boundary
    district.updated_at = utcnow()
    district.version = _emit(
        session,
        stream_type=ev.DISTRICT,
        stream_id=district.id,
        expected_version=expected_version,
        new_events=[
            NewEvent(
                ev.DISTRICT_BOUNDARY_SET,
                ev.DistrictBoundarySet(district_id=str(district.id), boundary=boundary).dump(),
            )
        ],
        district_id=district.id,
    )
    session.flush()
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
    district.version = _emit(
        session,
        stream_type=ev.DISTRICT,
        stream_id=district.id,
        expected_version=district.version,
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
        district_id=district.id,
    )
    session.flush()
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
        have_years = {p.year for p in district_populations(session=session, district_id=district.id)}
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


# ---------------------------------------------------------------- organisations


def get_organisation(*, session: Session, organisation_id: uuid.UUID) -> Organisation:
    """The organisation, or NotFoundError."""
    organisation = session.get(Organisation, organisation_id)
    if organisation is None:
        raise NotFoundError(
            f"organisation {organisation_id} does not exist", organisation_id=str(organisation_id)
        )
    return organisation


def _links(
    session: Session, column: Any, key: Any, ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[uuid.UUID]]:
    """Map each id to its linked ids (district_ids of organisations, affiliations of people...)."""
    result: dict[uuid.UUID, list[uuid.UUID]] = defaultdict(list)
    if not ids:
        return result
    for owner, linked in session.exec(select(key, column).where(key.in_(ids)).order_by(key, column)).all():
        result[owner].append(linked)
    return result


def organisation_district_ids(
    *, session: Session, organisation_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[uuid.UUID]]:
    """District ids served by each organisation."""
    return _links(
        session, OrganisationDistrict.district_id, OrganisationDistrict.organisation_id, organisation_ids
    )


def _set_links(
    session: Session, model: Any, owner_field: str, owner_id: uuid.UUID, field: str, ids: Sequence[uuid.UUID]
) -> None:
    session.exec(delete(model).where(getattr(model, owner_field) == owner_id))  # type: ignore[call-overload]
    for linked in ids:
        session.add(model(**{owner_field: owner_id, field: linked}))


def organisation_list_statement(*, q: str | None, kind: str | None, district_id: uuid.UUID | None) -> Any:
    """Select organisations by accent-insensitive name, kind and district served."""
    statement = select(Organisation)
    if q:
        statement = statement.where(_search_filter(Organisation.search_name, q))
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


def create_organisation(*, session: Session, data: OrganisationCreate) -> Organisation:
    """Create an organisation (organisation.created)."""
    district_ids = _unique(data.district_ids)
    require_districts(session=session, district_ids=district_ids, path="body.district_ids")
    organisation = Organisation(
        name=data.name,
        search_name=normalise_search(data.name),
        kind=data.kind,
        contacts=[c.model_dump(mode="json", exclude_none=True) for c in data.contacts],
    )
    session.add(organisation)
    session.flush()
    _set_links(session, OrganisationDistrict, "organisation_id", organisation.id, "district_id", district_ids)
    organisation.version = _emit(
        session,
        stream_type=ev.ORGANISATION,
        stream_id=organisation.id,
        expected_version=0,
        new_events=[
            NewEvent(
                ev.ORGANISATION_CREATED,
                ev.OrganisationCreated(
                    organisation_id=str(organisation.id),
                    name=organisation.name,
                    kind=organisation.kind.value,
                    district_ids=[str(d) for d in district_ids],
                ).dump(),
            )
        ],
        district_id=_first(district_ids),
    )
    session.flush()
    return organisation


def update_organisation(
    *, session: Session, organisation: Organisation, data: OrganisationUpdate, expected_version: int
) -> Organisation:
    """Change an organisation (organisation.updated); contacts are named as changed, never copied."""
    current_districts = organisation_district_ids(session=session, organisation_ids=[organisation.id])[
        organisation.id
    ]
    changes: dict[str, Any] = {}
    changed: list[str] = []
    fields = data.model_dump(exclude_unset=True, mode="json")
    if "name" in fields and fields["name"] != organisation.name:
        organisation.name = fields["name"]
        organisation.search_name = normalise_search(organisation.name)
        changes["name"] = organisation.name
        changed.append("name")
    if "kind" in fields and fields["kind"] != organisation.kind.value:
        organisation.kind = data.kind  # type: ignore[assignment]
        changes["kind"] = fields["kind"]
        changed.append("kind")
    if "contacts" in fields:
        contacts = [c.model_dump(mode="json", exclude_none=True) for c in data.contacts or []]
        if contacts != organisation.contacts:
            organisation.contacts = contacts
            changed.append("contacts")
    district_ids = current_districts
    if data.district_ids is not None and set(data.district_ids) != set(current_districts):
        district_ids = _unique(data.district_ids)
        require_districts(session=session, district_ids=district_ids, path="body.district_ids")
        _set_links(
            session, OrganisationDistrict, "organisation_id", organisation.id, "district_id", district_ids
        )
        changes["district_ids"] = [str(d) for d in district_ids]
        changed.append("district_ids")
    if not changed:
        return organisation
    organisation.updated_at = utcnow()
    organisation.version = _emit(
        session,
        stream_type=ev.ORGANISATION,
        stream_id=organisation.id,
        expected_version=expected_version,
        new_events=[
            NewEvent(
                ev.ORGANISATION_UPDATED,
                ev.OrganisationUpdated(
                    organisation_id=str(organisation.id),
                    district_ids=[str(d) for d in district_ids],
                    changes=changes,
                    changed_fields=changed,
                ).dump(),
            )
        ],
        district_id=_first(district_ids),
    )
    session.flush()
    return organisation


# ---------------------------------------------------------------- people


def get_person(*, session: Session, person_id: uuid.UUID) -> Person:
    """The person (or their erased placeholder), or NotFoundError."""
    person = session.get(Person, person_id)
    if person is None:
        raise NotFoundError(f"person {person_id} does not exist", person_id=str(person_id))
    return person


def person_district_ids(
    *, session: Session, person_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[uuid.UUID]]:
    """District ids of each person."""
    return _links(session, PersonDistrict.district_id, PersonDistrict.person_id, person_ids)


def person_organisation_ids(
    *, session: Session, person_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[uuid.UUID]]:
    """Organisation ids each person is affiliated with."""
    return _links(session, PersonAffiliation.organisation_id, PersonAffiliation.person_id, person_ids)


def person_consents(*, session: Session, person_id: uuid.UUID) -> list[ConsentRecord]:
    """Consent records of a person, oldest first."""
    return list(
        session.exec(
            select(ConsentRecord)
            .where(ConsentRecord.person_id == person_id)
            .order_by(ConsentRecord.given_at, ConsentRecord.id)  # type: ignore[arg-type]
        ).all()
    )


def _require_organisations(session: Session, organisation_ids: Sequence[uuid.UUID], path: str) -> None:
    if not organisation_ids:
        return
    found = set(session.exec(select(Organisation.id).where(Organisation.id.in_(organisation_ids))).all())  # type: ignore[attr-defined]
    missing = [
        FieldError(path=f"{path}[{i}]", message=f"organisation {o} does not exist")
        for i, o in enumerate(organisation_ids)
        if o not in found
    ]
    if missing:
        raise ValidationFailed("unknown organisation", errors=missing)


def person_list_statement(
    *, q: str | None, district_id: uuid.UUID | None, category: str | None, organisation_id: uuid.UUID | None
) -> Any:
    """Select people by accent-insensitive name/email, district, category and organisation."""
    statement = select(Person)
    if q:
        statement = statement.where(_search_filter(Person.search_name, q))
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


def _person_search(person: Person) -> str:
    return normalise_search(person.given_name, person.family_name, person.email)


def create_person(*, session: Session, data: PersonCreate) -> Person:
    """Register a person (person.registered carries ids and category only, never names or contacts)."""
    district_ids = _unique(data.district_ids)
    organisation_ids = _unique(data.organisation_ids)
    require_districts(session=session, district_ids=district_ids, path="body.district_ids")
    _require_organisations(session, organisation_ids, "body.organisation_ids")
    person = Person(
        given_name=data.given_name,
        family_name=data.family_name,
        email=data.email,
        phone=data.phone,
        actor_category=data.actor_category,
    )
    person.search_name = _person_search(person)
    session.add(person)
    session.flush()
    _set_links(session, PersonDistrict, "person_id", person.id, "district_id", district_ids)
    _set_links(session, PersonAffiliation, "person_id", person.id, "organisation_id", organisation_ids)
    person.version = _emit(
        session,
        stream_type=ev.PERSON,
        stream_id=person.id,
        expected_version=0,
        new_events=[
            NewEvent(
                ev.PERSON_REGISTERED,
                ev.PersonRegistered(
                    person_id=str(person.id),
                    actor_category=person.actor_category.value,
                    organisation_ids=[str(o) for o in organisation_ids],
                    district_ids=[str(d) for d in district_ids],
                ).dump(),
            )
        ],
        district_id=_first(district_ids),
    )
    session.flush()
    return person


def _require_not_erased(person: Person) -> None:
    if person.erased:
        raise ConflictError(f"person {person.id} was erased", person_id=str(person.id))


def update_person(*, session: Session, person: Person, data: PersonUpdate, expected_version: int) -> Person:
    """Change a person (person.updated names the changed fields only)."""
    _require_not_erased(person)
    changed: list[str] = []
    fields = data.model_dump(exclude_unset=True)
    for name in ("given_name", "family_name", "email", "phone", "actor_category"):
        if name in fields and getattr(person, name) != fields[name]:
            setattr(person, name, fields[name])
            changed.append(name)
    district_ids = person_district_ids(session=session, person_ids=[person.id])[person.id]
    organisation_ids = person_organisation_ids(session=session, person_ids=[person.id])[person.id]
    if data.district_ids is not None and set(data.district_ids) != set(district_ids):
        district_ids = _unique(data.district_ids)
        require_districts(session=session, district_ids=district_ids, path="body.district_ids")
        _set_links(session, PersonDistrict, "person_id", person.id, "district_id", district_ids)
        changed.append("district_ids")
    if data.organisation_ids is not None and set(data.organisation_ids) != set(organisation_ids):
        organisation_ids = _unique(data.organisation_ids)
        _require_organisations(session, organisation_ids, "body.organisation_ids")
        _set_links(session, PersonAffiliation, "person_id", person.id, "organisation_id", organisation_ids)
        changed.append("organisation_ids")
    if not changed:
        return person
    person.search_name = _person_search(person)
    person.updated_at = utcnow()
    person.version = _emit(
        session,
        stream_type=ev.PERSON,
        stream_id=person.id,
        expected_version=expected_version,
        new_events=[
            NewEvent(
                ev.PERSON_UPDATED,
                ev.PersonUpdated(
                    person_id=str(person.id),
                    changed_fields=changed,
                    actor_category=person.actor_category.value,
                    organisation_ids=[str(o) for o in organisation_ids],
                    district_ids=[str(d) for d in district_ids],
                ).dump(),
            )
        ],
        district_id=_first(district_ids),
    )
    session.flush()
    return person


def erase_person(*, session: Session, person: Person) -> Person:
    """Wipe a person's personal data and keep an anonymous placeholder (person.erased with the id only).

    Erasing an erased person changes nothing. Stored idempotent replays of requests about the person (which
    may hold the created body with names) are deleted too.
    """
    if person.erased:
        return person
    person.given_name = None
    person.family_name = None
    person.email = None
    person.phone = None
    person.search_name = ""
    person.erased = True
    person.erased_at = utcnow()
    person.updated_at = person.erased_at
    profile = session.get(FacilitatorProfile, person.id)
    if profile is not None:
        profile.availability_notes = ""
        profile.availability = []
    session.connection().execute(
        idempotency_keys.delete().where(
            idempotency_keys.c.response_body.contains(str(person.id), autoescape=True)
        )
    )
    district_ids = person_district_ids(session=session, person_ids=[person.id])[person.id]
    person.version = _emit(
        session,
        stream_type=ev.PERSON,
        stream_id=person.id,
        expected_version=person.version,
        new_events=[NewEvent(ev.PERSON_ERASED, ev.PersonErased(person_id=str(person.id)).dump())],
        district_id=_first(district_ids),
    )
    session.flush()
    return person


def record_consent(*, session: Session, person: Person, data: ConsentCreate) -> ConsentRecord:
    """Record a consent (person.consent_recorded)."""
    _require_not_erased(person)
    consent = ConsentRecord(person_id=person.id, purpose=data.purpose, given_at=data.given_at or utcnow())
    session.add(consent)
    session.flush()
    district_ids = person_district_ids(session=session, person_ids=[person.id])[person.id]
    person.version = _emit(
        session,
        stream_type=ev.PERSON,
        stream_id=person.id,
        expected_version=person.version,
        new_events=[
            NewEvent(
                ev.PERSON_CONSENT_RECORDED,
                ev.PersonConsent(
                    person_id=str(person.id), consent_id=str(consent.id), purpose=consent.purpose
                ).dump(),
            )
        ],
        district_id=_first(district_ids),
    )
    session.flush()
    return consent


def withdraw_consent(
    *, session: Session, person: Person, consent_id: uuid.UUID, withdrawn_at: datetime | None
) -> ConsentRecord:
    """Withdraw a consent (person.consent_withdrawn); withdrawing twice is a 409."""
    consent = session.get(ConsentRecord, consent_id)
    if consent is None or consent.person_id != person.id:
        raise NotFoundError(f"consent {consent_id} does not exist for person {person.id}")
    if consent.withdrawn_at is not None:
        raise ConflictError(f"consent {consent_id} was already withdrawn", consent_id=str(consent_id))
    when = withdrawn_at or utcnow()
    if when < consent.given_at:
        raise ValidationFailed(
            "withdrawn before given",
            errors=[FieldError(path="body.withdrawn_at", message="must not be before given_at")],
        )
    consent.withdrawn_at = when
    district_ids = person_district_ids(session=session, person_ids=[person.id])[person.id]
    person.version = _emit(
        session,
        stream_type=ev.PERSON,
        stream_id=person.id,
        expected_version=person.version,
        new_events=[
            NewEvent(
                ev.PERSON_CONSENT_WITHDRAWN,
                ev.PersonConsent(
                    person_id=str(person.id), consent_id=str(consent.id), purpose=consent.purpose
                ).dump(),
            )
        ],
        district_id=_first(district_ids),
    )
    session.flush()
    return consent


# ---------------------------------------------------------------- governance bodies


def get_body(*, session: Session, body_id: uuid.UUID) -> GovernanceBody:
    """The body, or NotFoundError."""
    body = session.get(GovernanceBody, body_id)
    if body is None:
        raise NotFoundError(f"body {body_id} does not exist", body_id=str(body_id))
    return body


def body_list_statement(
    *, district_id: uuid.UUID | None, kind: str | None, process_id: uuid.UUID | None
) -> Any:
    """Select bodies by district, kind and process."""
    statement = select(GovernanceBody)
    if district_id:
        statement = statement.where(GovernanceBody.district_id == district_id)
    if kind:
        statement = statement.where(GovernanceBody.kind == kind)
    if process_id:
        statement = statement.where(GovernanceBody.process_id == process_id)
    return statement


def create_body(*, session: Session, data: BodyCreate) -> GovernanceBody:
    """Create a governance body (body.created); one Ufficio di Piano / Comitato per district, one group per process."""
    get_district(session=session, district_id=data.district_id)
    clash = session.exec(
        select(GovernanceBody).where(
            GovernanceBody.district_id == data.district_id,
            GovernanceBody.kind == data.kind,
            GovernanceBody.process_id == data.process_id
            if data.process_id is not None
            else GovernanceBody.process_id.is_(None),  # type: ignore[union-attr]
        )
    ).first()
    if clash is not None:
        raise ConflictError(
            f"district {data.district_id} already has a {data.kind.value}"
            + (f" for process {data.process_id}" if data.process_id else ""),
            body_id=str(clash.id),
        )
    body = GovernanceBody(
        district_id=data.district_id, kind=data.kind, name=data.name, process_id=data.process_id
    )
    session.add(body)
    session.flush()
    body.version = _emit(
        session,
        stream_type=ev.BODY,
        stream_id=body.id,
        expected_version=0,
        new_events=[
            NewEvent(
                ev.BODY_CREATED,
                ev.BodyCreated(
                    body_id=str(body.id),
                    district_id=str(body.district_id),
                    kind=body.kind.value,
                    name=body.name,
                    process_id=str(body.process_id) if body.process_id else None,
                ).dump(),
            )
        ],
        district_id=body.district_id,
    )
    session.flush()
    return body


def _member_event(event_type: str, body: GovernanceBody, membership: BodyMembership) -> NewEvent:
    return NewEvent(
        event_type,
        ev.BodyMemberChanged(
            body_id=str(body.id),
            district_id=str(body.district_id),
            kind=body.kind.value,
            membership_id=str(membership.id),
            person_id=str(membership.person_id),
            role=membership.role.value,
            valid_from=membership.valid_from.isoformat(),
            valid_to=membership.valid_to.isoformat() if membership.valid_to else None,
            process_id=str(body.process_id) if body.process_id else None,
        ).dump(),
    )


def _active_on(on: date) -> Any:
    return and_(
        BodyMembership.valid_from <= on,
        or_(BodyMembership.valid_to.is_(None), BodyMembership.valid_to >= on),  # type: ignore[union-attr]
    )


def add_member(*, session: Session, body: GovernanceBody, data: MembershipCreate) -> BodyMembership:
    """Add a membership (body.member_added); the same person in the same role may not overlap in time."""
    person = get_person(session=session, person_id=data.person_id)
    _require_not_erased(person)
    overlapping = session.exec(
        select(BodyMembership).where(
            BodyMembership.body_id == body.id,
            BodyMembership.person_id == data.person_id,
            BodyMembership.role == data.role,
            or_(BodyMembership.valid_to.is_(None), BodyMembership.valid_to >= data.valid_from),  # type: ignore[union-attr]
            BodyMembership.valid_from <= data.valid_to if data.valid_to else true(),
        )
    ).first()
    if overlapping is not None:
        raise ConflictError(
            f"person {data.person_id} already holds role {data.role.value} in this body for an overlapping period",
            membership_id=str(overlapping.id),
        )
    membership = BodyMembership(
        body_id=body.id,
        person_id=data.person_id,
        role=data.role,
        valid_from=data.valid_from,
        valid_to=data.valid_to,
    )
    session.add(membership)
    session.flush()
    body.version = _emit(
        session,
        stream_type=ev.BODY,
        stream_id=body.id,
        expected_version=body.version,
        new_events=[_member_event(ev.BODY_MEMBER_ADDED, body, membership)],
        district_id=body.district_id,
    )
    session.flush()
    return membership


def end_member(
    *, session: Session, body: GovernanceBody, membership_id: uuid.UUID, valid_to: date
) -> BodyMembership:
    """End a membership on ``valid_to`` (body.member_ended); an ended membership cannot end again."""
    membership = session.get(BodyMembership, membership_id)
    if membership is None or membership.body_id != body.id:
        raise NotFoundError(f"membership {membership_id} does not exist in body {body.id}")
    if membership.valid_to is not None:
        raise ConflictError(
            f"membership {membership_id} already ended on {membership.valid_to.isoformat()}",
            membership_id=str(membership_id),
        )
    if valid_to < membership.valid_from:
        raise ValidationFailed(
            "ends before it starts",
            errors=[
                FieldError(path="body.valid_to", message="must not be before the membership's valid_from")
            ],
        )
    membership.valid_to = valid_to
    body.version = _emit(
        session,
        stream_type=ev.BODY,
        stream_id=body.id,
        expected_version=body.version,
        new_events=[_member_event(ev.BODY_MEMBER_ENDED, body, membership)],
        district_id=body.district_id,
    )
    session.flush()
    return membership


def memberships(
    *,
    session: Session,
    body_id: uuid.UUID | None = None,
    district_id: uuid.UUID | None = None,
    person_id: uuid.UUID | None = None,
    on: date | None = None,
) -> list[tuple[BodyMembership, GovernanceBody]]:
    """Memberships with their body, filtered by body, district, person and the date they were active on."""
    statement = select(BodyMembership, GovernanceBody).join(
        GovernanceBody,
        GovernanceBody.id == BodyMembership.body_id,  # type: ignore[arg-type]
    )
    if body_id:
        statement = statement.where(BodyMembership.body_id == body_id)
    if district_id:
        statement = statement.where(GovernanceBody.district_id == district_id)
    if person_id:
        statement = statement.where(BodyMembership.person_id == person_id)
    if on:
        statement = statement.where(_active_on(on))
    statement = statement.order_by(BodyMembership.valid_from, BodyMembership.id).limit(5000)  # type: ignore[arg-type]
    return [(m, b) for m, b in session.exec(statement).all()]


# ---------------------------------------------------------------- facilitators


def get_facilitator(*, session: Session, person_id: uuid.UUID) -> FacilitatorProfile:
    """The facilitator profile of a person, or NotFoundError."""
    profile = session.get(FacilitatorProfile, person_id)
    if profile is None:
        raise NotFoundError(f"person {person_id} is not a facilitator or tutor", person_id=str(person_id))
    return profile


def facilitator_district_ids(
    *, session: Session, person_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[uuid.UUID]]:
    """Districts each facilitator serves."""
    return _links(session, FacilitatorDistrict.district_id, FacilitatorDistrict.person_id, person_ids)


def facilitator_trainings(
    *, session: Session, person_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[TrainingRecord]]:
    """Training records of each facilitator, by year."""
    result: dict[uuid.UUID, list[TrainingRecord]] = defaultdict(list)
    if person_ids:
        rows = session.exec(
            select(TrainingRecord)
            .where(TrainingRecord.person_id.in_(person_ids))  # type: ignore[attr-defined]
            .order_by(TrainingRecord.year, TrainingRecord.id)  # type: ignore[arg-type]
        ).all()
        for row in rows:
            result[row.person_id].append(row)
    return result


def facilitator_list_statement(
    *, district_id: uuid.UUID | None, course: str | None, kind: str | None, min_hours: int | None
) -> Any:
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
                select(TrainingRecord.person_id).where(_search_filter(TrainingRecord.search_course, course))
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


def _profile_event(profile: FacilitatorProfile, district_ids: Sequence[uuid.UUID]) -> NewEvent:
    return NewEvent(
        ev.FACILITATOR_PROFILE_SET,
        ev.FacilitatorProfileSet(
            person_id=str(profile.person_id),
            kind=profile.kind.value,
            district_ids=[str(d) for d in district_ids],
        ).dump(),
    )


def create_facilitator(*, session: Session, person: Person, data: FacilitatorCreate) -> FacilitatorProfile:
    """Make a person a facilitator or tutor (facilitator.profile_set on the person's stream)."""
    _require_not_erased(person)
    if session.get(FacilitatorProfile, person.id) is not None:
        raise ConflictError(f"person {person.id} already has a facilitator profile", person_id=str(person.id))
    district_ids = _unique(data.district_ids)
    require_districts(session=session, district_ids=district_ids, path="body.district_ids")
    profile = FacilitatorProfile(
        person_id=person.id,
        kind=data.kind,
        availability_notes=data.availability_notes,
        availability=[w.model_dump(mode="json") for w in data.availability],
    )
    session.add(profile)
    session.flush()
    _set_links(session, FacilitatorDistrict, "person_id", person.id, "district_id", district_ids)
    person.version = _emit(
        session,
        stream_type=ev.PERSON,
        stream_id=person.id,
        expected_version=person.version,
        new_events=[_profile_event(profile, district_ids)],
        district_id=_first(district_ids),
    )
    session.flush()
    return profile


def update_facilitator(
    *,
    session: Session,
    person: Person,
    profile: FacilitatorProfile,
    data: FacilitatorUpdate,
    expected_version: int,
) -> FacilitatorProfile:
    """Change a facilitator profile; an event only when kind or districts change (notes stay private)."""
    _require_not_erased(person)
    district_ids = facilitator_district_ids(session=session, person_ids=[person.id])[person.id]
    public_change = False
    if data.kind is not None and data.kind != profile.kind:
        profile.kind = data.kind
        public_change = True
    if data.district_ids is not None and set(data.district_ids) != set(district_ids):
        district_ids = _unique(data.district_ids)
        require_districts(session=session, district_ids=district_ids, path="body.district_ids")
        _set_links(session, FacilitatorDistrict, "person_id", person.id, "district_id", district_ids)
        public_change = True
    if data.availability_notes is not None:
        profile.availability_notes = data.availability_notes
    if data.availability is not None:
        profile.availability = [w.model_dump(mode="json") for w in data.availability]
    profile.updated_at = utcnow()
    if public_change:
        person.version = _emit(
            session,
            stream_type=ev.PERSON,
            stream_id=person.id,
            expected_version=expected_version,
            new_events=[_profile_event(profile, district_ids)],
            district_id=_first(district_ids),
        )
    session.flush()
    return profile


def record_training(
    *, session: Session, person: Person, profile: FacilitatorProfile, data: TrainingCreate
) -> TrainingRecord:
    """Record a completed course (facilitator.training_recorded)."""
    _require_not_erased(person)
    training = TrainingRecord(
        person_id=profile.person_id,
        course=data.course,
        search_course=normalise_search(data.course),
        year=data.year,
        hours=data.hours,
        provider=data.provider,
    )
    session.add(training)
    session.flush()
    district_ids = facilitator_district_ids(session=session, person_ids=[person.id])[person.id]
    person.version = _emit(
        session,
        stream_type=ev.PERSON,
        stream_id=person.id,
        expected_version=person.version,
        new_events=[
            NewEvent(
                ev.FACILITATOR_TRAINING_RECORDED,
                ev.FacilitatorTrainingRecorded(
                    person_id=str(person.id),
                    training_id=str(training.id),
                    course=training.course,
                    year=training.year,
                    hours=training.hours,
                    provider=training.provider,
                ).dump(),
            )
        ],
        district_id=_first(district_ids),
    )
    session.flush()
    return training


# ---------------------------------------------------------------- overview


def district_actors(*, session: Session, district: District, on: date) -> dict[str, Any]:
    """Organisations, people by category, bodies (with members on ``on``) and facilitators of a district."""
    organisations = session.exec(
        organisation_list_statement(q=None, kind=None, district_id=district.id)
        .order_by(Organisation.name, Organisation.id)  # type: ignore[arg-type]
        .limit(1000)
    ).all()
    by_kind: dict[str, int] = defaultdict(int)
    for organisation in organisations:
        by_kind[organisation.kind.value] += 1
    people_rows = session.exec(
        select(Person.actor_category, func.count())
        .join(PersonDistrict, PersonDistrict.person_id == Person.id)  # type: ignore[arg-type]
        .where(PersonDistrict.district_id == district.id, Person.erased.is_(False))  # type: ignore[attr-defined]
        .group_by(Person.actor_category)
    ).all()
    bodies = session.exec(
        select(GovernanceBody)
        .where(GovernanceBody.district_id == district.id)
        .order_by(GovernanceBody.created_at)  # type: ignore[arg-type]
    ).all()
    current = defaultdict(int)
    for _membership, body in memberships(session=session, district_id=district.id, on=on):
        current[body.id] += 1
    facilitators = session.exec(
        select(func.count())
        .select_from(FacilitatorDistrict)
        .where(FacilitatorDistrict.district_id == district.id)
    ).one()
    return {
        "district_id": district.id,
        "organisations": [{"id": o.id, "name": o.name, "kind": o.kind} for o in organisations],
        "organisations_by_kind": dict(by_kind),
        "people_by_category": {(c.value if hasattr(c, "value") else str(c)): int(n) for c, n in people_rows},
        "bodies": [
            {
                "id": b.id,
                "kind": b.kind,
                "name": b.name,
                "process_id": b.process_id,
                "current_members": current[b.id],
            }
            for b in bodies
        ],
        "facilitators": int(facilitators),
    }
