"""The regional dashboard of an edition, its comparison of editions and the districts' boundaries for the map."""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlmodel import Session

from services.reporting import courses, learning, proposals, queries
from services.reporting.figures import Scope, load_scope, per_10000
from services.reporting.models import (
    EditionView,
    ProcessView,
)
from services.reporting.service import (
    display_names,
    district_public,
    edition_public,
    get_edition,
    latest_edition,
)
from shared.errors import NotFoundError


def _edition_districts(edition: EditionView, processes: Sequence[ProcessView]) -> set[uuid.UUID]:
    ids = {uuid.UUID(d) for d in edition.district_ids}
    ids |= {p.district_id for p in processes if p.district_id is not None}
    return ids


def dashboard(*, session: Session, edition_id: uuid.UUID | None) -> dict[str, Any]:
    """The regional dashboard for one edition (default: the latest), with a comparison of all editions."""
    edition = (
        get_edition(session=session, edition_id=edition_id)
        if edition_id is not None
        else latest_edition(session=session)
    )
    districts = list(session.exec(queries.districts(by_name=True)))
    shown = display_names(districts)
    editions = sorted(session.exec(queries.editions()), key=lambda e: (e.starts_on or date.min, e.name))
    current: tuple[list[ProcessView], Scope] | None = None
    comparison = []
    for other in editions:
        processes = list(session.exec(queries.processes(edition_id=other.id)))
        scope = load_scope(session, processes, edition_id=other.id)
        if edition is not None and other.id == edition.id:
            current = (processes, scope)
        comparison.append(
            {
                "edition_id": other.id,
                "name": other.name,
                "starts_on": other.starts_on,
                "districts_participating": len(_edition_districts(other, processes)),
                **scope.summary(),
            }
        )
    if edition is None:
        return {
            "edition": None,
            "districts_total": len(districts),
            "districts_participating": 0,
            "districts": [district_public(d, shown[d.id]) | {"participating": False} for d in districts],
            "comparison": comparison,
            "courses": courses.course_figures(session=session),
            "supervisions": learning.supervision_figures(session=session),
            "regional_labs": learning.lab_figures(session=session),
        }
    if current is None:  # pragma: no cover - the edition was read from the same table above
        raise NotFoundError(f"edition {edition.id} is not known to reporting (yet)")
    processes, scope = current
    per_district = scope.by_district({p.id: p.district_id for p in processes})
    participating = _edition_districts(edition, processes)
    received = proposals.received_by_process(session=session, process_ids=[p.id for p in processes])
    received_by_district: Counter[uuid.UUID | None] = Counter()
    for process in processes:
        received_by_district[process.district_id] += received.get(process.id, 0)
    rows = []
    population_total = 0
    for district in districts:
        sub = per_district.get(district.id) or Scope(processes=[], categories=scope.categories)
        people = sub.participation()["people_involved"]
        taking_part = district.id in participating
        if taking_part and district.population:
            population_total += district.population
        rows.append(
            district_public(district, shown[district.id])
            | {
                "participating": taking_part,
                "processes": len(sub.processes),
                "workshops_held": len(sub.held_workshop_ids()),
                "people_involved": people,
                "per_10000_residents": per_10000(people, district.population),
                "proposals": received_by_district.get(district.id, 0),
                "proposals_per_10000_residents": per_10000(
                    received_by_district.get(district.id, 0), district.population
                ),
                "has_boundary": district.geometry is not None,
            }
        )
    participation = scope.participation()
    return {
        "edition": edition_public(session, edition),
        "districts_total": len(districts),
        "districts_participating": len(participating),
        "summary": scope.summary(),
        "people_involved": participation["people_involved"],
        "per_10000_residents": per_10000(participation["people_involved"], population_total),
        "proposals": sum(received.values()),
        "proposals_per_10000_residents": per_10000(sum(received.values()), population_total),
        "people_by_category": participation["by_category"],
        "workshops_by_method": scope.workshops_by_method(),
        "workshops_by_month": scope.workshops_by_month(),
        "inventions_by_theme": scope.inventions_by_theme(),
        "priorities_by_status": scope.priorities_by_status(),
        "priorities_by_outcome": scope.priorities_by_outcome(),
        "evaluation": scope.evaluation_results(),
        "districts": rows,
        "comparison": comparison,
        "courses": courses.course_figures(session=session),
        "supervisions": learning.supervision_figures(session=session, edition_id=edition.id),
        "regional_labs": learning.lab_figures(session=session, edition_id=edition.id),
    }


def district_geometries(*, session: Session) -> dict[uuid.UUID, dict[str, Any]]:
    """Boundaries of the districts that have one (for the map)."""
    return {d.id: d.geometry for d in session.exec(queries.districts()) if d.geometry}
