"""Projection "architecture": a district's governance bodies, the relations between them and its agreements.

Memberships are kept as periods without the person, so the Diario can say how many sit in a body.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sqlmodel import Session, SQLModel

from services.reporting.models import AgreementView, BodyMembershipView, BodyRelationView, BodyView
from services.reporting.projections.base import (
    Handler,
    Projection,
    as_date,
    as_uuid,
    entity_id,
    get_or_new,
    text,
)
from shared.eventlog import RecordedEvent


class ArchitectureProjection(Projection):
    """Bodies, member periods, relations and agreements, keyed by the ids the registry's events carry."""

    name = "architecture"
    tables = (BodyView, BodyMembershipView, BodyRelationView, AgreementView)

    def handlers(self) -> dict[str, Handler]:
        """Event type -> handler."""
        return {
            "body.created": self.body_created,
            "body.member_added": self.membership,
            "body.member_ended": self.membership,
            "body.relation_added": self.relation,
            "body.relation_ended": self.relation,
            "agreement.recorded": self.agreement,
            "agreement.ended": self.agreement,
        }

    def keys(self, event: RecordedEvent) -> Iterator[tuple[type[SQLModel], Any]]:
        """The row an event writes."""
        if event.type == "body.created":
            yield BodyView, entity_id(event, "body_id")
        elif event.type.startswith("body.member_"):
            yield BodyMembershipView, as_uuid(event.payload.get("membership_id"))
        elif event.type.startswith("body.relation_"):
            yield BodyRelationView, as_uuid(event.payload.get("relation_id"))
        elif event.type.startswith("agreement."):
            yield AgreementView, entity_id(event, "agreement_id")

    def body_created(self, session: Session, event: RecordedEvent) -> None:
        """A body (upserted by its id)."""
        body_id = entity_id(event, "body_id")
        if body_id is None:
            return
        row = get_or_new(session, BodyView, body_id, id=body_id)
        row.district_id = as_uuid(event.payload.get("district_id")) or as_uuid(event.district_id)
        row.process_id = as_uuid(event.payload.get("process_id"))
        row.kind = text(event.payload.get("kind"), 64)
        row.name = text(event.payload.get("name"))

    def membership(self, session: Session, event: RecordedEvent) -> None:
        """A membership's period (the whole period is in every event, so a replay changes nothing)."""
        membership_id = as_uuid(event.payload.get("membership_id"))
        if membership_id is None:
            return
        row = get_or_new(session, BodyMembershipView, membership_id, id=membership_id)
        row.body_id = entity_id(event, "body_id")
        row.district_id = as_uuid(event.payload.get("district_id"))
        row.valid_from = as_date(event.payload.get("valid_from"))
        row.valid_to = as_date(event.payload.get("valid_to"))

    def relation(self, session: Session, event: RecordedEvent) -> None:
        """A relation between two bodies and its period."""
        relation_id = as_uuid(event.payload.get("relation_id"))
        if relation_id is None:
            return
        row = get_or_new(session, BodyRelationView, relation_id, id=relation_id)
        row.district_id = as_uuid(event.payload.get("district_id"))
        row.from_body_id = entity_id(event, "body_id")
        row.to_body_id = as_uuid(event.payload.get("to_body_id"))
        row.kind = text(event.payload.get("kind"), 64)
        row.note = text(event.payload.get("note"))
        row.valid_from = as_date(event.payload.get("valid_from"))
        row.valid_to = as_date(event.payload.get("valid_to"))

    def agreement(self, session: Session, event: RecordedEvent) -> None:
        """An agreement as recorded or ended (each event carries the whole public record)."""
        agreement_id = entity_id(event, "agreement_id")
        if agreement_id is None:
            return
        payload = event.payload
        row = get_or_new(session, AgreementView, agreement_id, id=agreement_id)
        row.district_id = as_uuid(payload.get("district_id")) or as_uuid(event.district_id)
        row.kind = text(payload.get("kind"), 64)
        row.title = text(payload.get("title"))
        row.reference = text(payload.get("reference"))
        row.signed_on = as_date(payload.get("signed_on"))
        row.valid_from = as_date(payload.get("valid_from"))
        row.valid_to = as_date(payload.get("valid_to"))
        ids = payload.get("organisation_ids")
        row.organisation_ids = [str(i) for i in ids if as_uuid(i)] if isinstance(ids, list) else []
