"""What every topic of the processes domain builds on: rows or 404, appending events, registry checks."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from pydantic import BaseModel
from sqlmodel import Session, select

from services.workshops.processes import events
from services.workshops.processes.history import snapshots  # noqa: F401  (registers the process snapshot policy)
from services.workshops.processes.models import (
    Process,
    Workshop,
)
from shared.auth.principal import Principal
from shared.clients.registry import PersonRef, RegistryClient
from shared.errors import FieldError, NotFoundError, ValidationFailed
from shared.eventlog import NewEvent, RecordedEvent, append_to, stream_version


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


def workshop_stream_version(*, session: Session, workshop: Workshop) -> int:
    """The workshop stream's version (other domains append to it too, e.g. sessions' agenda)."""
    return stream_version(session, events.WORKSHOP, str(workshop.id))


def append_workshop_events(
    *,
    session: Session,
    workshop: Workshop,
    new_events: list[NewEvent],
    expected_version: int | None = None,
    occurred_at: date | datetime | None = None,
) -> list[RecordedEvent]:
    """Append events to a workshop's stream and keep its ``version`` (its ETag) in step.

    For the other workshops domains (sessions: agenda, Open Space, World Café, minutes) so the workshop's
    ETag moves with every event of its stream.
    """
    return append_to(
        session,
        stream_type=events.WORKSHOP,
        row=workshop,
        stream_id=workshop.id,
        district_id=workshop.district_id,
        expected_version=expected_version,
        new_events=new_events,
        occurred_at=occurred_at,
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


def require_registry_references(
    *,
    registry: RegistryClient,
    principal: Principal,
    district_id: object,
    people: Iterable[tuple[str, object]] = (),
    organisations: Iterable[tuple[str, object]] = (),
    facilitators: Iterable[tuple[str, object]] = (),
) -> None:
    """403 when a body's person or organisation belongs to districts this key may not use (issue 16.4).

    ``people`` and ``organisations`` are ``(field path, id)`` pairs; unknown ids are left to the existence
    checks (422). A facilitator belongs to the districts of their person and the districts they serve.
    """
    for path, person_id in people:
        if person_id is not None and (person := registry.get_person(str(person_id))) is not None:
            principal.require_reference(path, person.district_ids, target_district_id=district_id)
    for path, person_id in facilitators:
        if person_id is not None and (person := registry.get_person(str(person_id))) is not None:
            profile = registry.get_facilitator(str(person_id))
            owners = [*person.district_ids, *(profile.district_ids if profile else [])]
            principal.require_reference(path, owners, target_district_id=district_id)
    for path, organisation_id in organisations:
        if (
            organisation_id is not None
            and (org := registry.get_organisation(str(organisation_id))) is not None
        ):
            principal.require_reference(path, org.district_ids, target_district_id=district_id)


def require_local_references(
    *,
    session: Session,
    principal: Principal,
    district_id: object,
    refs: Iterable[tuple[str, type[Any], object]],
) -> None:
    """403 when a body id (``(field path, model, id)``) names a workshops object of another district (16.4).

    An object's district is its own ``district_id``, or that of its workshop or process; unknown ids are left
    to the service's existence checks.
    """
    for path, model, object_id in refs:
        if object_id is None:
            continue
        row = session.get(model, object_id if isinstance(object_id, uuid.UUID) else uuid.UUID(str(object_id)))
        owner = _district_of(session, row)
        if owner is not None:
            principal.require_reference(path, [owner], target_district_id=district_id)


def _district_of(session: Session, row: Any) -> object | None:
    if row is None:
        return None
    if getattr(row, "district_id", None) is not None:
        return row.district_id
    if getattr(row, "workshop_id", None) is not None:
        return _district_of(session, session.get(Workshop, row.workshop_id))
    if getattr(row, "process_id", None) is not None:
        return _district_of(session, session.get(Process, row.process_id))
    return None


def ensure_people_exist(
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


def lock_workshop(session: Session, workshop_id: uuid.UUID) -> Workshop:
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


def iso(value: date | datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def jsonable(value: Any) -> Any:
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json", exclude_none=True)
    if isinstance(value, list):
        return [jsonable(v) for v in value]
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    return value
