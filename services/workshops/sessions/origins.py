"""Where an outcome was born (used by the outcomes domain) and references to items of a workshop."""

from __future__ import annotations

import uuid
from typing import Any

from sqlmodel import Session

from services.workshops.processes.models import Workshop
from services.workshops.sessions.base import invalid
from services.workshops.sessions.models import (
    CafeRound,
    CafeTable,
    OriginKind,
    OstTopic,
)


def describe_item(*, session: Session, kind: OriginKind | str, item_id: uuid.UUID) -> dict[str, Any] | None:
    """``{kind, id, workshop_id, title}`` of a workshop, topic, café table or round; None when unknown."""
    kind = OriginKind(kind)
    if kind is OriginKind.WORKSHOP:
        workshop = session.get(Workshop, item_id)
        if workshop is None:
            return None
        return {"kind": kind.value, "id": str(item_id), "workshop_id": str(item_id), "title": workshop.title}
    if kind is OriginKind.OST_TOPIC:
        topic = session.get(OstTopic, item_id)
        return _describe(kind, item_id, topic.workshop_id, topic.title) if topic else None
    if kind is OriginKind.CAFE_TABLE:
        table = session.get(CafeTable, item_id)
        return _describe(kind, item_id, table.workshop_id, table.name) if table else None
    cafe_round = session.get(CafeRound, item_id)
    if cafe_round is None:
        return None
    title = f"Round {cafe_round.number}: {cafe_round.question}"[:200]
    return _describe(kind, item_id, cafe_round.workshop_id, title)


def _describe(kind: OriginKind, item_id: uuid.UUID, workshop_id: uuid.UUID, title: str) -> dict[str, Any]:
    return {"kind": kind.value, "id": str(item_id), "workshop_id": str(workshop_id), "title": title}


def resolve_origin(
    *,
    session: Session,
    workshop_id: uuid.UUID | str,
    kind: str,
    origin_id: uuid.UUID | str,
    path: str = "body.origin",
) -> dict[str, Any]:
    """Describe the session an outcome was born in; ValidationFailed (at ``path``) unless it is in the workshop."""
    kinds = [k.value for k in OriginKind]
    if kind not in kinds:
        raise invalid(f"{path}.kind", f"unknown origin kind {kind!r}; one of: {', '.join(kinds)}")
    try:
        item_id = origin_id if isinstance(origin_id, uuid.UUID) else uuid.UUID(str(origin_id))
        workshop_uuid = workshop_id if isinstance(workshop_id, uuid.UUID) else uuid.UUID(str(workshop_id))
    except ValueError as exc:
        raise invalid(f"{path}.id", "not a UUID") from exc
    described = describe_item(session=session, kind=kind, item_id=item_id)
    if described is None:
        raise invalid(f"{path}.id", f"{kind} {item_id} does not exist")
    if described["workshop_id"] != str(workshop_uuid):
        raise invalid(f"{path}.id", f"{kind} {item_id} does not belong to workshop {workshop_uuid}")
    return described
