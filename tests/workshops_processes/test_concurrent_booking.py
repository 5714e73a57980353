"""Concurrent bookings of one facilitator: exactly one wins, the others get the clash (real transactions)."""

from __future__ import annotations

import threading
import uuid
from datetime import UTC, datetime

from sqlalchemy import Engine

from services.workshops.processes.attendance import service as attendance_service
from services.workshops.processes.attendance.schemas import RegistrationCreate
from services.workshops.processes.identity import service as identity_service
from services.workshops.processes.identity.schemas import ProcessCreate
from services.workshops.processes.models import ActorCategory, WorkshopMethod
from services.workshops.processes.scheduling import service as scheduling_service
from services.workshops.processes.scheduling.schemas import WorkshopCreate
from shared.clients.registry import DistrictRef, PersonRef
from shared.db import Database
from shared.errors import ConflictError
from tests.workshops_processes.conftest import InMemoryRegistry

BOOKERS = 6


def test_only_one_of_concurrent_overlapping_bookings_succeeds(committing_engine: Engine) -> None:
    """Committed, separate transactions racing for one facilitator at overlapping times."""
    database = Database(committing_engine)
    registry = InMemoryRegistry()
    district_id = uuid.uuid4()
    facilitator = str(uuid.uuid4())
    registry.districts[str(district_id)] = DistrictRef(id=str(district_id), name="Race")
    registry.people[facilitator] = PersonRef(id=facilitator, actor_category="social_worker")
    with database.transaction() as session:
        process = identity_service.create_process(
            session=session,
            registry=registry,
            data=ProcessCreate(district_id=district_id, title="Race", status="active"),  # type: ignore[arg-type]
        )
        process_id = process.id

    barrier = threading.Barrier(BOOKERS)
    outcomes: list[str] = []
    lock = threading.Lock()

    def book(index: int) -> None:
        data = WorkshopCreate(
            method=WorkshopMethod.WORLD_CAFE,
            title=f"Booking {index}",
            starts_at=datetime(2030, 5, 4, 9, index, tzinfo=UTC),
            ends_at=datetime(2030, 5, 4, 12, 0, tzinfo=UTC),
            facilitator_ids=[uuid.UUID(facilitator)],
        )
        barrier.wait()
        try:
            with database.transaction() as session:
                scheduling_service.schedule_workshop(
                    session=session, registry=registry, process_id=process_id, data=data
                )
            result = "booked"
        except ConflictError:
            result = "clash"
        except Exception as exc:  # pragma: no cover - shown in the assertion
            result = f"error: {exc!r}"
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=book, args=(i,)) for i in range(BOOKERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(outcomes) == ["booked"] + ["clash"] * (BOOKERS - 1), outcomes
    with database.session(write=False) as session:
        statement = scheduling_service.list_workshops_query(session=session, facilitator_id=facilitator)
        assert len(scheduling_service.list_all_workshops(session=session, statement=statement)) == 1


def test_concurrent_registrations_never_exceed_capacity(committing_engine: Engine) -> None:
    """Six people register at once for the last seat: one gets it, five wait."""
    database = Database(committing_engine)
    registry = InMemoryRegistry()
    district_id = uuid.uuid4()
    registry.districts[str(district_id)] = DistrictRef(id=str(district_id), name="Race")
    with database.transaction() as session:
        process = identity_service.create_process(
            session=session,
            registry=registry,
            data=ProcessCreate(district_id=district_id, title="Race", status="active"),  # type: ignore[arg-type]
        )
        workshop = scheduling_service.schedule_workshop(
            session=session,
            registry=registry,
            process_id=process.id,
            data=WorkshopCreate(
                method=WorkshopMethod.TRAINING,
                title="Last seat",
                starts_at=datetime(2030, 6, 1, 9, tzinfo=UTC),
                ends_at=datetime(2030, 6, 1, 12, tzinfo=UTC),
                capacity=1,
            ),
        )
        workshop_id = workshop.id
    barrier = threading.Barrier(BOOKERS)
    waitlisted: list[bool] = []
    errors: list[BaseException] = []

    def register() -> None:
        barrier.wait()
        try:
            with database.transaction() as session:
                registration = attendance_service.add_registration(
                    session=session,
                    registry=registry,
                    workshop_id=workshop_id,
                    data=RegistrationCreate(actor_category=ActorCategory.CITIZEN),
                )
                waitlisted.append(registration.waitlisted)
        except BaseException as exc:  # pragma: no cover - shown in the assertion
            errors.append(exc)

    threads = [threading.Thread(target=register) for _ in range(BOOKERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    assert sorted(waitlisted) == [False] + [True] * (BOOKERS - 1)
    with database.session(write=False) as session:
        totals = attendance_service.workshop_totals(session=session, workshop_id=workshop_id)
    assert totals.seats_taken == 1 and totals.waitlisted_total == BOOKERS - 1
