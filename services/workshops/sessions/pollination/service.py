"""Rules of cross-pollination (links between items of workshops)."""

from __future__ import annotations

import uuid

from sqlmodel import Session, select

from services.workshops.processes.models import Workshop
from services.workshops.sessions import events as ev
from services.workshops.sessions.base import append_events, ids_of, invalid
from services.workshops.sessions.models import (
    PollinationLink,
)
from services.workshops.sessions.origins import describe_item
from services.workshops.sessions.pollination.schemas import PollinationLinkCreate
from shared.eventlog import NewEvent


def link_pollination(*, session: Session, workshop: Workshop, data: PollinationLinkCreate) -> PollinationLink:
    """Link an idea carried from something of this workshop to something of this or another workshop."""
    origin = describe_item(session=session, kind=data.from_.kind, item_id=data.from_.id)
    if origin is None or origin["workshop_id"] != str(workshop.id):
        raise invalid("body.from.id", f"no {data.from_.kind.value} {data.from_.id} in this workshop")
    target = describe_item(session=session, kind=data.to.kind, item_id=data.to.id)
    if target is None:
        raise invalid("body.to.id", f"{data.to.kind.value} {data.to.id} does not exist")
    if (data.from_.kind, data.from_.id) == (data.to.kind, data.to.id):
        raise invalid("body.to", "an idea cannot be carried to where it came from")
    link = PollinationLink(
        workshop_id=workshop.id,
        from_kind=data.from_.kind.value,
        from_id=data.from_.id,
        to_kind=data.to.kind.value,
        to_id=data.to.id,
        to_workshop_id=uuid.UUID(target["workshop_id"]),
        note=data.note,
    )
    session.add(link)
    session.flush()
    payload = ev.PollinationLinked(
        **ids_of(workshop),
        link_id=str(link.id),
        from_={"kind": link.from_kind, "id": str(link.from_id)},
        to={"kind": link.to_kind, "id": str(link.to_id)},
        to_workshop_id=str(link.to_workshop_id),
        note=link.note,
    )
    append_events(session, workshop, [NewEvent(ev.POLLINATION_LINKED, payload.dump())])
    return link


def list_pollination_links(*, session: Session, workshop_id: uuid.UUID) -> list[PollinationLink]:
    """Links carried out of this workshop's items or into them."""
    statement = select(PollinationLink).where(
        (PollinationLink.workshop_id == workshop_id) | (PollinationLink.to_workshop_id == workshop_id)
    )
    return list(session.exec(statement.order_by(PollinationLink.created_at, PollinationLink.id)).all())  # type: ignore[arg-type]
