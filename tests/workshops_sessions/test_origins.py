"""resolve_origin: the contract the outcomes domain validates an outcome's origin session with."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable

import pytest
from sqlmodel import Session

from services.workshops.processes.models import Workshop
from services.workshops.sessions import origins
from services.workshops.sessions.models import CafeRound, CafeTable, OstTopic
from shared.errors import ValidationFailed

pytestmark = pytest.mark.anyio


async def test_origins_resolve_inside_their_workshop(
    session: Session, create_workshop: Callable[..., Awaitable[Workshop]]
) -> None:
    workshop = await create_workshop()
    other = await create_workshop()
    topic = OstTopic(workshop_id=workshop.id, title="Loneliness", space="Room A", slot_label="1")
    table = CafeTable(workshop_id=workshop.id, name="Table 1")
    cafe_round = CafeRound(workshop_id=workshop.id, number=1, question="What helps?", duration_minutes=20)
    session.add_all([topic, table, cafe_round])
    session.flush()

    assert origins.resolve_origin(
        session=session, workshop_id=workshop.id, kind="workshop", origin_id=workshop.id
    ) == {
        "kind": "workshop",
        "id": str(workshop.id),
        "workshop_id": str(workshop.id),
        "title": workshop.title,
    }
    assert origins.resolve_origin(
        session=session, workshop_id=str(workshop.id), kind="ost_topic", origin_id=str(topic.id)
    ) == {"kind": "ost_topic", "id": str(topic.id), "workshop_id": str(workshop.id), "title": "Loneliness"}
    assert (
        origins.resolve_origin(
            session=session, workshop_id=workshop.id, kind="cafe_table", origin_id=table.id
        )["title"]
        == "Table 1"
    )
    assert (
        origins.resolve_origin(
            session=session, workshop_id=workshop.id, kind="cafe_round", origin_id=cafe_round.id
        )["title"]
        == "Round 1: What helps?"
    )

    for kind, origin_id, path in [
        ("ost_topic", topic.id, "body.origin.id"),  # belongs to another workshop
        ("workshop", workshop.id, "body.origin.id"),
        ("cafe_table", uuid.uuid4(), "body.origin.id"),  # does not exist
        ("ost_topic", "not-a-uuid", "body.origin.id"),
        ("invention", topic.id, "body.origin.kind"),
    ]:
        with pytest.raises(ValidationFailed) as raised:
            origins.resolve_origin(session=session, workshop_id=other.id, kind=kind, origin_id=origin_id)
        assert raised.value.errors and raised.value.errors[0].path == path


async def test_origin_errors_use_the_callers_field_path(
    session: Session, create_workshop: Callable[..., Awaitable[Workshop]]
) -> None:
    workshop = await create_workshop()
    with pytest.raises(ValidationFailed) as raised:
        origins.resolve_origin(
            session=session,
            workshop_id=workshop.id,
            kind="cafe_table",
            origin_id=uuid.uuid4(),
            path="body.origins[2]",
        )
    assert raised.value.errors and raised.value.errors[0].path == "body.origins[2].id"
