"""Rules of the processes domain: programmes, editions, processes, workshop scheduling, attendance, history."""

from __future__ import annotations

import copy
import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from pydantic import BaseModel
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Session, col, select

from services.workshops.processes import events
from services.workshops.processes.models import (
    ActorCategory,
    Attendance,
    Edition,
    Process,
    ProcessPhase,
    ProcessSnapshot,
    ProcessStatus,
    Programme,
    Registration,
    Workshop,
    WorkshopMethod,
    WorkshopStatus,
)
from services.workshops.processes.schemas import (
    ROME,
    AttendanceRecord,
    EditionCreate,
    PhaseCreate,
    PhasePublic,
    PhaseUpdate,
    ProcessCreate,
    ProcessPublic,
    ProcessStatusChange,
    ProcessTotals,
    ProcessUpdate,
    ProgrammeCreate,
    RegistrationCreate,
    WorkshopCreate,
    WorkshopStatusChange,
    WorkshopTotals,
    WorkshopUpdate,
    to_rome,
)
from shared.clients.registry import PersonRef, RegistryClient
from shared.db import utcnow
from shared.errors import ConflictError, FieldError, NotFoundError, ValidationFailed
from shared.eventlog import NewEvent, RecordedEvent, append, read_by_streams, read_stream, stream_version

HistoryStreamProvider = Callable[[Session, uuid.UUID], list[tuple[str, str]]]
"""Given a process id, the extra (stream_type, stream_id) pairs that belong to that process's history."""

_history_providers: list[HistoryStreamProvider] = []


def register_history_streams(provider: HistoryStreamProvider) -> None:
    """Let another domain (outcomes, sessions) add its streams to a process's history."""
    if provider not in _history_providers:
        _history_providers.append(provider)


def history_streams(*, session: Session, process_id: uuid.UUID) -> list[tuple[str, str]]:
    """Every stream of a process's history: the process, its workshops, and the registered providers' streams."""
    streams: list[tuple[str, str]] = [("process", str(process_id))]
    workshop_ids = session.exec(select(Workshop.id).where(Workshop.process_id == process_id)).all()
    streams.extend(("workshop", str(workshop_id)) for workshop_id in workshop_ids)
    for provider in _history_providers:
        streams.extend(
            (stream_type, str(stream_id)) for stream_type, stream_id in provider(session, process_id)
        )
    seen: set[tuple[str, str]] = set()
    return [s for s in streams if not (s in seen or seen.add(s))]  # type: ignore[func-returns-value]


def get_process(*, session: Session, process_id: uuid.UUID) -> Process:
    """The process, or NotFoundError."""
    process = session.get(Process, process_id)
    if process is None:
        raise NotFoundError(f"process {process_id} does not exist", process_id=str(process_id))
    return process


def get_workshop(*, session: Session, workshop_id: uuid.UUID) -> Workshop:
    """The workshop, or NotFoundError."""
    workshop = session.get(Workshop, workshop_id)
    if workshop is None:
        raise NotFoundError(f"workshop {workshop_id} does not exist", workshop_id=str(workshop_id))
    return workshop


# --- event appending -------------------------------------------------------------------------------------


def _append(
    session: Session,
    *,
    stream_type: str,
    row: Any,
    stream_id: uuid.UUID,
    district_id: uuid.UUID | str | None,
    expected_version: int | None,
    new_events: list[NewEvent],
) -> list[RecordedEvent]:
    """Append to the row's stream and keep ``row.version`` equal to the stream version."""
    recorded = append(
        session,
        stream_type=stream_type,
        stream_id=str(stream_id),
        expected_version=expected_version,
        events_to_append=new_events,
        district_id=str(district_id) if district_id is not None else None,
    )
    row.version = recorded[-1].version
    every = PROCESS_SNAPSHOT_EVERY
    if stream_type == events.PROCESS and (recorded[0].version - 1) // every < recorded[-1].version // every:
        snapshot_process(session=session, process_id=stream_id, through_version=recorded[-1].version)
    if hasattr(row, "updated_at"):
        row.updated_at = recorded[-1].recorded_at
    session.add(row)
    session.flush()
    return recorded


def workshop_stream_version(*, session: Session, workshop: Workshop) -> int:
    """The workshop stream's version (other domains append to it too, e.g. sessions' agenda)."""
    return stream_version(session, events.WORKSHOP, str(workshop.id))


def append_workshop_events(
    *, session: Session, workshop: Workshop, new_events: list[NewEvent], expected_version: int | None = None
) -> list[RecordedEvent]:
    """Append events to a workshop's stream and keep its ``version`` (its ETag) in step.

    For the other workshops domains (sessions: agenda, Open Space, World Café, minutes) so the workshop's
    ETag moves with every event of its stream.
    """
    return _append(
        session,
        stream_type=events.WORKSHOP,
        row=workshop,
        stream_id=workshop.id,
        district_id=workshop.district_id,
        expected_version=expected_version,
        new_events=new_events,
    )


# --- registry checks -------------------------------------------------------------------------------------


def ensure_district_exists(*, registry: RegistryClient, district_id: uuid.UUID, path: str) -> None:
    """422 on ``path`` when the registry has no such district (503 when the registry is down)."""
    if registry.get_district(str(district_id)) is None:
        raise ValidationFailed(
            f"district {district_id} does not exist in the registry",
            errors=[FieldError(path=path, message=f"unknown district {district_id}")],
        )


def ensure_district_found(*, registry: RegistryClient, district_id: uuid.UUID) -> None:
    """404 when the registry has no such district (for reads named by a district)."""
    if registry.get_district(str(district_id)) is None:
        raise NotFoundError(f"district {district_id} does not exist", district_id=str(district_id))


def ensure_person_found(*, registry: RegistryClient, person_id: uuid.UUID) -> None:
    """404 when the registry has no such person (for reads named by a facilitator)."""
    if registry.get_person(str(person_id)) is None:
        raise NotFoundError(f"person {person_id} does not exist", person_id=str(person_id))


def _ensure_people_exist(
    *, registry: RegistryClient, person_ids: list[str], path: str, known: frozenset[str] = frozenset()
) -> dict[str, PersonRef]:
    found: dict[str, PersonRef] = {}
    missing: list[FieldError] = []
    for index, person_id in enumerate(person_ids):
        if person_id in known:
            continue
        person = registry.get_person(person_id)
        if person is None or person.erased:
            missing.append(FieldError(path=f"{path}[{index}]", message=f"unknown person {person_id}"))
        else:
            found[person_id] = person
    if missing:
        raise ValidationFailed("some people do not exist in the registry", errors=missing)
    return found


# --- programmes and editions ------------------------------------------------------------------------------


def create_programme(*, session: Session, data: ProgrammeCreate) -> Programme:
    """Create a programme."""
    programme = Programme(name=data.name, description=data.description)
    session.add(programme)
    session.flush()
    payload = events.ProgrammeCreated(
        programme_id=str(programme.id), name=programme.name, description=programme.description
    )
    _append(
        session,
        stream_type=events.PROGRAMME,
        row=programme,
        stream_id=programme.id,
        district_id=None,
        expected_version=0,
        new_events=[NewEvent(events.PROGRAMME_CREATED, payload.dump())],
    )
    return programme


def get_programme(*, session: Session, programme_id: uuid.UUID) -> Programme:
    """The programme, or NotFoundError."""
    programme = session.get(Programme, programme_id)
    if programme is None:
        raise NotFoundError(f"programme {programme_id} does not exist", programme_id=str(programme_id))
    return programme


def get_edition(*, session: Session, edition_id: uuid.UUID) -> Edition:
    """The edition, or NotFoundError."""
    edition = session.get(Edition, edition_id)
    if edition is None:
        raise NotFoundError(f"edition {edition_id} does not exist", edition_id=str(edition_id))
    return edition


def create_edition(
    *, session: Session, registry: RegistryClient, programme_id: uuid.UUID, data: EditionCreate
) -> Edition:
    """Create an edition of a programme with the districts taking part (each checked in the registry)."""
    programme = get_programme(session=session, programme_id=programme_id)
    district_ids = list(dict.fromkeys(str(d) for d in data.district_ids))
    for index, district_id in enumerate(district_ids):
        ensure_district_exists(
            registry=registry, district_id=uuid.UUID(district_id), path=f"body.district_ids[{index}]"
        )
    edition = Edition(
        programme_id=programme.id,
        name=data.name,
        starts_on=data.starts_on,
        ends_on=data.ends_on,
        district_ids=district_ids,
    )
    session.add(edition)
    session.flush()
    payload = events.EditionCreated(
        edition_id=str(edition.id),
        programme_id=str(programme.id),
        name=edition.name,
        district_ids=district_ids,
        starts_on=_iso(edition.starts_on),
        ends_on=_iso(edition.ends_on),
    )
    _append(
        session,
        stream_type=events.EDITION,
        row=edition,
        stream_id=edition.id,
        district_id=None,
        expected_version=0,
        new_events=[NewEvent(events.EDITION_CREATED, payload.dump())],
    )
    return edition


def add_edition_district(
    *, session: Session, registry: RegistryClient, edition_id: uuid.UUID, district_id: uuid.UUID
) -> Edition:
    """Add a district to an edition (409 when it already takes part)."""
    edition = get_edition(session=session, edition_id=edition_id)
    if str(district_id) in edition.district_ids:
        raise ConflictError(
            f"district {district_id} already takes part in edition {edition.name}",
            edition_id=str(edition.id),
            district_id=str(district_id),
        )
    ensure_district_exists(registry=registry, district_id=district_id, path="body.district_id")
    edition.district_ids = [*edition.district_ids, str(district_id)]
    payload = events.EditionDistrictAdded(
        edition_id=str(edition.id), programme_id=str(edition.programme_id), district_id=str(district_id)
    )
    _append(
        session,
        stream_type=events.EDITION,
        row=edition,
        stream_id=edition.id,
        district_id=district_id,
        expected_version=edition.version,
        new_events=[NewEvent(events.EDITION_DISTRICT_ADDED, payload.dump())],
    )
    return edition


def list_programmes_query() -> Any:
    """Statement listing programmes."""
    return select(Programme)


def list_editions_query(*, programme_id: uuid.UUID) -> Any:
    """Statement listing a programme's editions."""
    return select(Edition).where(Edition.programme_id == programme_id)


# --- processes ---------------------------------------------------------------------------------------------


def _iso(value: date | datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _jsonable(value: Any) -> Any:
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json", exclude_none=True)
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    return value


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
        starts_on=_iso(phase.starts_on),
        ends_on=_iso(phase.ends_on),
        is_current=phase.is_current,
        position=phase.position,
    ).dump()


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
        stature=_jsonable(data.stature),
        contacts=_jsonable(data.contacts),
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
        started_on=_iso(process.started_on),
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
            position=position,
        )
        session.add(phase)
        new_events.append(NewEvent(events.PROCESS_PHASE_ADDED, _phase_payload(process, phase)))
    session.flush()
    _append(
        session,
        stream_type=events.PROCESS,
        row=process,
        stream_id=process.id,
        district_id=process.district_id,
        expected_version=0,
        new_events=new_events,
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
            new_value = _jsonable(new_value)
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
            changes[field] = _jsonable(new_value)
    if not changes:
        return process
    payload = events.ProcessUpdated(
        process_id=str(process.id), district_id=str(process.district_id), changes=changes
    )
    _append(
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
        position=(phases[-1].position + 1) if phases else 0,
    )
    session.add(phase)
    session.flush()
    new_events = [NewEvent(events.PROCESS_PHASE_ADDED, _phase_payload(process, phase))]
    if phase.is_current:
        new_events.extend(_clear_current_phase(session, process, phase.id))
    _append(
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
            changes[field] = _jsonable(value)
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
    _append(
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
        closed_on=_iso(process.closed_on),
    )
    _append(
        session,
        stream_type=events.PROCESS,
        row=process,
        stream_id=process.id,
        district_id=process.district_id,
        expected_version=expected_version,
        new_events=[NewEvent(events.PROCESS_STATUS_CHANGED, payload.dump())],
    )
    return process


def list_processes_query(
    *,
    district_id: uuid.UUID | None = None,
    edition_id: uuid.UUID | None = None,
    status: ProcessStatus | None = None,
) -> Any:
    """Statement listing processes with optional filters."""
    statement = select(Process)
    if district_id is not None:
        statement = statement.where(Process.district_id == district_id)
    if edition_id is not None:
        statement = statement.where(Process.edition_id == edition_id)
    if status is not None:
        statement = statement.where(Process.status == status)
    return statement


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


PROCESS_SNAPSHOT_EVERY = 500
"""A process stream is snapshotted at every multiple of this version: an as-of read folds at most this many events."""
PROCESS_FOLD_FORMAT = 1
"""The shape of a snapshot's state; bump it when ``_fold_process`` changes so older snapshots are ignored."""


def _fold_process(
    state: dict[str, Any], phases: dict[str, Any], stream: list[RecordedEvent]
) -> dict[str, Any]:
    """Apply process events to a folded state (and its phases, by id); returns the state (replaced on creation)."""
    for event in stream:
        payload = event.payload
        if event.type == events.PROCESS_CREATED:
            state = {k: v for k, v in payload.items() if k != "process_id"}
            state["id"] = payload["process_id"]
            state["closed_on"] = None
        elif event.type == events.PROCESS_UPDATED:
            state.update(payload["changes"])
        elif event.type == events.PROCESS_STATUS_CHANGED:
            state["status"] = payload["status"]
            state["closed_on"] = payload.get("closed_on")
        elif event.type == events.PROCESS_PHASE_ADDED:
            phases[payload["phase_id"]] = {
                "id": payload["phase_id"],
                "name": payload["name"],
                "starts_on": payload["starts_on"],
                "ends_on": payload["ends_on"],
                "is_current": payload["is_current"],
                "position": payload["position"],
            }
        elif event.type == events.PROCESS_PHASE_CHANGED:
            phases[payload["phase_id"]].update(payload["changes"])
    return state


def _latest_snapshot(
    session: Session, process_id: uuid.UUID, *, as_of: datetime | None = None
) -> ProcessSnapshot | None:
    """The newest snapshot of the current fold format (taken at or before ``as_of`` when given)."""
    statement = select(ProcessSnapshot).where(
        ProcessSnapshot.process_id == process_id, ProcessSnapshot.fold_format == PROCESS_FOLD_FORMAT
    )
    if as_of is not None:
        statement = statement.where(col(ProcessSnapshot.recorded_at) <= as_of)
    return session.exec(statement.order_by(col(ProcessSnapshot.version).desc()).limit(1)).first()


def _fold_start(snapshot: ProcessSnapshot | None) -> tuple[dict[str, Any], dict[str, Any], int]:
    """State, phases and version to fold on from: a private copy of the snapshot's, or empty at version 0."""
    if snapshot is None:
        return {}, {}, 0
    return copy.deepcopy(snapshot.state["state"]), copy.deepcopy(snapshot.state["phases"]), snapshot.version


def snapshot_process(*, session: Session, process_id: uuid.UUID, through_version: int | None = None) -> int:
    """Write the process's missing snapshots up to ``through_version`` (default: its stream's end); how many.

    Called by the write path when a process stream crosses a multiple of ``PROCESS_SNAPSHOT_EVERY`` and by
    ``communitylab snapshot-processes`` for streams written before snapshots existed. Snapshots are a cache
    derived from the events: deleting them changes no answer, only its speed.
    """
    every = PROCESS_SNAPSHOT_EVERY
    if through_version is None:
        through_version = stream_version(session, events.PROCESS, str(process_id))
    target = through_version // every * every
    latest = _latest_snapshot(session, process_id)
    if latest is not None and latest.version >= target:
        return 0
    state, phases, version = _fold_start(latest)
    written = 0
    while version < target:
        next_snapshot = (version // every + 1) * every
        chunk = read_stream(
            session, events.PROCESS, str(process_id), after_version=version, up_to_version=next_snapshot
        )
        if not chunk:
            break
        state = _fold_process(state, phases, chunk)
        version = chunk[-1].version
        if version == next_snapshot:
            session.add(
                ProcessSnapshot(
                    process_id=process_id,
                    version=version,
                    fold_format=PROCESS_FOLD_FORMAT,
                    recorded_at=chunk[-1].recorded_at,
                    state=copy.deepcopy({"state": state, "phases": phases}),
                )
            )
            written += 1
    session.flush()
    return written


def snapshot_all_processes(*, session: Session) -> int:
    """Drop snapshots of other fold formats and write every process's missing ones; how many were written."""
    session.execute(sa.delete(ProcessSnapshot).where(col(ProcessSnapshot.fold_format) != PROCESS_FOLD_FORMAT))
    process_ids = session.exec(select(Process.id)).all()
    return sum(snapshot_process(session=session, process_id=process_id) for process_id in process_ids)


def process_as_of(*, session: Session, process_id: uuid.UUID, as_of: datetime) -> ProcessPublic:
    """The process as it stood at ``as_of``, folded from its event stream (not from the current tables).

    Folding starts from the newest snapshot taken at or before ``as_of`` (itself folded from the same
    events), so at most ``PROCESS_SNAPSHOT_EVERY`` events are read whatever the stream's length.
    """
    snapshot = _latest_snapshot(session, process_id, as_of=as_of)
    state, phases, after_version = _fold_start(snapshot)
    stream = read_stream(session, events.PROCESS, str(process_id), after_version=after_version, as_of=as_of)
    if snapshot is None and (not stream or stream[0].type != events.PROCESS_CREATED):
        raise NotFoundError(
            f"process {process_id} did not exist at {as_of.isoformat()}", process_id=str(process_id)
        )
    state = _fold_process(state, phases, stream)
    state["phases"] = sorted(phases.values(), key=lambda p: p["position"])
    state["version"] = stream[-1].version if stream else after_version
    state["as_of"] = as_of
    return ProcessPublic.model_validate(state)


# --- history ------------------------------------------------------------------------------------------------


def process_history(
    *, session: Session, process_id: uuid.UUID, after: int, limit: int
) -> tuple[list[RecordedEvent], bool]:
    """A page of the process's history across its streams, in log order; True when more follow."""
    get_process(session=session, process_id=process_id)
    streams = history_streams(session=session, process_id=process_id)
    page = read_by_streams(session, streams, after=after, limit=limit + 1)
    return page[:limit], len(page) > limit


# --- workshops: scheduling rules ---------------------------------------------------------------------------

MAX_WORKSHOP_DURATION = timedelta(days=7)
SLOT_FREEING = frozenset({WorkshopStatus.CANCELLED, WorkshopStatus.POSTPONED})
"""Statuses whose workshop no longer holds its time slot (facilitators and venue are free again)."""


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
                "closed_on": _iso(process.closed_on),
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
                "process_starts_on": _iso(window_start),
                "process_ends_on": _iso(window_end),
                "starts_at": starts_at.isoformat(),
                "ends_at": ends_at.isoformat(),
                "message": f"the workshop falls outside the dates of process '{process.title}' "
                f"({_iso(window_start) or '…'} to {_iso(window_end) or '…'})",
            }
        )
    statement = select(Workshop).where(
        col(Workshop.starts_at) < ends_at,
        col(Workshop.starts_at) > starts_at - MAX_WORKSHOP_DURATION,
        col(Workshop.ends_at) > starts_at,
        col(Workshop.status).not_in([s.value for s in SLOT_FREEING]),
    )
    if exclude_id is not None:
        statement = statement.where(Workshop.id != exclude_id)
    wanted = set(facilitator_ids)
    venue_key = _normalise_venue(venue)
    for other in session.exec(statement.order_by(col(Workshop.starts_at), col(Workshop.id))).all():
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
    *, session: Session, registry: RegistryClient, process_id: uuid.UUID, data: WorkshopCreate
) -> Workshop:
    """Schedule a workshop of a process after checking facilitators, dates and clashes."""
    process = get_process(session=session, process_id=process_id)
    _check_times(data.starts_at, data.ends_at)
    if data.status not in (WorkshopStatus.PLANNED, WorkshopStatus.CONFIRMED):
        raise ValidationFailed(
            "a new workshop is planned or confirmed",
            errors=[FieldError(path="body.status", message="planned or confirmed")],
        )
    facilitator_ids = list(dict.fromkeys(str(f) for f in data.facilitator_ids))
    _ensure_people_exist(registry=registry, person_ids=facilitator_ids, path="body.facilitator_ids")
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
    workshop = _lock_workshop(session, workshop_id)
    _ensure_not_held(workshop)
    sent = data.model_dump(exclude_unset=True)
    starts_at = (data.starts_at or workshop.starts_at).astimezone(UTC)
    ends_at = (data.ends_at or workshop.ends_at).astimezone(UTC)
    _check_times(starts_at, ends_at)
    facilitator_ids = workshop.facilitator_ids
    if data.facilitator_ids is not None:
        facilitator_ids = list(dict.fromkeys(str(f) for f in data.facilitator_ids))
        _ensure_people_exist(
            registry=registry,
            person_ids=facilitator_ids,
            path="body.facilitator_ids",
            known=frozenset(workshop.facilitator_ids),
        )
    venue = sent.get("venue", workshop.venue)
    if "capacity" in sent and sent["capacity"] is not None:
        taken = _seats_taken(session, workshop.id)
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
            changes[field] = _jsonable(value.value if isinstance(value, WorkshopMethod) else value)
    if not changes:
        return workshop
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
        new_events.extend(_promote_waitlisted(session, workshop))
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
    *, session: Session, workshop_id: uuid.UUID, data: WorkshopStatusChange, expected_version: int
) -> Workshop:
    """Confirm, hold, cancel, postpone or reinstate a workshop; reinstating re-checks clashes."""
    workshop = _lock_workshop(session, workshop_id)
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
    )
    return workshop


def list_workshops_query(
    *,
    process_id: uuid.UUID | None = None,
    district_id: uuid.UUID | None = None,
    facilitator_id: str | None = None,
    dialect: str = "sqlite",
    starts_from: datetime | None = None,
    starts_before: datetime | None = None,
    status: WorkshopStatus | None = None,
) -> Any:
    """Statement listing workshops (a process's, a district's calendar, a facilitator's agenda)."""
    statement = select(Workshop)
    if process_id is not None:
        statement = statement.where(Workshop.process_id == process_id)
    if district_id is not None:
        statement = statement.where(Workshop.district_id == district_id)
    if facilitator_id is not None:
        statement = statement.where(_has_facilitator(facilitator_id, dialect))
    if starts_from is not None:
        statement = statement.where(col(Workshop.ends_at) > starts_from)
    if starts_before is not None:
        statement = statement.where(col(Workshop.starts_at) < starts_before)
    if status is not None:
        statement = statement.where(Workshop.status == status)
    return statement


def _has_facilitator(person_id: str, dialect: str) -> Any:
    column = Workshop.__table__.c.facilitator_ids  # type: ignore[attr-defined]
    if dialect == "postgresql":
        return sa.type_coerce(column, JSONB).contains([person_id])
    members = sa.func.json_each(column).table_valued("value")
    return sa.exists(sa.select(sa.literal(1)).select_from(members).where(members.c.value == person_id))


def list_all_workshops(*, session: Session, statement: Any, limit: int = 5000) -> list[Workshop]:
    """All workshops of a statement by start time (for feeds), bounded."""
    return list(
        session.exec(statement.order_by(col(Workshop.starts_at), col(Workshop.id)).limit(limit)).all()
    )


# --- registrations and attendance ----------------------------------------------------------------------------


def _lock_workshop(session: Session, workshop_id: uuid.UUID) -> Workshop:
    """The workshop row locked until the transaction ends (PostgreSQL), so seat counts cannot race."""
    workshop = session.exec(
        select(Workshop)
        .where(Workshop.id == workshop_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one_or_none()
    if workshop is None:
        raise NotFoundError(f"workshop {workshop_id} does not exist", workshop_id=str(workshop_id))
    return workshop


def _active_registrations(session: Session, workshop_id: uuid.UUID) -> list[Registration]:
    return list(
        session.exec(
            select(Registration)
            .where(Registration.workshop_id == workshop_id, col(Registration.cancelled_at).is_(None))
            .order_by(col(Registration.created_at), col(Registration.id))
        ).all()
    )


def _seats_taken(session: Session, workshop_id: uuid.UUID) -> int:
    return sum(r.count for r in _active_registrations(session, workshop_id) if not r.waitlisted)


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


def _promote_waitlisted(session: Session, workshop: Workshop) -> list[NewEvent]:
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
    workshop = _lock_workshop(session, workshop_id)
    _ensure_open_for_registration(workshop)
    category = data.actor_category
    person_id = str(data.person_id) if data.person_id else None
    active = _active_registrations(session, workshop.id)
    if person_id is not None:
        duplicate = next((r for r in active if r.person_id == person_id), None)
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
    taken = sum(r.count for r in active if not r.waitlisted)
    has_queue = any(r.waitlisted for r in active)
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
    workshop = _lock_workshop(session, workshop_id)
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
    promoted_events = _promote_waitlisted(session, workshop)
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
        _ensure_people_exist(registry=registry, person_ids=unknown, path="body.present") if unknown else {}
    )
    unknown_absent = [p for p in absent if p not in registered]
    if unknown_absent:
        _ensure_people_exist(registry=registry, person_ids=unknown_absent, path="body.absent")
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
