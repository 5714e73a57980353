"""Rules of inventions: recording, editing, hand-over, listing."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlmodel import Session, select

from services.workshops.outcomes import events as ev
from services.workshops.outcomes.base import (
    check_organisations,
    check_origin,
    check_people,
    district_workshop,
    invalid,
    str_or_none,
    unique_ids,
    workshop_of_process,
)
from services.workshops.outcomes.inventions.schemas import InventionCreate, InventionHandover, InventionUpdate
from services.workshops.outcomes.models import (
    THEME_LABELS,
    Invention,
    InventionKind,
    Theme,
)
from services.workshops.processes.base import require_local_references, require_registry_references
from services.workshops.processes.models import Process, Workshop, WorkshopMethod
from shared.auth.principal import Principal
from shared.clients.registry import RegistryClient
from shared.errors import NotFoundError
from shared.eventlog import NewEvent, RecordedEvent, TimePoint, append_to, fold_at
from shared.pagination import paginate


def require_invention_references(
    *,
    session: Session,
    registry: RegistryClient,
    principal: Principal,
    district_id: uuid.UUID,
    data: InventionCreate | InventionUpdate,
) -> None:
    """403 when a workshop, person or organisation of the body belongs to another district (issue 16.4)."""
    require_local_references(
        session=session,
        principal=principal,
        district_id=district_id,
        refs=[
            ("body.workshop_id", Workshop, getattr(data, "workshop_id", None)),
            ("body.restitution_workshop_id", Workshop, data.restitution_workshop_id),
        ],
    )
    require_registry_references(
        registry=registry,
        principal=principal,
        district_id=district_id,
        people=[(f"body.person_ids[{i}]", p) for i, p in enumerate(data.person_ids or [])],
        organisations=[(f"body.organisation_ids[{i}]", o) for i, o in enumerate(data.organisation_ids or [])],
    )


def invention_view(invention: Invention | dict[str, Any], *, show_people: bool = True) -> dict[str, Any]:
    """An invention (a row, or its columns folded as of a time) as the API shows it; who took part is
    shown to staff keys only."""
    data = dict(invention) if isinstance(invention, dict) else invention.model_dump()
    if not show_people:
        data["person_ids"] = []
    data["origin"] = {"kind": data["origin_kind"], "id": data["origin_id"]} if data["origin_kind"] else None
    data["theme_label"] = THEME_LABELS[Theme(data["theme"])]
    data["handover"] = (
        {
            "to_district_id": data["handed_over_to_district_id"],
            "to_organisation_id": data["handed_over_to_organisation_id"],
            "on": data["handed_over_on"],
            "note": data["handover_note"],
        }
        if data["handed_over_on"]
        else None
    )
    return data


# What the events set, reset to "not yet" before folding (the description and the attachments, which the
# events carry only as a change or a count, keep the current row's value).
_HANDOVER_FIELDS: dict[str, Any] = {
    "handed_over_to_district_id": None,
    "handed_over_to_organisation_id": None,
    "handed_over_on": None,
    "handover_note": None,
}
_CREATED_FIELDS = ("title", "kind", "theme", "person_ids", "organisation_ids", "workshop_id", "edition_id")


def _invention_step(data: dict[str, Any], event: RecordedEvent) -> dict[str, Any]:
    payload = event.payload
    if event.type == ev.INVENTION_CREATED:
        data.update({name: payload[name] for name in _CREATED_FIELDS if name in payload})
        for name in ("workshop_id", "edition_id"):
            data[name] = uuid.UUID(data[name]) if isinstance(data[name], str) else data[name]
        origin = payload.get("origin") or {}
        data["origin_kind"], data["origin_id"] = origin.get("kind"), origin.get("id")
        data["created_at"] = event.recorded_at
    elif event.type == ev.INVENTION_UPDATED:
        data.update({k: v for k, v in payload["changes"].items() if k != "attachments"})
    elif event.type == ev.INVENTION_HANDED_OVER:
        data["handed_over_to_district_id"] = payload.get("to_district_id")
        data["handed_over_to_organisation_id"] = payload.get("to_organisation_id")
        data["handed_over_on"] = payload.get("on")
        data["handover_note"] = payload.get("note")
    data["updated_at"] = event.recorded_at
    return data


def invention_at(*, session: Session, invention: Invention, point: TimePoint) -> dict[str, Any]:
    """The invention's columns as they stood at ``point``, folded from its events (for ``invention_view``)."""
    return fold_at(
        session,
        stream_type=ev.INVENTION_STREAM,
        stream_id=invention.id,
        point=point,
        apply=_invention_step,
        what=f"invention {invention.id}",
        start=invention.model_dump() | _HANDOVER_FIELDS,
        created=ev.INVENTION_CREATED,
        ids={"invention_id": str(invention.id)},
    )


def get_invention(*, session: Session, invention_id: uuid.UUID) -> Invention:
    """The invention, or NotFoundError."""
    invention = session.get(Invention, invention_id)
    if invention is None:
        raise NotFoundError(f"invention {invention_id} does not exist", invention_id=str(invention_id))
    return invention


def create_invention(
    *,
    session: Session,
    registry: RegistryClient,
    process: Process,
    data: InventionCreate,
    occurred_at: date | datetime | None = None,
) -> Invention:
    """Record an invention born in ``process`` (optionally in one of its workshops and sessions).

    ``occurred_at`` dates it when entered after the fact (an import: the day of its workshop), default now.
    """
    workshop = None
    if data.workshop_id is not None:
        workshop = workshop_of_process(
            session=session, workshop_id=data.workshop_id, process=process, path="body.workshop_id"
        )
        if data.origin is not None:
            check_origin(session=session, workshop=workshop, origin=data.origin, path="body.origin")
    if data.restitution_workshop_id is not None:
        district_workshop(
            session=session,
            workshop_id=data.restitution_workshop_id,
            district_id=process.district_id,
            method=WorkshopMethod.RESTITUTION_EVENT,
            path="body.restitution_workshop_id",
        )
    person_ids = unique_ids(data.person_ids, "body.person_ids")
    organisation_ids = unique_ids(data.organisation_ids, "body.organisation_ids")
    check_people(registry=registry, person_ids=data.person_ids, path="body.person_ids")
    check_organisations(
        registry=registry, organisation_ids=data.organisation_ids, path="body.organisation_ids"
    )
    invention = Invention(
        process_id=process.id,
        district_id=process.district_id,
        edition_id=process.edition_id,
        workshop_id=data.workshop_id,
        origin_kind=data.origin.kind.value if data.origin else None,
        origin_id=str(data.origin.id) if data.origin else None,
        title=data.title,
        description=data.description,
        kind=data.kind,
        theme=data.theme,
        person_ids=person_ids,
        organisation_ids=organisation_ids,
        attachments=[a.model_dump(mode="json") for a in data.attachments],
        restitution_workshop_id=data.restitution_workshop_id,
    )
    session.add(invention)
    payload = ev.InventionCreated(
        invention_id=str(invention.id),
        process_id=str(process.id),
        district_id=str(process.district_id),
        edition_id=str_or_none(process.edition_id),
        workshop_id=str_or_none(data.workshop_id),
        origin=ev.Origin(kind=invention.origin_kind, id=invention.origin_id)
        if invention.origin_kind
        else None,
        title=invention.title,
        kind=invention.kind.value,
        theme=invention.theme.value,
        person_ids=person_ids,
        organisation_ids=organisation_ids,
        attachment_count=len(invention.attachments),
    )
    append_to(
        session,
        row=invention,
        stream_type=ev.INVENTION_STREAM,
        new_events=[NewEvent(ev.INVENTION_CREATED, payload.model_dump(mode="json"))],
        expected_version=0,
        district_id=process.district_id,
        occurred_at=occurred_at,
    )
    return invention


def update_invention(
    *,
    session: Session,
    registry: RegistryClient,
    invention: Invention,
    data: InventionUpdate,
    expected_version: int,
) -> Invention:
    """Change an invention's fields; no event when nothing changes."""
    fields = data.model_dump(exclude_unset=True)
    changes: dict[str, Any] = {}
    if data.person_ids is not None:
        unique_ids(data.person_ids, "body.person_ids")
        check_people(registry=registry, person_ids=data.person_ids, path="body.person_ids")
    if data.organisation_ids is not None:
        unique_ids(data.organisation_ids, "body.organisation_ids")
        check_organisations(
            registry=registry, organisation_ids=data.organisation_ids, path="body.organisation_ids"
        )
    if "restitution_workshop_id" in fields and data.restitution_workshop_id is not None:
        district_workshop(
            session=session,
            workshop_id=data.restitution_workshop_id,
            district_id=invention.district_id,
            method=WorkshopMethod.RESTITUTION_EVENT,
            path="body.restitution_workshop_id",
        )
    dumped = data.model_dump(mode="json", exclude_unset=True)
    for name, value in dumped.items():
        if name == "attachments" or name in ("person_ids", "organisation_ids"):
            new_value: Any = value
        elif name == "kind":
            new_value = InventionKind(value)
        elif name == "theme":
            new_value = Theme(value)
        elif name == "restitution_workshop_id":
            new_value = uuid.UUID(value) if value else None
        else:
            new_value = value
        if getattr(invention, name) != new_value:
            setattr(invention, name, new_value)
            # Attachments are summarised by count: their titles are free text, not needed by consumers.
            changes[name] = len(value) if name == "attachments" else value
    if not changes:
        return invention
    payload = ev.InventionUpdated(
        invention_id=str(invention.id),
        process_id=str(invention.process_id),
        district_id=str(invention.district_id),
        changes=changes,
    )
    append_to(
        session,
        row=invention,
        stream_type=ev.INVENTION_STREAM,
        new_events=[NewEvent(ev.INVENTION_UPDATED, payload.model_dump(mode="json"))],
        expected_version=expected_version,
        district_id=invention.district_id,
    )
    session.add(invention)
    session.flush()
    return invention


def hand_over_invention(
    *,
    session: Session,
    registry: RegistryClient,
    invention: Invention,
    data: InventionHandover,
    expected_version: int,
) -> Invention:
    """Record to whom the invention was passed (another district or an organisation)."""
    if data.to_district_id is not None:
        if data.to_district_id == invention.district_id:
            raise invalid("body.to_district_id", "an invention is handed over to another district")
        if registry.get_district(str(data.to_district_id)) is None:
            raise invalid("body.to_district_id", f"no registry district {data.to_district_id}")
    if (
        data.to_organisation_id is not None
        and registry.get_organisation(str(data.to_organisation_id)) is None
    ):
        raise invalid("body.to_organisation_id", f"no registry organisation {data.to_organisation_id}")
    invention.handed_over_to_district_id = data.to_district_id
    invention.handed_over_to_organisation_id = data.to_organisation_id
    invention.handed_over_on = data.on
    invention.handover_note = data.note
    payload = ev.InventionHandedOver(
        invention_id=str(invention.id),
        process_id=str(invention.process_id),
        district_id=str(invention.district_id),
        to_district_id=str_or_none(data.to_district_id),
        to_organisation_id=str_or_none(data.to_organisation_id),
        on=data.on,
        note=data.note,
    )
    append_to(
        session,
        row=invention,
        stream_type=ev.INVENTION_STREAM,
        new_events=[NewEvent(ev.INVENTION_HANDED_OVER, payload.model_dump(mode="json"))],
        expected_version=expected_version,
        district_id=invention.district_id,
        occurred_at=data.on,
    )
    session.add(invention)
    session.flush()
    return invention


def list_inventions(
    *,
    session: Session,
    district_id: uuid.UUID | None,
    edition_id: uuid.UUID | None,
    process_id: uuid.UUID | None,
    workshop_id: uuid.UUID | None,
    theme: Theme | None,
    kind: InventionKind | None,
    limit: int,
    cursor: str | None,
) -> tuple[list[Invention], str | None]:
    """One page of inventions, oldest first, filtered."""
    statement = select(Invention)
    if district_id is not None:
        statement = statement.where(Invention.district_id == district_id)
    if edition_id is not None:
        statement = statement.where(Invention.edition_id == edition_id)
    if process_id is not None:
        statement = statement.where(Invention.process_id == process_id)
    if workshop_id is not None:
        statement = statement.where(Invention.workshop_id == workshop_id)
    if theme is not None:
        statement = statement.where(Invention.theme == theme)
    if kind is not None:
        statement = statement.where(Invention.kind == kind)
    return paginate(
        session, statement, sort=Invention.created_at, tiebreak=Invention.id, limit=limit, cursor=cursor
    )
