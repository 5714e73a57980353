"""Rules of scheduling workshops: dates, clashes (facilitators, venues), status changes, listings."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col
from sqlmodel.sql.expression import SelectOfScalar

from services.workshops.localtime import ROME, to_rome
from services.workshops.processes import events
from services.workshops.processes.attendance.service import promote_waitlisted, seats_taken
from services.workshops.processes.base import (
    append_workshop_events,
    ensure_people_exist,
    get_process,
    iso,
    jsonable,
    lock_workshop,
)
from services.workshops.processes.identity.service import list_phases
from services.workshops.processes.models import (
    SLOT_FREEING,
    Process,
    ProcessStatus,
    Workshop,
    WorkshopMethod,
    WorkshopStatus,
)
from services.workshops.processes.scheduling import queries
from services.workshops.processes.scheduling.schemas import (
    WorkshopCreate,
    WorkshopStatusChange,
    WorkshopUpdate,
)
from shared.clients.registry import RegistryClient
from shared.db import utcnow
from shared.errors import ConflictError, FieldError, ValidationFailed
from shared.eventlog import NewEvent

MAX_WORKSHOP_DURATION = timedelta(days=7)
CALENDAR_FIELDS = frozenset({"title", "description", "starts_at", "ends_at", "venue", "online_url", "method"})
"""Fields a workshop's VEVENT shows: changing one is a new revision of the calendar entry (its SEQUENCE)."""


def _normalise_venue(venue: str | None) -> str | None:
    return " ".join(venue.lower().split()) if venue else None


def _check_times(starts_at: datetime, ends_at: datetime) -> None:
    if ends_at <= starts_at:
        raise ValidationFailed(
            "the workshop ends before it starts",
            errors=[FieldError(path="body.ends_at", message="must be after starts_at")],
        )
    if ends_at - starts_at > MAX_WORKSHOP_DURATION:
        raise ValidationFailed(
            "a workshop lasts at most 7 days",
            errors=[FieldError(path="body.ends_at", message="at most 7 days after starts_at")],
        )


def _clash_ref(other: Workshop) -> dict[str, Any]:
    return {
        "workshop_id": str(other.id),
        "workshop_title": other.title,
        "process_id": str(other.process_id),
        "district_id": str(other.district_id),
        "starts_at": other.starts_at.isoformat(),
        "ends_at": other.ends_at.isoformat(),
        "starts_at_local": to_rome(other.starts_at),
        "ends_at_local": to_rome(other.ends_at),
    }


def _process_window(session: Session, process: Process) -> tuple[date | None, date | None]:
    phases = list_phases(session=session, process_id=process.id)
    start = process.started_on
    if start is None:
        starts = [p.starts_on for p in phases if p.starts_on]
        start = min(starts) if starts else None
    end = process.closed_on
    if end is None and phases and all(p.ends_on for p in phases):
        end = max(p.ends_on for p in phases if p.ends_on)
    return start, end


SCHEDULING_LOCK_KEY = 0x636C5F7363686564  # "cl_sched": one advisory lock for every booking check


def _serialise_scheduling(session: Session) -> None:
    """Hold the scheduling lock until the transaction ends, so two bookings cannot both pass the clash check.

    PostgreSQL: a transaction-scoped advisory lock; the clash query that follows runs after the previous
    holder committed and (READ COMMITTED) sees its workshop. SQLite: write transactions already run one at
    a time (BEGIN IMMEDIATE), so there is nothing to do.
    """
    if session.get_bind().dialect.name == "postgresql":
        session.connection().execute(
            sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": SCHEDULING_LOCK_KEY}
        )


def _check_schedule(
    session: Session,
    *,
    process: Process,
    starts_at: datetime,
    ends_at: datetime,
    venue: str | None,
    facilitator_ids: list[str],
    exclude_id: uuid.UUID | None,
) -> None:
    """409 naming every clash: outside the process's dates, a facilitator or the venue booked twice."""
    _serialise_scheduling(session)
    clashes: list[dict[str, Any]] = []
    if process.status is ProcessStatus.CLOSED:
        clashes.append(
            {
                "kind": "process_closed",
                "process_id": str(process.id),
                "closed_on": iso(process.closed_on),
                "message": f"process '{process.title}' is closed",
            }
        )
    window_start, window_end = _process_window(session, process)
    local_start, local_end = starts_at.astimezone(ROME).date(), ends_at.astimezone(ROME).date()
    if (window_start and local_start < window_start) or (window_end and local_end > window_end):
        clashes.append(
            {
                "kind": "outside_process_dates",
                "process_id": str(process.id),
                "process_starts_on": iso(window_start),
                "process_ends_on": iso(window_end),
                "starts_at": starts_at.isoformat(),
                "ends_at": ends_at.isoformat(),
                "message": f"the workshop falls outside the dates of process '{process.title}' "
                f"({iso(window_start) or '…'} to {iso(window_end) or '…'})",
            }
        )
    statement = queries.overlapping(
        starts_at=starts_at, ends_at=ends_at, longest=MAX_WORKSHOP_DURATION, exclude_id=exclude_id
    )
    wanted = set(facilitator_ids)
    venue_key = _normalise_venue(venue)
    for other in session.exec(statement).all():
        for facilitator_id in sorted(wanted & set(other.facilitator_ids)):
            clashes.append(
                {
                    "kind": "facilitator_double_booked",
                    "facilitator_id": facilitator_id,
                    **_clash_ref(other),
                    "message": f"facilitator {facilitator_id} is already booked for '{other.title}' "
                    f"from {to_rome(other.starts_at)} to {to_rome(other.ends_at)}",
                }
            )
        if venue_key and venue_key == _normalise_venue(other.venue):
            clashes.append(
                {
                    "kind": "venue_double_booked",
                    "venue": other.venue,
                    **_clash_ref(other),
                    "message": f"venue '{other.venue}' is already booked for '{other.title}' "
                    f"from {to_rome(other.starts_at)} to {to_rome(other.ends_at)}",
                }
            )
    if clashes:
        raise ConflictError("; ".join(c["message"] for c in clashes), clashes=clashes)


def _ensure_not_held(workshop: Workshop) -> None:
    if workshop.status is WorkshopStatus.HELD:
        raise ConflictError(
            f"workshop '{workshop.title}' was held on {to_rome(workshop.starts_at)} and can no longer change",
            clashes=[
                {"kind": "workshop_held", "workshop_id": str(workshop.id), "status": workshop.status.value}
            ],
        )


def schedule_workshop(
    *,
    session: Session,
    registry: RegistryClient,
    process_id: uuid.UUID,
    data: WorkshopCreate,
    occurred_at: date | datetime | None = None,
) -> Workshop:
    """Schedule a workshop of a process after checking facilitators, dates and clashes.

    ``occurred_at`` dates the scheduling when it is entered after the fact (an import of past work).
    """
    process = get_process(session=session, process_id=process_id)
    _check_times(data.starts_at, data.ends_at)
    if data.status not in (WorkshopStatus.PLANNED, WorkshopStatus.CONFIRMED):
        raise ValidationFailed(
            "a new workshop is planned or confirmed",
            errors=[FieldError(path="body.status", message="planned or confirmed")],
        )
    facilitator_ids = list(dict.fromkeys(str(f) for f in data.facilitator_ids))
    ensure_people_exist(registry=registry, person_ids=facilitator_ids, path="body.facilitator_ids")
    _check_schedule(
        session,
        process=process,
        starts_at=data.starts_at,
        ends_at=data.ends_at,
        venue=data.venue,
        facilitator_ids=facilitator_ids,
        exclude_id=None,
    )
    workshop = Workshop(
        process_id=process.id,
        district_id=process.district_id,
        edition_id=process.edition_id,
        method=data.method,
        title=data.title,
        description=data.description,
        starts_at=data.starts_at.astimezone(UTC),
        ends_at=data.ends_at.astimezone(UTC),
        venue=data.venue,
        online_url=data.online_url,
        capacity=data.capacity,
        facilitator_ids=facilitator_ids,
        status=data.status,
    )
    session.add(workshop)
    session.flush()
    payload = events.WorkshopScheduled(
        workshop_id=str(workshop.id),
        process_id=str(process.id),
        district_id=str(process.district_id),
        edition_id=str(process.edition_id) if process.edition_id else None,
        method=workshop.method.value,
        title=workshop.title,
        starts_at=workshop.starts_at.isoformat(),
        ends_at=workshop.ends_at.isoformat(),
        venue=workshop.venue,
        online_url=workshop.online_url,
        capacity=workshop.capacity,
        facilitator_ids=facilitator_ids,
        status=workshop.status.value,
    )
    append_workshop_events(
        session=session,
        workshop=workshop,
        new_events=[NewEvent(events.WORKSHOP_SCHEDULED, payload.dump())],
        expected_version=0,
        occurred_at=occurred_at,
    )
    return workshop


def update_workshop(
    *,
    session: Session,
    registry: RegistryClient,
    workshop_id: uuid.UUID,
    data: WorkshopUpdate,
    expected_version: int,
) -> Workshop:
    """Change a workshop; times, venue and facilitators are re-checked for clashes; a held one is final."""
    workshop = lock_workshop(session, workshop_id)
    _ensure_not_held(workshop)
    sent = data.model_dump(exclude_unset=True)
    starts_at = (data.starts_at or workshop.starts_at).astimezone(UTC)
    ends_at = (data.ends_at or workshop.ends_at).astimezone(UTC)
    _check_times(starts_at, ends_at)
    facilitator_ids = workshop.facilitator_ids
    if data.facilitator_ids is not None:
        facilitator_ids = list(dict.fromkeys(str(f) for f in data.facilitator_ids))
        ensure_people_exist(
            registry=registry,
            person_ids=facilitator_ids,
            path="body.facilitator_ids",
            known=frozenset(workshop.facilitator_ids),
        )
    venue = sent.get("venue", workshop.venue)
    if "capacity" in sent and sent["capacity"] is not None:
        taken = seats_taken(session, workshop.id)
        if sent["capacity"] < taken:
            raise ConflictError(
                f"capacity {sent['capacity']} is below the {taken} seats already taken",
                clashes=[{"kind": "capacity_below_registrations", "seats_taken": taken}],
            )
    if workshop.status not in SLOT_FREEING:
        process = get_process(session=session, process_id=workshop.process_id)
        _check_schedule(
            session,
            process=process,
            starts_at=starts_at,
            ends_at=ends_at,
            venue=venue,
            facilitator_ids=facilitator_ids,
            exclude_id=workshop.id,
        )
    new_values: dict[str, Any] = {
        **sent,
        "starts_at": starts_at,
        "ends_at": ends_at,
        "facilitator_ids": facilitator_ids,
    }
    changes: dict[str, Any] = {}
    for field, value in new_values.items():
        if getattr(workshop, field) != value:
            setattr(workshop, field, value)
            changes[field] = jsonable(value.value if isinstance(value, WorkshopMethod) else value)
    if not changes:
        return workshop
    if CALENDAR_FIELDS.intersection(changes):
        workshop.ical_sequence += 1
    new_events = [
        NewEvent(
            events.WORKSHOP_UPDATED,
            events.WorkshopUpdated(
                workshop_id=str(workshop.id),
                process_id=str(workshop.process_id),
                district_id=str(workshop.district_id),
                changes=changes,
            ).dump(),
        )
    ]
    if "capacity" in changes:
        new_events.extend(promote_waitlisted(session, workshop))
    append_workshop_events(
        session=session, workshop=workshop, new_events=new_events, expected_version=expected_version
    )
    return workshop


ALLOWED_TRANSITIONS: dict[WorkshopStatus, frozenset[WorkshopStatus]] = {
    WorkshopStatus.PLANNED: frozenset(
        {WorkshopStatus.CONFIRMED, WorkshopStatus.HELD, WorkshopStatus.CANCELLED, WorkshopStatus.POSTPONED}
    ),
    WorkshopStatus.CONFIRMED: frozenset(
        {WorkshopStatus.PLANNED, WorkshopStatus.HELD, WorkshopStatus.CANCELLED, WorkshopStatus.POSTPONED}
    ),
    WorkshopStatus.POSTPONED: frozenset(
        {WorkshopStatus.PLANNED, WorkshopStatus.CONFIRMED, WorkshopStatus.CANCELLED}
    ),
    WorkshopStatus.CANCELLED: frozenset({WorkshopStatus.PLANNED, WorkshopStatus.CONFIRMED}),
    WorkshopStatus.HELD: frozenset(),
}


def change_workshop_status(
    *,
    session: Session,
    workshop_id: uuid.UUID,
    data: WorkshopStatusChange,
    expected_version: int,
    occurred_at: datetime | None = None,
) -> Workshop:
    """Confirm, hold, cancel, postpone or reinstate a workshop; reinstating re-checks clashes.

    Held: dated by the workshop's start; otherwise by ``occurred_at`` (an import of past work: no later than
    the start), else now."""
    workshop = lock_workshop(session, workshop_id)
    _ensure_not_held(workshop)
    if data.status not in ALLOWED_TRANSITIONS[workshop.status]:
        raise ConflictError(
            f"a {workshop.status.value} workshop cannot become {data.status.value}",
            clashes=[
                {
                    "kind": "illegal_transition",
                    "workshop_id": str(workshop.id),
                    "from": workshop.status.value,
                    "to": data.status.value,
                }
            ],
        )
    if data.status is WorkshopStatus.HELD and workshop.starts_at > utcnow():
        raise ConflictError(
            f"workshop '{workshop.title}' starts {to_rome(workshop.starts_at)}: it cannot be held before then",
            clashes=[
                {
                    "kind": "not_started",
                    "workshop_id": str(workshop.id),
                    "starts_at": workshop.starts_at.isoformat(),
                }
            ],
        )
    if workshop.status in SLOT_FREEING and data.status not in SLOT_FREEING:
        # Its slot was free while cancelled/postponed: someone may have taken the facilitators or venue since.
        process = get_process(session=session, process_id=workshop.process_id)
        _check_schedule(
            session,
            process=process,
            starts_at=workshop.starts_at,
            ends_at=workshop.ends_at,
            venue=workshop.venue,
            facilitator_ids=workshop.facilitator_ids,
            exclude_id=workshop.id,
        )
    previous = workshop.status
    workshop.status = data.status
    workshop.status_reason = data.reason
    workshop.ical_sequence += 1
    payload = events.WorkshopStatusChanged(
        workshop_id=str(workshop.id),
        process_id=str(workshop.process_id),
        district_id=str(workshop.district_id),
        status=data.status.value,
        previous_status=previous.value,
        reason=data.reason,
    )
    append_workshop_events(
        session=session,
        workshop=workshop,
        new_events=[NewEvent(events.WORKSHOP_STATUS_CHANGED, payload.dump())],
        expected_version=expected_version,
        # A workshop is held on its day, whenever that is recorded.
        occurred_at=workshop.starts_at if data.status is WorkshopStatus.HELD else occurred_at,
    )
    return workshop


def list_workshops_query(
    *,
    session: Session,
    process_id: uuid.UUID | None = None,
    district_id: uuid.UUID | None = None,
    facilitator_id: str | None = None,
    starts_from: datetime | None = None,
    starts_before: datetime | None = None,
    status: WorkshopStatus | None = None,
) -> SelectOfScalar[Workshop]:
    """Statement listing workshops (a process's, a district's calendar, a facilitator's agenda), written for
    the session's database."""
    return queries.workshops(
        process_id=process_id,
        district_id=district_id,
        facilitator_id=facilitator_id,
        dialect=session.get_bind().dialect.name,
        starts_from=starts_from,
        starts_before=starts_before,
        status=status,
    )


def list_all_workshops(*, session: Session, statement: Any, limit: int = 5000) -> list[Workshop]:
    """All workshops of a statement by start time (for feeds), bounded."""
    return list(
        session.exec(statement.order_by(col(Workshop.starts_at), col(Workshop.id)).limit(limit)).all()
    )
