"""The Diario of one district for one edition, and the district's institutional design it shows."""

from __future__ import annotations

import uuid
from collections import Counter, defaultdict
from datetime import date
from typing import Any

from sqlmodel import Session

from services.reporting import attachments, cases, proposals, queries
from services.reporting.figures import load_scope, per_10000
from services.reporting.labels import to_rome
from services.reporting.service import (
    display_names,
    district_public,
    edition_public,
    get_district,
    get_edition,
)
from shared.db import utcnow


def _active(valid_from: date | None, valid_to: date | None, on: date) -> bool:
    return (valid_from is None or valid_from <= on) and (valid_to is None or valid_to >= on)


def architecture(*, session: Session, district_id: uuid.UUID, on: date) -> dict[str, Any]:
    """A district's institutional design: its bodies (members counted on ``on``), relations and agreements."""
    bodies = list(session.exec(queries.district_bodies(district_id=district_id)))
    ids = [b.id for b in bodies]
    known = set(ids)
    members: Counter[uuid.UUID] = Counter()
    if ids:
        for m in session.exec(queries.memberships(body_ids=ids)):
            if m.body_id is not None and _active(m.valid_from, m.valid_to, on):
                members[m.body_id] += 1
    relations = session.exec(queries.body_relations(district_id=district_id))
    agreements = session.exec(queries.agreements(district_id=district_id))
    return {
        "on": on,
        "bodies": [
            {"id": b.id, "kind": b.kind, "name": b.name, "members": members.get(b.id, 0)} for b in bodies
        ],
        "relations": [
            {
                "id": r.id,
                "from_body_id": r.from_body_id,
                "to_body_id": r.to_body_id,
                "kind": r.kind,
                "note": r.note,
                "valid_from": r.valid_from,
                "valid_to": r.valid_to,
                "active": _active(r.valid_from, r.valid_to, on),
            }
            for r in relations
            if r.from_body_id in known
        ],
        "agreements": [
            {
                "id": a.id,
                "kind": a.kind,
                "title": a.title,
                "reference": a.reference,
                "signed_on": a.signed_on,
                "valid_from": a.valid_from,
                "valid_to": a.valid_to,
                "parties": len(a.organisation_ids),
                "active": _active(a.valid_from, a.valid_to, on),
            }
            for a in agreements
        ],
    }


def diary(
    *, session: Session, district_id: uuid.UUID, edition_id: uuid.UUID, today: date | None = None
) -> dict[str, Any]:
    """The Diario of one district for one edition (``today``: the day it is written on, for one as of a
    past time; default today)."""
    today = today or utcnow().date()
    district = get_district(session=session, district_id=district_id)
    edition = get_edition(session=session, edition_id=edition_id)
    processes = list(
        session.exec(queries.processes(edition_id=edition_id, district_id=district_id, by_title=True))
    )
    scope = load_scope(session, processes, edition_id=edition_id, district_id=district_id)
    held = scope.held_workshop_ids()
    participation = scope.participation()
    workshop_people: Counter[uuid.UUID] = Counter(p.workshop_id for p in scope.presences)
    for row in scope.anonymous:
        workshop_people[row.workshop_id] += row.count
    by_theme: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for invention in sorted(scope.inventions, key=lambda i: (i.title, str(i.id))):
        by_theme[invention.theme or "unspecified"].append(
            {
                "id": invention.id,
                "title": invention.title,
                "kind": invention.kind,
                "process_id": invention.process_id,
                "handovers": [
                    {
                        "to": "district" if h.get("to_district_id") else "organisation",
                        "to_district_id": h.get("to_district_id"),
                        "to_organisation_id": h.get("to_organisation_id"),
                        "on": h.get("on"),
                    }
                    for h in invention.handovers
                ],
            }
        )
    return {
        "district": district_public(
            district, display_names(list(session.exec(queries.districts())))[district.id]
        ),
        "edition": edition_public(session, edition),
        "processes": [
            {
                "id": p.id,
                "title": p.title,
                "status": p.status,
                "started_on": p.started_on,
                "identity_card": p.identity_card,
                "phases": p.phases,
            }
            for p in processes
        ],
        "summary": scope.summary(),
        "workshops": {
            "held": len(held),
            "by_method": scope.workshops_by_method(),
            "items": [
                {
                    "id": w.id,
                    "process_id": w.process_id,
                    "title": w.title,
                    "method": w.method,
                    "status": "held" if w.id in held else w.status,
                    "starts_at": w.starts_at,
                    "starts_at_local": to_rome(w.starts_at).isoformat() if w.starts_at else None,
                    "participants": workshop_people.get(w.id, 0),
                }
                for w in sorted(
                    scope.workshops,
                    key=lambda w: (w.starts_at.isoformat() if w.starts_at else "9999", str(w.id)),
                )
            ],
        },
        "participation": {
            **participation,
            "per_10000_residents": per_10000(participation["people_involved"], district.population),
        },
        "inventions": {
            "total": len(scope.inventions),
            "handovers": sum(len(i.handovers) for i in scope.inventions),
            "by_theme": {theme: len(items) for theme, items in sorted(by_theme.items())},
            "items_by_theme": dict(sorted(by_theme.items())),
        },
        "priorities": {
            "total": len(scope.priorities),
            "by_status": scope.priorities_by_status(),
            "by_outcome": scope.priorities_by_outcome(),
            "items": [
                {
                    "id": p.id,
                    "title": p.title,
                    "status": p.status,
                    "year": p.year,
                    "sitting_date": p.sitting_date,
                    "outcome": p.outcome,
                    "plan_action": p.plan_action,
                }
                # In the order they were decided (the sitting's date, when it happened), undecided ones last.
                for p in sorted(
                    scope.priorities, key=lambda p: (p.sitting_date or date.max, p.title, str(p.id))
                )
            ],
        },
        "evaluation": scope.evaluation_results(),
        "proposals": proposals.diary_section(session=session, processes=processes),
        "attachments": attachments.diary_section(
            session=session, workshops=scope.workshops, inventions=scope.inventions
        ),
        # The district's published cases (not tied to an edition: the library keeps them all).
        "cases": cases.diary_section(session=session, district_id=district_id),
        # The design as it stood at the end of the edition (today while it runs).
        "architecture": architecture(
            session=session,
            district_id=district_id,
            on=min(edition.ends_on, today) if edition.ends_on else today,
        ),
    }
