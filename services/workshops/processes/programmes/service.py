"""Rules of programmes and their editions (the districts taking part)."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlmodel import Session, select

from services.workshops.processes import events
from services.workshops.processes.base import ensure_district_exists, iso
from services.workshops.processes.models import (
    Edition,
    Programme,
)
from services.workshops.processes.programmes.schemas import EditionCreate, ProgrammeCreate
from shared.clients.registry import RegistryClient
from shared.errors import ConflictError, NotFoundError
from shared.eventlog import NewEvent, append_to


def create_programme(
    *, session: Session, data: ProgrammeCreate, occurred_at: date | datetime | None = None
) -> Programme:
    """Create a programme (``occurred_at``: when, if entered after the fact; default now)."""
    programme = Programme(name=data.name, description=data.description)
    session.add(programme)
    session.flush()
    payload = events.ProgrammeCreated(
        programme_id=str(programme.id), name=programme.name, description=programme.description
    )
    append_to(
        session,
        stream_type=events.PROGRAMME,
        row=programme,
        stream_id=programme.id,
        district_id=None,
        expected_version=0,
        new_events=[NewEvent(events.PROGRAMME_CREATED, payload.dump())],
        occurred_at=occurred_at,
    )
    return programme


def get_programme(*, session: Session, programme_id: uuid.UUID) -> Programme:
    """The programme, or NotFoundError."""
    programme = session.get(Programme, programme_id)
    if programme is None:
        raise NotFoundError(f"programme {programme_id} does not exist", programme_id=str(programme_id))
    return programme


def get_edition(*, session: Session, edition_id: uuid.UUID) -> Edition:
    """The edition, or NotFoundError."""
    edition = session.get(Edition, edition_id)
    if edition is None:
        raise NotFoundError(f"edition {edition_id} does not exist", edition_id=str(edition_id))
    return edition


def create_edition(
    *,
    session: Session,
    registry: RegistryClient,
    programme_id: uuid.UUID,
    data: EditionCreate,
    occurred_at: date | datetime | None = None,
) -> Edition:
    """Create an edition of a programme with the districts taking part (each checked in the registry)."""
    programme = get_programme(session=session, programme_id=programme_id)
    district_ids = list(dict.fromkeys(str(d) for d in data.district_ids))
    for index, district_id in enumerate(district_ids):
        ensure_district_exists(
            registry=registry, district_id=uuid.UUID(district_id), path=f"body.district_ids[{index}]"
        )
    edition = Edition(
        programme_id=programme.id,
        name=data.name,
        starts_on=data.starts_on,
        ends_on=data.ends_on,
        district_ids=district_ids,
    )
    session.add(edition)
    session.flush()
    payload = events.EditionCreated(
        edition_id=str(edition.id),
        programme_id=str(programme.id),
        name=edition.name,
        district_ids=district_ids,
        starts_on=iso(edition.starts_on),
        ends_on=iso(edition.ends_on),
    )
    append_to(
        session,
        stream_type=events.EDITION,
        row=edition,
        stream_id=edition.id,
        district_id=None,
        expected_version=0,
        new_events=[NewEvent(events.EDITION_CREATED, payload.dump())],
        occurred_at=occurred_at,
    )
    return edition


def add_edition_district(
    *, session: Session, registry: RegistryClient, edition_id: uuid.UUID, district_id: uuid.UUID
) -> Edition:
    """Add a district to an edition (409 when it already takes part)."""
    edition = get_edition(session=session, edition_id=edition_id)
    if str(district_id) in edition.district_ids:
        raise ConflictError(
            f"district {district_id} already takes part in edition {edition.name}",
            edition_id=str(edition.id),
            district_id=str(district_id),
        )
    ensure_district_exists(registry=registry, district_id=district_id, path="body.district_id")
    edition.district_ids = [*edition.district_ids, str(district_id)]
    payload = events.EditionDistrictAdded(
        edition_id=str(edition.id), programme_id=str(edition.programme_id), district_id=str(district_id)
    )
    append_to(
        session,
        stream_type=events.EDITION,
        row=edition,
        stream_id=edition.id,
        district_id=district_id,
        expected_version=edition.version,
        new_events=[NewEvent(events.EDITION_DISTRICT_ADDED, payload.dump())],
    )
    return edition


def list_programmes_query() -> Any:
    """Statement listing programmes."""
    return select(Programme)


def list_editions_query(*, programme_id: uuid.UUID) -> Any:
    """Statement listing a programme's editions."""
    return select(Edition).where(Edition.programme_id == programme_id)
