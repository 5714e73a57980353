"""Rules of a process: its identity card, phases and status."""

from __future__ import annotations

import uuid
from typing import Any

from sqlmodel import Session, col, select

from services.workshops.localtime import ROME
from services.workshops.processes import events
from services.workshops.processes.base import (
    append_workshop_events,
    ensure_district_exists,
    get_process,
    iso,
    jsonable,
    require_registry_references,
)
from services.workshops.processes.identity.schemas import (
    Contact,
    PhaseCreate,
    PhasePublic,
    PhaseUpdate,
    ProcessCreate,
    ProcessPublic,
    ProcessStatusChange,
    ProcessUpdate,
)
from services.workshops.processes.models import (
    Edition,
    Process,
    ProcessPhase,
    ProcessStatus,
    Workshop,
)
from shared.auth.principal import Principal
from shared.clients.registry import RegistryClient
from shared.db import utcnow
from shared.errors import ConflictError, FieldError, NotFoundError, ValidationFailed
from shared.eventlog import NewEvent, append_to


def _check_edition_for_district(
    *, session: Session, edition_id: uuid.UUID | None, district_id: uuid.UUID
) -> None:
    if edition_id is None:
        return
    edition = session.get(Edition, edition_id)
    if edition is None:
        raise ValidationFailed(
            f"edition {edition_id} does not exist",
            errors=[FieldError(path="body.edition_id", message=f"unknown edition {edition_id}")],
        )
    if str(district_id) not in edition.district_ids:
        raise ValidationFailed(
            f"district {district_id} does not take part in edition {edition.name}",
            errors=[
                FieldError(path="body.edition_id", message="the district does not take part in this edition")
            ],
        )


def list_phases(*, session: Session, process_id: uuid.UUID) -> list[ProcessPhase]:
    """A process's phases in order."""
    return list(
        session.exec(
            select(ProcessPhase)
            .where(ProcessPhase.process_id == process_id)
            .order_by(col(ProcessPhase.position))
        ).all()
    )


def _phase_payload(process: Process, phase: ProcessPhase) -> dict[str, Any]:
    return events.ProcessPhaseAdded(
        process_id=str(process.id),
        district_id=str(process.district_id),
        phase_id=str(phase.id),
        name=phase.name,
        starts_on=iso(phase.starts_on),
        ends_on=iso(phase.ends_on),
        is_current=phase.is_current,
        position=phase.position,
        open_to_proposals=phase.open_to_proposals,
    ).dump()


def require_contact_references(
    *, registry: RegistryClient, principal: Principal, district_id: object, contacts: list[Contact] | None
) -> None:
    """403 when a contact is a person or organisation of districts this key may not use (issue 16.4)."""
    contacts = contacts or []
    require_registry_references(
        registry=registry,
        principal=principal,
        district_id=district_id,
        people=[(f"body.contacts[{i}].person_id", c.person_id) for i, c in enumerate(contacts)],
        organisations=[
            (f"body.contacts[{i}].organisation_id", c.organisation_id) for i, c in enumerate(contacts)
        ],
    )


def create_process(*, session: Session, registry: RegistryClient, data: ProcessCreate) -> Process:
    """Create a process of a district (checked in the registry), with its identity card and phases."""
    ensure_district_exists(registry=registry, district_id=data.district_id, path="body.district_id")
    _check_edition_for_district(session=session, edition_id=data.edition_id, district_id=data.district_id)
    current = [i for i, phase in enumerate(data.phases) if phase.is_current]
    if len(current) > 1:
        raise ValidationFailed(
            "only one phase can be current",
            errors=[
                FieldError(path=f"body.phases[{i}].is_current", message="only one phase can be current")
                for i in current[1:]
            ],
        )
    if data.status is ProcessStatus.CLOSED:
        raise ValidationFailed(
            "a process cannot be created closed",
            errors=[FieldError(path="body.status", message="create it draft or active, then close it")],
        )
    process = Process(
        district_id=data.district_id,
        edition_id=data.edition_id,
        title=data.title,
        purpose=data.purpose,
        weight=data.weight,
        transformations=data.transformations,
        methods_and_tools=data.methods_and_tools,
        distinctive_marks=data.distinctive_marks,
        started_on=data.started_on,
        location=data.location,
        stature=jsonable(data.stature),
        contacts=jsonable(data.contacts),
        status=data.status,
    )
    session.add(process)
    session.flush()
    created = events.ProcessCreated(
        process_id=str(process.id),
        district_id=str(process.district_id),
        edition_id=str(process.edition_id) if process.edition_id else None,
        title=process.title,
        purpose=process.purpose,
        weight=process.weight,
        transformations=process.transformations,
        methods_and_tools=process.methods_and_tools,
        distinctive_marks=process.distinctive_marks,
        started_on=iso(process.started_on),
        location=process.location,
        stature=process.stature,
        contacts=process.contacts,
        status=process.status.value,
    )
    new_events = [NewEvent(events.PROCESS_CREATED, created.dump())]
    for position, phase_data in enumerate(data.phases):
        phase = ProcessPhase(
            process_id=process.id,
            name=phase_data.name,
            starts_on=phase_data.starts_on,
            ends_on=phase_data.ends_on,
            is_current=phase_data.is_current,
            open_to_proposals=phase_data.open_to_proposals,
            position=position,
        )
        session.add(phase)
        new_events.append(NewEvent(events.PROCESS_PHASE_ADDED, _phase_payload(process, phase)))
    session.flush()
    append_to(
        session,
        stream_type=events.PROCESS,
        row=process,
        stream_id=process.id,
        district_id=process.district_id,
        expected_version=0,
        new_events=new_events,
        # A process entered after the fact (a past edition) exists from the day it started.
        occurred_at=process.started_on,
    )
    process.created_at = process.updated_at
    return process


def update_process(
    *, session: Session, process_id: uuid.UUID, data: ProcessUpdate, expected_version: int
) -> Process:
    """Change identity-card fields; one ``process.updated`` event with the new values (none if nothing changed)."""
    process = get_process(session=session, process_id=process_id)
    sent = data.model_dump(exclude_unset=True)
    if "edition_id" in sent:
        _check_edition_for_district(
            session=session, edition_id=data.edition_id, district_id=process.district_id
        )
    changes: dict[str, Any] = {}
    for field in sent:
        new_value = getattr(data, field)
        if field in {"stature", "contacts"}:
            new_value = jsonable(new_value)
        elif new_value is None and field in {
            "purpose",
            "weight",
            "transformations",
            "methods_and_tools",
            "distinctive_marks",
        }:
            new_value = ""
        if getattr(process, field) != new_value:
            setattr(process, field, new_value)
            changes[field] = jsonable(new_value)
    if not changes:
        return process
    payload = events.ProcessUpdated(
        process_id=str(process.id), district_id=str(process.district_id), changes=changes
    )
    append_to(
        session,
        stream_type=events.PROCESS,
        row=process,
        stream_id=process.id,
        district_id=process.district_id,
        expected_version=expected_version,
        new_events=[NewEvent(events.PROCESS_UPDATED, payload.dump())],
    )
    if "edition_id" in changes:
        _move_workshops_to_edition(session, process)
    return process


def _move_workshops_to_edition(session: Session, process: Process) -> None:
    """Workshops carry their process's edition: follow a change, each with its own ``workshop.updated``."""
    workshops = session.exec(select(Workshop).where(Workshop.process_id == process.id)).all()
    for workshop in workshops:
        if workshop.edition_id == process.edition_id:
            continue
        workshop.edition_id = process.edition_id
        payload = events.WorkshopUpdated(
            workshop_id=str(workshop.id),
            process_id=str(process.id),
            district_id=str(process.district_id),
            changes={"edition_id": str(process.edition_id) if process.edition_id else None},
        )
        append_workshop_events(
            session=session, workshop=workshop, new_events=[NewEvent(events.WORKSHOP_UPDATED, payload.dump())]
        )


def _clear_current_phase(session: Session, process: Process, keep: uuid.UUID) -> list[NewEvent]:
    """Unset the previous current phase (its own phase_changed event)."""
    out: list[NewEvent] = []
    for other in list_phases(session=session, process_id=process.id):
        if other.id != keep and other.is_current:
            other.is_current = False
            session.add(other)
            payload = events.ProcessPhaseChanged(
                process_id=str(process.id),
                district_id=str(process.district_id),
                phase_id=str(other.id),
                changes={"is_current": False},
            )
            out.append(NewEvent(events.PROCESS_PHASE_CHANGED, payload.dump()))
    return out


def add_phase(
    *, session: Session, process_id: uuid.UUID, data: PhaseCreate, expected_version: int
) -> ProcessPhase:
    """Add a phase at the end; ``is_current`` moves the current-phase mark to it."""
    process = get_process(session=session, process_id=process_id)
    phases = list_phases(session=session, process_id=process.id)
    if len(phases) >= 50:
        raise ConflictError("a process has at most 50 phases", process_id=str(process.id))
    phase = ProcessPhase(
        process_id=process.id,
        name=data.name,
        starts_on=data.starts_on,
        ends_on=data.ends_on,
        is_current=data.is_current,
        open_to_proposals=data.open_to_proposals,
        position=(phases[-1].position + 1) if phases else 0,
    )
    session.add(phase)
    session.flush()
    new_events = [NewEvent(events.PROCESS_PHASE_ADDED, _phase_payload(process, phase))]
    if phase.is_current:
        new_events.extend(_clear_current_phase(session, process, phase.id))
    append_to(
        session,
        stream_type=events.PROCESS,
        row=process,
        stream_id=process.id,
        district_id=process.district_id,
        expected_version=expected_version,
        new_events=new_events,
    )
    return phase


def update_phase(
    *, session: Session, process_id: uuid.UUID, phase_id: uuid.UUID, data: PhaseUpdate, expected_version: int
) -> ProcessPhase:
    """Change a phase's name, dates or make it the current one."""
    process = get_process(session=session, process_id=process_id)
    phase = session.get(ProcessPhase, phase_id)
    if phase is None or phase.process_id != process.id:
        raise NotFoundError(
            f"phase {phase_id} does not exist in process {process_id}", phase_id=str(phase_id)
        )
    sent = data.model_dump(exclude_unset=True)
    starts_on = sent.get("starts_on", phase.starts_on)
    ends_on = sent.get("ends_on", phase.ends_on)
    if starts_on and ends_on and ends_on < starts_on:
        raise ValidationFailed(
            "ends_on must not be before starts_on",
            errors=[FieldError(path="body.ends_on", message="must not be before starts_on")],
        )
    changes: dict[str, Any] = {}
    for field, value in sent.items():
        if getattr(phase, field) != value:
            setattr(phase, field, value)
            changes[field] = jsonable(value)
    if not changes:
        return phase
    session.add(phase)
    new_events = [
        NewEvent(
            events.PROCESS_PHASE_CHANGED,
            events.ProcessPhaseChanged(
                process_id=str(process.id),
                district_id=str(process.district_id),
                phase_id=str(phase.id),
                changes=changes,
            ).dump(),
        )
    ]
    if changes.get("is_current") is True:
        new_events.extend(_clear_current_phase(session, process, phase.id))
    append_to(
        session,
        stream_type=events.PROCESS,
        row=process,
        stream_id=process.id,
        district_id=process.district_id,
        expected_version=expected_version,
        new_events=new_events,
    )
    return phase


def change_process_status(
    *, session: Session, process_id: uuid.UUID, data: ProcessStatusChange, expected_version: int
) -> Process:
    """Move a process between draft, active and closed (a closed process takes no new workshops)."""
    process = get_process(session=session, process_id=process_id)
    if process.status == data.status:
        raise ConflictError(
            f"process is already {data.status.value}",
            process_id=str(process.id),
            current_status=data.status.value,
        )
    if data.status is ProcessStatus.DRAFT and process.status is not ProcessStatus.ACTIVE:
        raise ConflictError(
            "only an active process can go back to draft",
            process_id=str(process.id),
            current_status=process.status.value,
        )
    previous = process.status
    process.status = data.status
    if data.status is ProcessStatus.CLOSED:
        process.closed_on = data.closed_on or utcnow().astimezone(ROME).date()
        if process.started_on and process.closed_on < process.started_on:
            raise ValidationFailed(
                "closed_on is before the process started",
                errors=[FieldError(path="body.closed_on", message="before started_on")],
            )
    else:
        process.closed_on = None
    payload = events.ProcessStatusChanged(
        process_id=str(process.id),
        district_id=str(process.district_id),
        status=process.status.value,
        previous_status=previous.value,
        closed_on=iso(process.closed_on),
    )
    append_to(
        session,
        stream_type=events.PROCESS,
        row=process,
        stream_id=process.id,
        district_id=process.district_id,
        expected_version=expected_version,
        new_events=[NewEvent(events.PROCESS_STATUS_CHANGED, payload.dump())],
        occurred_at=process.closed_on if data.status is ProcessStatus.CLOSED else None,
    )
    return process


def process_public(*, session: Session, process: Process) -> ProcessPublic:
    """The process with its phases."""
    return processes_public(session=session, processes=[process])[0]


def processes_public(*, session: Session, processes: list[Process]) -> list[ProcessPublic]:
    """Processes with their phases, the phases of all of them read in one query (for list pages)."""
    phases: dict[uuid.UUID, list[PhasePublic]] = {p.id: [] for p in processes}
    if processes:
        rows = session.exec(
            select(ProcessPhase)
            .where(col(ProcessPhase.process_id).in_(list(phases)))
            .order_by(col(ProcessPhase.process_id), col(ProcessPhase.position))
        ).all()
        for row in rows:
            phases[row.process_id].append(PhasePublic.model_validate(row))
    out = []
    for process in processes:
        body = ProcessPublic.model_validate(process)
        body.phases = phases[process.id]
        out.append(body)
    return out
