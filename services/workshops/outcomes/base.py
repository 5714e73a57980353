"""What every topic of the outcomes domain builds on: appending events, checks of origins, people and districts.

Keyword-only functions; they flush, never commit (the request's session commits). Every change appends its
event in the same session and keeps the row's ``version`` equal to its stream version.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlmodel import Session, select

from services.workshops.localtime import ROME
from services.workshops.outcomes import events as ev
from services.workshops.outcomes.models import (
    EvaluationResponse,
    Invention,
    Priority,
)
from services.workshops.outcomes.schemas import OriginIn
from services.workshops.processes.history.service import register_history_streams
from services.workshops.processes.models import Edition, Process, Workshop, WorkshopMethod
from services.workshops.sessions.origins import resolve_origin
from shared.clients.registry import RegistryClient
from shared.errors import FieldError, NotFoundError, ValidationFailed


def today_in_rome() -> date:
    """Today's date where the governance bodies sit (memberships are dated in local days)."""
    return datetime.now(ROME).date()


def str_or_none(value: uuid.UUID | None) -> str | None:
    return str(value) if value is not None else None


def invalid(path: str, message: str) -> ValidationFailed:
    return ValidationFailed(message, errors=[FieldError(path=path, message=message)])


def workshop_of_process(*, session: Session, workshop_id: uuid.UUID, process: Process, path: str) -> Workshop:
    workshop = session.get(Workshop, workshop_id)
    if workshop is None:
        raise invalid(path, f"workshop {workshop_id} does not exist")
    if workshop.process_id != process.id:
        raise invalid(path, f"workshop {workshop_id} does not belong to process {process.id}")
    return workshop


def district_workshop(
    *, session: Session, workshop_id: uuid.UUID, district_id: uuid.UUID, method: WorkshopMethod, path: str
) -> Workshop:
    workshop = session.get(Workshop, workshop_id)
    if workshop is None:
        raise invalid(path, f"workshop {workshop_id} does not exist")
    if workshop.district_id != district_id:
        raise invalid(path, f"workshop {workshop_id} belongs to another district")
    if workshop.method != method:
        raise invalid(path, f"workshop {workshop_id} is a {workshop.method.value}, not a {method.value}")
    return workshop


def check_origin(*, session: Session, workshop: Workshop, origin: OriginIn, path: str) -> None:
    """The origin session must exist in the workshop (the sessions domain knows topics, tables, rounds)."""
    resolve_origin(
        session=session, workshop_id=workshop.id, kind=origin.kind.value, origin_id=origin.id, path=path
    )


def check_people(*, registry: RegistryClient, person_ids: Sequence[uuid.UUID], path: str) -> None:
    errors = []
    for index, person_id in enumerate(person_ids):
        person = registry.get_person(str(person_id))
        if person is None or person.erased:
            errors.append(FieldError(path=f"{path}[{index}]", message=f"no registry person {person_id}"))
    if errors:
        raise ValidationFailed("unknown people", errors=errors)


def check_organisations(
    *, registry: RegistryClient, organisation_ids: Sequence[uuid.UUID], path: str
) -> None:
    errors = []
    for index, organisation_id in enumerate(organisation_ids):
        if registry.get_organisation(str(organisation_id)) is None:
            errors.append(
                FieldError(path=f"{path}[{index}]", message=f"no registry organisation {organisation_id}")
            )
    if errors:
        raise ValidationFailed("unknown organisations", errors=errors)


def unique_ids(ids: Sequence[uuid.UUID], path: str) -> list[str]:
    values = [str(i) for i in ids]
    if len(set(values)) != len(values):
        raise invalid(path, "ids must not repeat")
    return values


def origin_detail(
    *,
    session: Session,
    process_id: uuid.UUID | None,
    workshop_id: uuid.UUID | None,
    origin_kind: str | None,
    origin_id: str | None,
) -> dict[str, Any]:
    """The process, workshop and session something was born in, for responses."""
    process = session.get(Process, process_id) if process_id else None
    workshop = session.get(Workshop, workshop_id) if workshop_id else None
    return {
        "process": None
        if process is None
        else {
            "id": process.id,
            "title": process.title,
            "district_id": process.district_id,
            "edition_id": process.edition_id,
        },
        "workshop": None
        if workshop is None
        else {
            "id": workshop.id,
            "title": workshop.title,
            "method": workshop.method.value,
            "starts_at": workshop.starts_at,
        },
        "session": describe_origin(session, workshop, origin_kind, origin_id),
    }


def describe_origin(
    session: Session, workshop: Workshop | None, origin_kind: str | None, origin_id: str | None
) -> dict[str, Any] | None:
    if not (origin_kind and origin_id):
        return None
    described: dict[str, Any] = {"kind": origin_kind, "id": origin_id, "title": None}
    if workshop is not None:
        try:
            found = resolve_origin(
                session=session, workshop_id=workshop.id, kind=origin_kind, origin_id=origin_id
            )
        except ValidationFailed:  # the session was removed since; show what was recorded
            return described
        described["title"] = found.get("title")
    return described


def require_district(*, registry: RegistryClient, district_id: uuid.UUID) -> None:
    """NotFoundError unless the registry knows the district."""
    if registry.get_district(str(district_id)) is None:
        raise NotFoundError(f"district {district_id} does not exist", district_id=str(district_id))


def get_edition(*, session: Session, edition_id: uuid.UUID) -> Edition:
    """The programme edition, or NotFoundError."""
    edition = session.get(Edition, edition_id)
    if edition is None:
        raise NotFoundError(f"edition {edition_id} does not exist", edition_id=str(edition_id))
    return edition


def process_streams(session: Session, process_id: uuid.UUID) -> list[tuple[str, str]]:
    """The outcome streams of a process: its inventions, priorities and evaluation responses."""
    streams: list[tuple[str, str]] = []
    for invention_id in session.exec(select(Invention.id).where(Invention.process_id == process_id)).all():
        streams.append((ev.INVENTION_STREAM, str(invention_id)))
    for priority_id in session.exec(select(Priority.id).where(Priority.process_id == process_id)).all():
        streams.append((ev.PRIORITY_STREAM, str(priority_id)))
    for response_id in session.exec(
        select(EvaluationResponse.id).where(EvaluationResponse.process_id == process_id)
    ).all():
        streams.append((ev.EVALUATION_RESPONSE_STREAM, str(response_id)))
    return streams


register_history_streams(process_streams)
