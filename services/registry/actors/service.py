"""The district overview: who acts in a district, read across the registry's domains."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import Any

from sqlmodel import Session

from services.registry.actors import queries
from services.registry.bodies.queries import current_member_counts
from services.registry.districts.models import District
from services.registry.organisations.models import Organisation
from services.registry.organisations.queries import organisation_list_statement


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
    people_rows = session.exec(queries.people_by_category(district_id=district.id)).all()
    bodies = session.exec(queries.bodies_of(district_id=district.id)).all()
    # One grouped count for all bodies, not a membership list per body.
    current = dict(session.exec(current_member_counts(district_id=district.id, on=on)).all())
    facilitators = session.exec(queries.facilitator_count(district_id=district.id)).one()
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
                "current_members": int(current.get(b.id, 0)),
            }
            for b in bodies
        ],
        "facilitators": int(facilitators),
    }
