"""Reporting's look-ups shared by its reports: how fresh the read models are, processes, editions and districts.

Only reads; no FastAPI. The reports themselves: ``timeline.py``, ``diary.py``, ``dashboard.py`` and the open data
(``opendata.py``); the figures they count with: ``figures.py``.
"""

from __future__ import annotations

import unicodedata
import uuid
from collections import Counter
from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlmodel import Session

from services.reporting import queries
from services.reporting.models import (
    DistrictView,
    EditionView,
    ProcessView,
    ProgrammeView,
)
from shared.errors import NotFoundError

# --- freshness ---


def read_model_state(*, session: Session) -> tuple[tuple[str, int], ...]:
    """Every projection's checkpoint, sorted by name: the reports change only when this does."""
    return tuple(sorted((name, position) for name, position in session.exec(queries.checkpoints())))


def read_model_position(*, session: Session) -> int:
    """The log position every read model has reached (the lowest checkpoint; 0 before the first batch)."""
    positions = list(session.exec(queries.checkpoint_positions()))
    return min(positions) if positions else 0


def get_process(*, session: Session, process_id: uuid.UUID) -> ProcessView:
    """A process known to reporting, or 404."""
    process = session.get(ProcessView, process_id)
    if process is None:
        raise NotFoundError(f"process {process_id} is not known to reporting (yet)")
    return process


# --- editions and districts ---------------------------------------------------------------------------


def get_edition(*, session: Session, edition_id: uuid.UUID) -> EditionView:
    """An edition known to reporting, or 404."""
    edition = session.get(EditionView, edition_id)
    if edition is None:
        raise NotFoundError(f"edition {edition_id} is not known to reporting (yet)")
    return edition


def get_district(*, session: Session, district_id: uuid.UUID) -> DistrictView:
    """A district known to reporting, or 404."""
    district = session.get(DistrictView, district_id)
    if district is None:
        raise NotFoundError(f"district {district_id} is not known to reporting (yet)")
    return district


def latest_edition(*, session: Session) -> EditionView | None:
    """The edition that started last (the dashboard's default)."""
    editions = list(session.exec(queries.editions()))
    if not editions:
        return None
    return max(editions, key=lambda e: (e.starts_on or date.min, e.name, str(e.id)))


def edition_public(session: Session, edition: EditionView) -> dict[str, Any]:
    programme = session.get(ProgrammeView, edition.programme_id) if edition.programme_id else None
    return {
        "id": edition.id,
        "name": edition.name,
        "programme_id": edition.programme_id,
        "programme_name": programme.name if programme else None,
        "starts_on": edition.starts_on,
        "ends_on": edition.ends_on,
    }


def _name_key(name: str) -> str:
    """What a reader sees in a name: no case, accents, spaces or hyphens ("Sud-Est" reads as "Sud Est")."""
    folded = unicodedata.normalize("NFKD", name.casefold())
    return "".join(ch for ch in folded if ch.isalnum())


def display_names(districts: Sequence[DistrictView]) -> dict[uuid.UUID, str]:
    """Each district's name for readers, with its province where another district's name reads alike."""
    alike = Counter(_name_key(d.name) for d in districts)
    return {
        d.id: f"{d.name} ({d.province})" if alike[_name_key(d.name)] > 1 and d.province else d.name
        for d in districts
    }


def district_public(district: DistrictView, display_name: str | None = None) -> dict[str, Any]:
    return {
        "id": district.id,
        "name": district.name,
        "display_name": display_name or district.name,
        "code": district.code,
        "province": district.province,
        "ausl": district.ausl,
        "population": district.population,
        "population_year": district.population_year,
    }
