"""Projection "outcomes": inventions, priorities through their cycle, evaluation card responses."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sqlmodel import Session, SQLModel

from services.reporting.models import EvaluationResponseView, InventionView, PriorityView
from services.reporting.projections.base import (
    Handler,
    Projection,
    as_date,
    as_int,
    as_uuid,
    entity_id,
    get_or_new,
    text,
)
from shared.eventlog import RecordedEvent

# Event type -> the state the workshops API gives the priority after it (its PriorityState values). Events
# carry ``to_state`` too, which wins when present; this table covers payloads written without it.
PRIORITY_STATUS = {
    "priority.proposed": "proposed",
    "priority.submitted": "submitted",
    "priority.validated": "validated",
    "priority.rejected": "rejected",
    "priority.assigned": "assigned",
    "priority.started": "in_progress",
    "priority.reported": "reported",
    "priority.linked_to_plan_action": "linked_to_plan_action",
}


def _changes(event: RecordedEvent) -> dict[str, Any]:
    payload = dict(event.payload)
    changes = payload.pop("changes", None)
    if isinstance(changes, dict):
        payload.update(changes)
    return payload


class OutcomesProjection(Projection):
    """What processes produced."""

    name = "outcomes"
    tables = (InventionView, PriorityView, EvaluationResponseView)

    def handlers(self) -> dict[str, Handler]:
        """Event type -> handler."""
        handlers: dict[str, Handler] = {
            "invention.created": self.invention,
            "invention.updated": self.invention,
            "invention.handed_over": self.invention_handed_over,
            "priority.updated": self.priority,
            "evaluation.response_recorded": self.evaluation_response,
        }
        for event_type in PRIORITY_STATUS:
            handlers[event_type] = self.priority
        return handlers

    def keys(self, event: RecordedEvent) -> Iterator[tuple[type[SQLModel], Any]]:
        """The invention, priority or response an event updates."""
        kind = event.type.partition(".")[0]
        if kind == "invention":
            yield InventionView, entity_id(event, "invention_id")
        elif kind == "priority":
            yield PriorityView, entity_id(event, "priority_id")
        elif kind == "evaluation":
            yield EvaluationResponseView, entity_id(event, "response_id")

    def invention(self, session: Session, event: RecordedEvent) -> None:
        """Create or update an invention."""
        invention_id = entity_id(event, "invention_id")
        if invention_id is None:
            return
        row = get_or_new(session, InventionView, invention_id, id=invention_id)
        data = _changes(event)
        for field in ("process_id", "district_id", "edition_id", "workshop_id"):
            if data.get(field):
                setattr(row, field, as_uuid(data[field]))
        if row.district_id is None:
            row.district_id = as_uuid(event.district_id)
        for field in ("title", "kind", "theme"):
            if data.get(field):
                setattr(row, field, text(data[field], 200 if field == "title" else 64))

    def invention_handed_over(self, session: Session, event: RecordedEvent) -> None:
        """Record the invention's hand-over (the latest one, as the API shows it)."""
        invention_id = entity_id(event, "invention_id")
        if invention_id is None:
            return
        row = get_or_new(session, InventionView, invention_id, id=invention_id)
        handover = {
            "position": event.position,
            "to_district_id": event.payload.get("to_district_id"),
            "to_organisation_id": event.payload.get("to_organisation_id"),
            "on": str(event.payload.get("on") or event.occurred_at.date().isoformat()),
            "note": text(event.payload.get("note"), 500),
        }
        # A later hand-over replaces the earlier one, as it does in the workshops API (one recipient).
        row.handovers = [handover]

    def priority(self, session: Session, event: RecordedEvent) -> None:
        """Create a priority or move it along its cycle."""
        priority_id = entity_id(event, "priority_id")
        if priority_id is None:
            return
        row = get_or_new(session, PriorityView, priority_id, id=priority_id)
        data = _changes(event)
        if data.get("process_id"):
            row.process_id = as_uuid(data["process_id"])
        if data.get("district_id") or row.district_id is None:
            row.district_id = as_uuid(data.get("district_id")) or as_uuid(event.district_id)
        if data.get("edition_id"):
            row.edition_id = as_uuid(data["edition_id"])
        if data.get("title"):
            row.title = text(data["title"])
        if data.get("source"):
            row.source = text(data["source"], 64)
        if event.type in PRIORITY_STATUS:
            row.status = text(event.payload.get("to_state") or PRIORITY_STATUS[event.type], 40)
        elif data.get("status"):
            row.status = text(data["status"], 40)
        if as_int(data.get("year")) is not None:
            row.year = as_int(data["year"])
        if data.get("sitting_date"):
            row.sitting_date = as_date(data["sitting_date"])
        if event.type == "priority.reported" or data.get("outcome"):
            row.outcome = str(data.get("outcome") or "")[:5000] or row.outcome
        if data.get("plan_action"):
            plan_action = data["plan_action"]
            row.plan_action = text(
                plan_action.get("code") or plan_action.get("title")
                if isinstance(plan_action, dict)
                else plan_action
            )

    def evaluation_response(self, session: Session, event: RecordedEvent) -> None:
        """Store one evaluation card response (upserted by its id)."""
        response_id = entity_id(event, "response_id")
        if response_id is None:
            return
        row = get_or_new(session, EvaluationResponseView, response_id, id=response_id)
        data = event.payload
        for field in ("template_id", "process_id", "workshop_id", "district_id", "edition_id"):
            setattr(row, field, as_uuid(data.get(field)))
        if row.district_id is None:
            row.district_id = as_uuid(event.district_id)
        row.template_version = as_int(data.get("template_version"))
        row.answers = data.get("answers")
        row.scales = data.get("scales") or None
