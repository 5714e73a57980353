"""What every topic of the sessions domain builds on: the workshop, its method, its stream, people checks."""

from __future__ import annotations

import uuid

from sqlmodel import Session

from services.workshops.processes import base as processes
from services.workshops.processes.models import Workshop
from services.workshops.sessions.models import CafeRound, CafeTable, OstTopic
from shared.auth.principal import Principal
from shared.clients.registry import RegistryClient
from shared.errors import ConflictError, FieldError, ValidationFailed
from shared.eventlog import NewEvent

OPEN_SPACE = "open_space_technology"
WORLD_CAFE = "world_cafe"


def get_workshop(*, session: Session, workshop_id: uuid.UUID) -> Workshop:
    """The workshop (NotFoundError when it does not exist)."""
    return processes.get_workshop(session=session, workshop_id=workshop_id)


def method_of(workshop: Workshop) -> str:
    return str(getattr(workshop.method, "value", workshop.method))


def require_method(workshop: Workshop, method: str) -> None:
    """409 unless the workshop runs with ``method``."""
    if method_of(workshop) != method:
        raise ConflictError(
            f"workshop {workshop.id} uses method {method_of(workshop)}, not {method}",
            workshop_method=method_of(workshop),
            required_method=method,
        )


def require_not_cancelled(workshop: Workshop) -> None:
    """409 for a cancelled workshop: nothing happens inside it any more."""
    status = str(getattr(workshop.status, "value", workshop.status))
    if status == "cancelled":
        raise ConflictError(
            f"workshop {workshop.id} was cancelled: its agenda, sessions and minutes can no longer change",
            workshop_status=status,
        )


def ids_of(workshop: Workshop) -> dict[str, str]:
    return {
        "workshop_id": str(workshop.id),
        "process_id": str(workshop.process_id),
        "district_id": str(workshop.district_id),
    }


def append_events(
    session: Session, workshop: Workshop, new_events: list[NewEvent], *, expected_version: int | None = None
) -> None:
    """Append to the workshop's stream through the processes domain, which keeps the row's version in step."""
    processes.append_workshop_events(
        session=session,
        workshop=workshop,
        new_events=new_events,
        expected_version=workshop.version if expected_version is None else expected_version,
    )


def invalid(path: str, message: str) -> ValidationFailed:
    return ValidationFailed(message, errors=[FieldError(path=path, message=message)])


def person_str(person_id: uuid.UUID | None) -> str | None:
    return str(person_id) if person_id is not None else None


def require_item_references(
    *, session: Session, principal: Principal, workshop: Workshop, refs: list[tuple[str, str, uuid.UUID]]
) -> None:
    """403 when a ``(field path, OriginKind value, id)`` names a session item of another district (16.4)."""
    models = {"workshop": Workshop, "ost_topic": OstTopic, "cafe_table": CafeTable, "cafe_round": CafeRound}
    processes.require_local_references(
        session=session,
        principal=principal,
        district_id=workshop.district_id,
        refs=[(path, models[kind], item_id) for path, kind, item_id in refs if kind in models],
    )


def ensure_people_exist(
    *,
    registry: RegistryClient,
    people: list[tuple[str, uuid.UUID | None]],
    principal: Principal,
    workshop: Workshop,
) -> None:
    """403 for people of districts this key may not use here (16.4); 422 naming every unknown (or erased) one."""
    processes.require_registry_references(
        registry=registry, principal=principal, district_id=workshop.district_id, people=people
    )
    errors: list[FieldError] = []
    for path, person_id in people:
        if person_id is None:
            continue
        person = registry.get_person(str(person_id))
        if person is None or person.erased:
            errors.append(FieldError(path=path, message=f"no registry person {person_id}"))
    if errors:
        raise ValidationFailed("some people do not exist in the registry", errors=errors)


def normalised(text: str) -> str:
    """A name as compared for clashes: spaces collapsed, case folded (space names, table names)."""
    return " ".join(text.split()).casefold()
