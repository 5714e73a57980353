"""The material of restitution: what a process and a workshop produced."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, col, select

from services.workshops.outcomes.inventions.service import invention_view
from services.workshops.outcomes.models import (
    Invention,
    Priority,
    PriorityState,
)
from services.workshops.outcomes.priorities.service import priority_view
from services.workshops.processes.models import Process, Workshop, WorkshopMethod


def process_restitution(*, session: Session, process: Process, show_people: bool = True) -> dict[str, Any]:
    """What each restitution event of the process reports, and what is still to be reported."""
    events_of_process = session.exec(
        select(Workshop)
        .where(Workshop.process_id == process.id, Workshop.method == WorkshopMethod.RESTITUTION_EVENT)
        .order_by(Workshop.starts_at, Workshop.id)
    ).all()
    event_ids = [w.id for w in events_of_process]
    reported = (
        session.exec(
            select(Priority)
            .where(col(Priority.restitution_workshop_id).in_(event_ids))
            .order_by(Priority.created_at, Priority.id)
        ).all()
        if event_ids
        else []
    )
    presented = (
        session.exec(
            select(Invention)
            .where(col(Invention.restitution_workshop_id).in_(event_ids))
            .order_by(Invention.created_at, Invention.id)
        ).all()
        if event_ids
        else []
    )
    pending_priorities = session.exec(
        select(Priority)
        .where(
            Priority.process_id == process.id,
            col(Priority.restitution_workshop_id).is_(None),
            Priority.state != PriorityState.REJECTED,
        )
        .order_by(Priority.created_at, Priority.id)
    ).all()
    pending_inventions = session.exec(
        select(Invention)
        .where(Invention.process_id == process.id, col(Invention.restitution_workshop_id).is_(None))
        .order_by(Invention.created_at, Invention.id)
    ).all()
    return {
        "process_id": process.id,
        "district_id": process.district_id,
        "restitution_events": [
            {
                "workshop": {
                    "id": w.id,
                    "title": w.title,
                    "method": w.method.value,
                    "starts_at": w.starts_at,
                },
                "priorities": [priority_view(p) for p in reported if p.restitution_workshop_id == w.id],
                "inventions": [
                    invention_view(i, show_people=show_people)
                    for i in presented
                    if i.restitution_workshop_id == w.id
                ],
            }
            for w in events_of_process
        ],
        "priorities_not_yet_reported": [priority_view(p) for p in pending_priorities],
        "inventions_not_yet_presented": [
            invention_view(i, show_people=show_people) for i in pending_inventions
        ],
    }


def workshop_outcomes(*, session: Session, workshop: Workshop, show_people: bool = True) -> dict[str, Any]:
    """Inventions and priority proposals born in a workshop."""
    inventions = session.exec(
        select(Invention)
        .where(Invention.workshop_id == workshop.id)
        .order_by(Invention.created_at, Invention.id)
    ).all()
    priorities = session.exec(
        select(Priority).where(Priority.workshop_id == workshop.id).order_by(Priority.created_at, Priority.id)
    ).all()
    return {
        "workshop_id": workshop.id,
        "process_id": workshop.process_id,
        "inventions": [invention_view(i, show_people=show_people) for i in inventions],
        "priorities": [priority_view(p) for p in priorities],
    }
