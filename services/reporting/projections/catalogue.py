"""Projection "catalogue": districts, programmes, editions, processes, workshops and people's categories."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sqlmodel import Session, SQLModel

from services.reporting.models import (
    DistrictView,
    EditionView,
    PersonCategory,
    ProcessView,
    ProgrammeView,
    WorkshopView,
)
from services.reporting.projections.base import (
    Handler,
    Projection,
    as_date,
    as_datetime,
    as_dict,
    as_int,
    as_uuid,
    category,
    entity_id,
    get_or_new,
    text,
)
from shared.eventlog import RecordedEvent

# Identity-card fields of a process kept by reporting (contacts are left out: they may name people).
IDENTITY_FIELDS = (
    "purpose",
    "weight",
    "transformations",
    "methods_and_tools",
    "distinctive_marks",
    "started_on",
    "location",
    "stature",
)


def geometry_of(payload: dict[str, Any]) -> dict[str, Any] | None:
    """The GeoJSON geometry in a district payload (a bare geometry, a Feature or a FeatureCollection)."""
    for key in ("geometry", "boundary", "geojson"):
        value = payload.get(key)
        if not isinstance(value, dict):
            continue
        if value.get("type") == "Feature":
            value = value.get("geometry")
        elif value.get("type") == "FeatureCollection":
            polygons: list[Any] = []
            for feature in value.get("features") or []:
                geometry = (feature or {}).get("geometry") or {}
                if geometry.get("type") == "Polygon":
                    polygons.append(geometry.get("coordinates"))
                elif geometry.get("type") == "MultiPolygon":
                    polygons.extend(geometry.get("coordinates") or [])
            value = {"type": "MultiPolygon", "coordinates": polygons}
        if isinstance(value, dict) and value.get("type") in ("Polygon", "MultiPolygon"):
            return value
    return None


KEYED: dict[str, type[SQLModel]] = {
    "district": DistrictView,
    "programme": ProgrammeView,
    "edition": EditionView,
    "process": ProcessView,
    "workshop": WorkshopView,
}


class CatalogueProjection(Projection):
    """Who and what exists: the identity of districts, editions, processes and workshops."""

    name = "catalogue"
    tables = (DistrictView, ProgrammeView, EditionView, ProcessView, WorkshopView, PersonCategory)

    def handlers(self) -> dict[str, Handler]:
        """Event type -> handler."""
        return {
            "district.created": self.district,
            "district.updated": self.district,
            "district.population_set": self.district,
            "district.boundary_set": self.district,
            "district.municipality_added": self.municipality_added,
            "programme.created": self.programme,
            "programme.updated": self.programme,
            "edition.created": self.edition,
            "edition.updated": self.edition,
            "edition.district_added": self.edition_district_added,
            "process.created": self.process,
            "process.updated": self.process,
            "process.status_changed": self.process,
            "process.phase_added": self.process_phase,
            "process.phase_changed": self.process_phase,
            "workshop.scheduled": self.workshop,
            "workshop.updated": self.workshop,
            "workshop.status_changed": self.workshop,
            "person.registered": self.person,
            "person.updated": self.person,
        }

    def keys(self, event: RecordedEvent) -> Iterator[tuple[type[SQLModel], Any]]:
        """The row an event creates or updates."""
        kind = event.type.partition(".")[0]
        model = KEYED.get(kind)
        if model is not None:
            yield model, entity_id(event, f"{kind}_id")
        elif kind == "person":
            yield PersonCategory, str(event.payload.get("person_id") or event.stream_id)

    @staticmethod
    def _changes(event: RecordedEvent) -> dict[str, Any]:
        # Updates carry either the changed fields at the top level or under "changes".
        payload = dict(event.payload)
        changes = payload.pop("changes", None)
        if isinstance(changes, dict):
            payload.update(changes)
        return payload

    def district(self, session: Session, event: RecordedEvent) -> None:
        """Create or update a district from any of its events."""
        district_id = entity_id(event, "district_id")
        if district_id is None:
            return
        row = get_or_new(session, DistrictView, district_id, id=district_id)
        data = self._changes(event)
        for field in ("name", "code", "province", "ausl"):
            if field in data and data[field] is not None:
                setattr(row, field, text(data[field], 64 if field == "code" else 200))
        if "code" not in data and data.get("regional_code"):
            row.code = text(data["regional_code"], 64)
        if "health_authority" in data and not data.get("ausl"):
            row.ausl = text(data["health_authority"])
        population = as_int(data.get("population"))
        if population is not None:
            year = as_int(data.get("year")) or as_int(data.get("population_year"))
            # Keep the most recent year's figure; an older year recorded later does not replace it.
            if row.population_year is None or year is None or year >= row.population_year:
                row.population = population
                row.population_year = year if year is not None else row.population_year
        geometry = geometry_of(data)
        if geometry is not None:
            row.geometry = geometry
        elif event.type == "district.boundary_set" and data.get("boundary") is None:
            row.geometry = None  # the boundary was removed
        if isinstance(data.get("municipalities"), list):
            row.municipalities = [text(m) if not isinstance(m, dict) else m for m in data["municipalities"]]

    def municipality_added(self, session: Session, event: RecordedEvent) -> None:
        """Add a municipality (by name or id) to a district."""
        district_id = entity_id(event, "district_id")
        if district_id is None:
            return
        row = get_or_new(session, DistrictView, district_id, id=district_id)
        item = (
            event.payload.get("municipality")
            or event.payload.get("name")
            or event.payload.get("municipality_id")
        )
        if item and item not in row.municipalities:
            row.municipalities = [*row.municipalities, item]

    def programme(self, session: Session, event: RecordedEvent) -> None:
        """Create or rename a programme."""
        programme_id = entity_id(event, "programme_id")
        if programme_id is None:
            return
        row = get_or_new(session, ProgrammeView, programme_id, id=programme_id)
        data = self._changes(event)
        if data.get("name"):
            row.name = text(data["name"])

    def edition(self, session: Session, event: RecordedEvent) -> None:
        """Create or update an edition."""
        edition_id = entity_id(event, "edition_id")
        if edition_id is None:
            return
        row = get_or_new(session, EditionView, edition_id, id=edition_id)
        data = self._changes(event)
        if data.get("programme_id"):
            row.programme_id = as_uuid(data["programme_id"])
        if data.get("name"):
            row.name = text(data["name"])
        if "starts_on" in data:
            row.starts_on = as_date(data["starts_on"])
        if "ends_on" in data:
            row.ends_on = as_date(data["ends_on"])
        if isinstance(data.get("district_ids"), list):
            row.district_ids = sorted({str(d) for d in data["district_ids"]})

    def edition_district_added(self, session: Session, event: RecordedEvent) -> None:
        """A district joins an edition."""
        edition_id = entity_id(event, "edition_id")
        district_id = as_uuid(event.payload.get("district_id")) or as_uuid(event.district_id)
        if edition_id is None or district_id is None:
            return
        row = get_or_new(session, EditionView, edition_id, id=edition_id)
        row.district_ids = sorted({*row.district_ids, str(district_id)})

    def process(self, session: Session, event: RecordedEvent) -> None:
        """Create or update a process and its identity card."""
        process_id = entity_id(event, "process_id")
        if process_id is None:
            return
        row = get_or_new(session, ProcessView, process_id, id=process_id)
        data = self._changes(event)
        if data.get("district_id"):
            row.district_id = as_uuid(data["district_id"])
        elif row.district_id is None:
            row.district_id = as_uuid(event.district_id)
        if "edition_id" in data:
            row.edition_id = as_uuid(data["edition_id"])
        if data.get("title"):
            row.title = text(data["title"])
        if data.get("status"):
            row.status = text(data["status"], 40)
        card = dict(row.identity_card or {})
        source = as_dict(data.get("identity_card")) or data
        for field in IDENTITY_FIELDS:
            if field in source:
                card[field] = source[field]
        row.identity_card = card
        if "started_on" in source:
            row.started_on = as_date(source["started_on"])

    def process_phase(self, session: Session, event: RecordedEvent) -> None:
        """Record a phase of a process (added whole, changed field by field)."""
        process_id = entity_id(event, "process_id")
        if process_id is None:
            return
        row = get_or_new(session, ProcessView, process_id, id=process_id)
        data = self._changes(event)
        data.pop("process_id", None)
        data.pop("district_id", None)
        key = str(data.get("phase_id") or data.get("name") or "")
        current = next(
            (dict(p) for p in row.phases if str(p.get("phase_id") or p.get("name") or "") == key), {}
        )
        current.update(data)
        others = [p for p in row.phases if str(p.get("phase_id") or p.get("name") or "") != key]
        if current.get("is_current"):
            # Only one phase is current at a time.
            others = [{**p, "is_current": False} for p in others]
        row.phases = sorted(
            [*others, current], key=lambda p: (as_int(p.get("position")) or 0, str(p.get("name")))
        )

    def workshop(self, session: Session, event: RecordedEvent) -> None:
        """Create or update a workshop."""
        workshop_id = entity_id(event, "workshop_id")
        if workshop_id is None:
            return
        row = get_or_new(session, WorkshopView, workshop_id, id=workshop_id)
        data = self._changes(event)
        if data.get("process_id"):
            row.process_id = as_uuid(data["process_id"])
        if data.get("district_id") or event.district_id:
            row.district_id = as_uuid(data.get("district_id")) or as_uuid(event.district_id)
        if data.get("method"):
            row.method = text(data["method"], 64)
        if data.get("title"):
            row.title = text(data["title"])
        if "starts_at" in data:
            row.starts_at = as_datetime(data["starts_at"])
        if "ends_at" in data:
            row.ends_at = as_datetime(data["ends_at"])
        if "capacity" in data:
            row.capacity = as_int(data["capacity"])
        if data.get("status"):
            row.status = text(data["status"], 40)
        if isinstance(data.get("facilitator_ids"), list):
            row.facilitator_count = len(data["facilitator_ids"])

    def person(self, session: Session, event: RecordedEvent) -> None:
        """Remember a person's actor category (the only thing reporting knows about people)."""
        person_id = event.payload.get("person_id") or event.stream_id
        value = event.payload.get("actor_category")
        if not person_id or value is None:
            return
        row = get_or_new(session, PersonCategory, str(person_id), person_id=str(person_id))
        row.actor_category = category(value)
