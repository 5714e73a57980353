"""Factories of the sessions tests.

Districts, processes and workshops are owned by other domains. Until their routes exist the factories insert
the process and workshop rows directly (with the ``workshop.scheduled`` event, so the workshop's stream
version equals its row version exactly as the processes domain keeps it); ``SESSIONS_FACTORIES_VIA_API``
switches them to the HTTP API once it is there.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlmodel import Session

from services.workshops.processes.models import Process, Workshop, WorkshopMethod
from shared.eventlog import NewEvent, append, read_stream

STARTS_AT = datetime(2026, 12, 5, 8, 30, tzinfo=UTC)
ENDS_AT = datetime(2026, 12, 5, 13, 0, tzinfo=UTC)


def insert_workshop(
    session: Session,
    *,
    method: str = "open_space_technology",
    district_id: uuid.UUID | None = None,
    facilitator_ids: list[str] | None = None,
    title: str = "Aggiungi un posto al tavolo",
) -> Workshop:
    """A process and one scheduled workshop of it, written with the workshop.scheduled event."""
    district = district_id or uuid.uuid4()
    process = Process(district_id=district, title="Bassa Romagna 2026")
    session.add(process)
    session.flush()
    workshop = Workshop(
        process_id=process.id,
        district_id=district,
        method=WorkshopMethod(method),
        title=title,
        starts_at=STARTS_AT,
        ends_at=ENDS_AT,
        facilitator_ids=facilitator_ids or [],
    )
    session.add(workshop)
    session.flush()
    recorded = append(
        session,
        stream_type="workshop",
        stream_id=str(workshop.id),
        expected_version=0,
        events_to_append=[
            NewEvent(
                "workshop.scheduled",
                {
                    "workshop_id": str(workshop.id),
                    "process_id": str(process.id),
                    "district_id": str(district),
                    "method": method,
                    "title": title,
                },
            )
        ],
        district_id=str(district),
    )
    workshop.version = recorded[-1].version
    session.add(workshop)
    session.commit()
    return workshop


@pytest.fixture
def create_workshop(session: Session) -> Callable[..., Workshop]:
    """Create a process and a workshop of it (see ``insert_workshop``)."""

    def factory(**kwargs: Any) -> Workshop:
        return insert_workshop(session, **kwargs)

    return factory


def stream_types(session: Session, workshop_id: uuid.UUID | str) -> list[str]:
    """The event types of a workshop's stream, in order."""
    session.expire_all()
    return [e.type for e in read_stream(session, "workshop", str(workshop_id))]
