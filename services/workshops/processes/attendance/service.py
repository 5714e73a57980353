"""Rules of registrations (waiting list), attendance and head counts."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import String, bindparam, case, cast, func
from sqlmodel import Session, col, select

from services.workshops.localtime import to_rome
from services.workshops.processes import events
from services.workshops.processes.attendance.schemas import (
    AttendanceRecord,
    ProcessTotals,
    RegistrationCreate,
    WorkshopTotals,
)
from services.workshops.processes.base import (
    append_workshop_events,
    ensure_people_exist,
    get_process,
    get_workshop,
    lock_workshop,
)
from services.workshops.processes.models import (
    SLOT_FREEING,
    ActorCategory,
    Attendance,
    Registration,
    Workshop,
    WorkshopStatus,
)
from shared.clients.registry import RegistryClient
from shared.db import utcnow
from shared.errors import ConflictError, FieldError, NotFoundError, ValidationFailed
from shared.eventlog import NewEvent, RecordedEvent, TimePoint, fold_at


def _active_registrations(session: Session, workshop_id: uuid.UUID) -> list[Registration]:
    return list(
        session.exec(
            select(Registration)
            .where(Registration.workshop_id == workshop_id, col(Registration.cancelled_at).is_(None))
            .order_by(col(Registration.created_at), col(Registration.id))
        ).all()
    )


# Built once: the statement is the same for every registration (only the workshop id is bound).
_SEATS = select(
    func.coalesce(
        func.sum(case((col(Registration.waitlisted).is_(False), col(Registration.count)), else_=0)), 0
    ),
    func.coalesce(func.max(case((col(Registration.waitlisted).is_(True), 1), else_=0)), 0),
).where(Registration.workshop_id == bindparam("workshop_id"), col(Registration.cancelled_at).is_(None))


def _seats(session: Session, workshop_id: uuid.UUID) -> tuple[int, bool]:
    """Seats taken by active registrations and whether any waits: one aggregate row, no registration loaded."""
    taken, queued = session.exec(_SEATS, params={"workshop_id": workshop_id}).one()
    return int(taken), bool(queued)


def seats_taken(session: Session, workshop_id: uuid.UUID) -> int:
    return _seats(session, workshop_id)[0]


def _active_registration_of(session: Session, workshop_id: uuid.UUID, person_id: str) -> Registration | None:
    return session.exec(
        select(Registration)
        .where(
            Registration.workshop_id == workshop_id,
            Registration.person_id == person_id,
            col(Registration.cancelled_at).is_(None),
        )
        .order_by(col(Registration.created_at), col(Registration.id))
        .limit(1)
    ).first()


def _registration_payload(workshop: Workshop, registration: Registration) -> dict[str, Any]:
    return {
        "workshop_id": str(workshop.id),
        "process_id": str(workshop.process_id),
        "district_id": str(workshop.district_id),
        "registration_id": str(registration.id),
        "person_id": registration.person_id,
        "actor_category": registration.actor_category.value,
        "count": registration.count,
    }


def promote_waitlisted(session: Session, workshop: Workshop) -> list[NewEvent]:
    """Give freed seats to the waiting list, first come first served (a group that does not fit waits)."""
    registrations = _active_registrations(session, workshop.id)
    taken = sum(r.count for r in registrations if not r.waitlisted)
    promoted: list[NewEvent] = []
    for registration in registrations:
        if not registration.waitlisted:
            continue
        if workshop.capacity is not None and taken + registration.count > workshop.capacity:
            break
        registration.waitlisted = False
        taken += registration.count
        session.add(registration)
        promoted.append(
            NewEvent(
                events.WORKSHOP_REGISTRATION_PROMOTED,
                events.WorkshopRegistrationPromoted(**_registration_payload(workshop, registration)).dump(),
            )
        )
    return promoted


def _ensure_open_for_registration(workshop: Workshop) -> None:
    if workshop.status in (WorkshopStatus.HELD, WorkshopStatus.CANCELLED):
        raise ConflictError(
            f"workshop '{workshop.title}' is {workshop.status.value}: registrations are closed",
            clashes=[{"kind": f"workshop_{workshop.status.value}", "workshop_id": str(workshop.id)}],
        )


def add_registration(
    *, session: Session, registry: RegistryClient, workshop_id: uuid.UUID, data: RegistrationCreate
) -> Registration:
    """Register a person or an anonymous group; waitlisted when the seats are taken."""
    workshop = lock_workshop(session, workshop_id)
    _ensure_open_for_registration(workshop)
    category = data.actor_category
    person_id = str(data.person_id) if data.person_id else None
    if person_id is not None:
        duplicate = _active_registration_of(session, workshop.id, person_id)
        if duplicate is not None:
            raise ConflictError(
                f"person {person_id} is already registered",
                registration_id=str(duplicate.id),
                clashes=[{"kind": "already_registered", "registration_id": str(duplicate.id)}],
            )
        person = registry.get_person(person_id)
        if person is None or person.erased:
            raise ValidationFailed(
                f"person {person_id} does not exist in the registry",
                errors=[FieldError(path="body.person_id", message=f"unknown person {person_id}")],
            )
        if category is None:
            category = _category(person.actor_category)
    assert category is not None
    taken, has_queue = _seats(session, workshop.id)
    waitlisted = workshop.capacity is not None and (has_queue or taken + data.count > workshop.capacity)
    registration = Registration(
        workshop_id=workshop.id,
        person_id=person_id,
        actor_category=category,
        count=data.count,
        waitlisted=waitlisted,
    )
    session.add(registration)
    session.flush()
    payload = events.WorkshopRegistrationAdded(
        **_registration_payload(workshop, registration), waitlisted=waitlisted
    )
    append_workshop_events(
        session=session,
        workshop=workshop,
        new_events=[NewEvent(events.WORKSHOP_REGISTRATION_ADDED, payload.dump())],
    )
    return registration


def _category(value: str | None) -> ActorCategory:
    try:
        return ActorCategory(value) if value else ActorCategory.OTHER
    except ValueError:
        return ActorCategory.OTHER


def cancel_registration(
    *, session: Session, workshop_id: uuid.UUID, registration_id: uuid.UUID
) -> tuple[Registration, list[Registration]]:
    """Cancel a registration and promote the waiting list into the freed seats."""
    workshop = lock_workshop(session, workshop_id)
    registration = session.get(Registration, registration_id)
    if registration is None or registration.workshop_id != workshop.id:
        raise NotFoundError(
            f"registration {registration_id} does not exist for workshop {workshop_id}",
            registration_id=str(registration_id),
        )
    if registration.cancelled_at is not None:
        raise ConflictError("the registration is already cancelled", registration_id=str(registration.id))
    _ensure_open_for_registration(workshop)
    registration.cancelled_at = utcnow()
    session.add(registration)
    session.flush()
    new_events = [
        NewEvent(
            events.WORKSHOP_REGISTRATION_CANCELLED,
            events.WorkshopRegistrationCancelled(
                **_registration_payload(workshop, registration), waitlisted=registration.waitlisted
            ).dump(),
        )
    ]
    promoted_events = promote_waitlisted(session, workshop)
    new_events.extend(promoted_events)
    append_workshop_events(session=session, workshop=workshop, new_events=new_events)
    promoted_ids = {e.payload["registration_id"] for e in promoted_events}
    promoted = [r for r in _active_registrations(session, workshop.id) if str(r.id) in promoted_ids]
    return registration, promoted


def list_registrations_query(*, workshop_id: uuid.UUID, include_cancelled: bool) -> Any:
    """Statement listing a workshop's registrations."""
    statement = select(Registration).where(Registration.workshop_id == workshop_id)
    if not include_cancelled:
        statement = statement.where(col(Registration.cancelled_at).is_(None))
    return statement


def people_of_facilitator(*, session: Session, person_id: str) -> list[str]:
    """Ids of the people registered to (not cancelled) or listed in the attendance of workshops ``person_id`` facilitates."""
    # The facilitator list is a JSON array: a text match narrows the rows on both dialects, Python decides.
    needle = f'%"{person_id}"%'
    workshops = session.exec(
        select(Workshop).where(cast(col(Workshop.facilitator_ids), String).like(needle))
    ).all()
    workshop_ids = [w.id for w in workshops if person_id in w.facilitator_ids]
    if not workshop_ids:
        return []
    people: set[str] = set()
    registrations = session.exec(
        select(Registration.person_id).where(
            col(Registration.workshop_id).in_(workshop_ids),
            col(Registration.cancelled_at).is_(None),
            col(Registration.person_id).is_not(None),
        )
    ).all()
    people.update(p for p in registrations if p)
    for attendance in session.exec(select(Attendance).where(col(Attendance.workshop_id).in_(workshop_ids))):
        people.update(attendance.present)
        people.update(attendance.absent)
    return sorted(people)


def record_attendance(
    *,
    session: Session,
    registry: RegistryClient,
    workshop_id: uuid.UUID,
    data: AttendanceRecord,
    expected_version: int | None = None,
) -> Attendance:
    """Take attendance once the workshop has started (a new record replaces the previous one)."""
    workshop = get_workshop(session=session, workshop_id=workshop_id)
    if workshop.status in SLOT_FREEING:
        raise ConflictError(
            f"workshop '{workshop.title}' is {workshop.status.value}: there is no attendance to take",
            clashes=[{"kind": f"workshop_{workshop.status.value}", "workshop_id": str(workshop.id)}],
        )
    if workshop.starts_at > utcnow():
        raise ConflictError(
            f"workshop '{workshop.title}' starts {to_rome(workshop.starts_at)}: attendance is taken afterwards",
            clashes=[
                {
                    "kind": "not_started",
                    "workshop_id": str(workshop.id),
                    "starts_at": workshop.starts_at.isoformat(),
                }
            ],
        )
    present = list(dict.fromkeys(str(p) for p in data.present))
    absent = list(dict.fromkeys(str(p) for p in data.absent))
    both = sorted(set(present) & set(absent))
    if both:
        raise ValidationFailed(
            "a person cannot be both present and absent",
            errors=[
                FieldError(path=f"body.absent[{absent.index(p)}]", message="also listed as present")
                for p in both
            ],
        )
    registered = {
        r.person_id: r.actor_category.value
        for r in _active_registrations(session, workshop.id)
        if r.person_id
    }
    categories: dict[str, str] = {}
    unknown = [p for p in present if p not in registered]
    people = (
        ensure_people_exist(registry=registry, person_ids=unknown, path="body.present") if unknown else {}
    )
    unknown_absent = [p for p in absent if p not in registered]
    if unknown_absent:
        ensure_people_exist(registry=registry, person_ids=unknown_absent, path="body.absent")
    for person_id in present:
        categories[person_id] = registered.get(person_id) or _category(people[person_id].actor_category).value
    anonymous = {category.value: n for category, n in data.anonymous_counts.items() if n}
    attendance = session.get(Attendance, workshop.id) or Attendance(workshop_id=workshop.id)
    attendance.present = present
    attendance.absent = absent
    attendance.categories = categories
    attendance.anonymous_counts = anonymous
    attendance.recorded_at = utcnow()
    session.add(attendance)
    payload = events.WorkshopAttendanceRecorded(
        workshop_id=str(workshop.id),
        process_id=str(workshop.process_id),
        district_id=str(workshop.district_id),
        present=present,
        absent=absent,
        anonymous_counts=anonymous,
    )
    append_workshop_events(
        session=session,
        workshop=workshop,
        new_events=[NewEvent(events.WORKSHOP_ATTENDANCE_RECORDED, payload.dump())],
        expected_version=expected_version,
        # The attendance of the workshop's day (a later correction too: it fixes that day's figures).
        occurred_at=workshop.starts_at,
    )
    return attendance


def get_attendance(*, session: Session, workshop_id: uuid.UUID) -> Attendance:
    """The workshop's attendance, or NotFoundError when none was taken."""
    get_workshop(session=session, workshop_id=workshop_id)
    attendance = session.get(Attendance, workshop_id)
    if attendance is None:
        raise NotFoundError(
            f"no attendance was taken for workshop {workshop_id}", workshop_id=str(workshop_id)
        )
    return attendance


def attendance_at(*, session: Session, workshop_id: uuid.UUID, point: TimePoint) -> dict[str, Any]:
    """The workshop's attendance at ``point``: the last record that falls inside it, from the event log.

    Records are dated by the workshop's day, so a correction recorded later answers ``as_of`` from that
    day on, while ``known_at`` before its recording still gives the figures known then.
    """
    get_workshop(session=session, workshop_id=workshop_id)

    def step(record: dict[str, Any], event: RecordedEvent) -> dict[str, Any]:
        if event.type != events.WORKSHOP_ATTENDANCE_RECORDED:
            return record
        return {
            "workshop_id": workshop_id,
            "present": list(event.payload.get("present") or []),
            "absent": list(event.payload.get("absent") or []),
            "anonymous_counts": dict(event.payload.get("anonymous_counts") or {}),
            "recorded_at": event.recorded_at,
            "occurred_at": event.occurred_at,
        }

    record = fold_at(
        session,
        stream_type=events.WORKSHOP,
        stream_id=workshop_id,
        point=point,
        apply=step,
        what=f"workshop {workshop_id}",
        ids={"workshop_id": str(workshop_id)},
    )
    if "present" not in record:
        raise NotFoundError(
            f"no attendance was taken for workshop {workshop_id} {point.describe()}",
            workshop_id=str(workshop_id),
        )
    return record


def _add(counter: dict[str, int], key: str, n: int) -> None:
    counter[key] = counter.get(key, 0) + n


def _totals_of_workshops(session: Session, workshop_ids: list[uuid.UUID]) -> dict[str, Any]:
    """Head counts by category over some workshops: two queries whatever their number."""
    registered: dict[str, int] = {}
    waitlisted: dict[str, int] = {}
    attended: dict[str, int] = {}
    recorded = 0
    if workshop_ids:
        registrations = session.exec(
            select(Registration).where(
                col(Registration.workshop_id).in_(workshop_ids), col(Registration.cancelled_at).is_(None)
            )
        ).all()
        for registration in registrations:
            counter = waitlisted if registration.waitlisted else registered
            _add(counter, registration.actor_category.value, registration.count)
        attendances = session.exec(
            select(Attendance).where(col(Attendance.workshop_id).in_(workshop_ids))
        ).all()
        for attendance in attendances:
            recorded += 1
            for category in attendance.categories.values():
                _add(attended, category, 1)
            for category, n in attendance.anonymous_counts.items():
                _add(attended, category, n)
    return {
        "registered": registered,
        "waitlisted": waitlisted,
        "attended": attended,
        "registered_total": sum(registered.values()),
        "waitlisted_total": sum(waitlisted.values()),
        "attended_total": sum(attended.values()),
        "attendance_recorded": recorded > 0,
    }


def workshop_totals(*, session: Session, workshop_id: uuid.UUID) -> WorkshopTotals:
    """Registered, waitlisted and attending head counts of a workshop by actor category."""
    workshop = get_workshop(session=session, workshop_id=workshop_id)
    totals = _totals_of_workshops(session, [workshop.id])
    return WorkshopTotals(
        workshop_id=workshop.id, capacity=workshop.capacity, seats_taken=totals["registered_total"], **totals
    )


def process_totals(*, session: Session, process_id: uuid.UUID) -> ProcessTotals:
    """Head counts by actor category summed over a process's workshops (cancelled ones left out)."""
    process = get_process(session=session, process_id=process_id)
    workshops = session.exec(
        select(Workshop).where(Workshop.process_id == process.id, Workshop.status != WorkshopStatus.CANCELLED)
    ).all()
    totals = _totals_of_workshops(session, [w.id for w in workshops])
    totals.pop("attendance_recorded")
    return ProcessTotals(
        process_id=process.id,
        workshops=len(workshops),
        workshops_held=sum(1 for w in workshops if w.status is WorkshopStatus.HELD),
        **totals,
    )
