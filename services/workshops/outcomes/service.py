"""Rules of the outcomes domain: inventions, the priority cycle, evaluation cards and restitution.

Keyword-only functions; they flush, never commit (the request's session commits). Every change appends its
event in the same session and keeps the row's ``version`` equal to its stream version.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, or_
from sqlmodel import Session, col, select

from services.workshops.outcomes import events as ev
from services.workshops.outcomes.models import (
    THEME_LABELS,
    EvaluationAnswer,
    EvaluationResponse,
    EvaluationTemplate,
    EvaluationTemplateVersion,
    Invention,
    InventionKind,
    Priority,
    PriorityState,
    Theme,
)
from services.workshops.outcomes.schemas import (
    DimensionKind,
    EvaluationResponseCreate,
    EvaluationTemplateCreate,
    EvaluationTemplateRevise,
    InventionCreate,
    InventionHandover,
    InventionUpdate,
    OriginIn,
    PriorityCreate,
)
from services.workshops.outcomes.statemachine import PriorityAction, allowed_transitions, apply_transition
from services.workshops.processes.models import Edition, Process, Workshop, WorkshopMethod

# Re-exported so routes look processes and workshops up through this module.
from services.workshops.processes.service import get_process as get_process
from services.workshops.processes.service import get_workshop as get_workshop
from services.workshops.processes.service import register_history_streams
from services.workshops.sessions.service import resolve_origin
from shared.api.pagination import paginate
from shared.auth.principal import Principal
from shared.clients.registry import RegistryClient
from shared.db import utcnow
from shared.errors import FieldError, ForbiddenError, NotFoundError, ValidationFailed
from shared.eventlog import NewEvent, append, read_stream

ROME = ZoneInfo("Europe/Rome")


def today_in_rome() -> date:
    """Today's date where the governance bodies sit (memberships are dated in local days)."""
    return datetime.now(ROME).date()


# Which governance body must own a step, checked against the registry's memberships of the caller.
STEP_BODY: dict[PriorityAction, str] = {
    PriorityAction.SUBMIT: "ufficio_di_piano",
    PriorityAction.VALIDATE: "comitato_di_distretto",
    PriorityAction.REJECT: "comitato_di_distretto",
}


def _append(
    session: Session,
    *,
    stream_type: str,
    stream_id: uuid.UUID,
    expected_version: int,
    event_type: str,
    payload: dict[str, Any],
    district_id: uuid.UUID | None,
) -> int:
    recorded = append(
        session,
        stream_type=stream_type,
        stream_id=str(stream_id),
        expected_version=expected_version,
        events_to_append=[NewEvent(event_type, payload)],
        district_id=district_id,
    )
    return recorded[-1].version


def _str(value: uuid.UUID | None) -> str | None:
    return str(value) if value is not None else None


def _invalid(path: str, message: str) -> ValidationFailed:
    return ValidationFailed(message, errors=[FieldError(path=path, message=message)])


# ----- shared checks ------------------------------------------------------------------------------------------


def _workshop_of_process(
    *, session: Session, workshop_id: uuid.UUID, process: Process, path: str
) -> Workshop:
    workshop = session.get(Workshop, workshop_id)
    if workshop is None:
        raise _invalid(path, f"workshop {workshop_id} does not exist")
    if workshop.process_id != process.id:
        raise _invalid(path, f"workshop {workshop_id} does not belong to process {process.id}")
    return workshop


def _district_workshop(
    *, session: Session, workshop_id: uuid.UUID, district_id: uuid.UUID, method: WorkshopMethod, path: str
) -> Workshop:
    workshop = session.get(Workshop, workshop_id)
    if workshop is None:
        raise _invalid(path, f"workshop {workshop_id} does not exist")
    if workshop.district_id != district_id:
        raise _invalid(path, f"workshop {workshop_id} belongs to another district")
    if workshop.method != method:
        raise _invalid(path, f"workshop {workshop_id} is a {workshop.method.value}, not a {method.value}")
    return workshop


def _check_origin(*, session: Session, workshop: Workshop, origin: OriginIn, path: str) -> None:
    """The origin session must exist in the workshop (the sessions domain knows topics, tables, rounds)."""
    resolve_origin(
        session=session, workshop_id=workshop.id, kind=origin.kind.value, origin_id=origin.id, path=path
    )


def _check_people(*, registry: RegistryClient, person_ids: Sequence[uuid.UUID], path: str) -> None:
    errors = []
    for index, person_id in enumerate(person_ids):
        person = registry.get_person(str(person_id))
        if person is None or person.erased:
            errors.append(FieldError(path=f"{path}[{index}]", message=f"no registry person {person_id}"))
    if errors:
        raise ValidationFailed("unknown people", errors=errors)


def _check_organisations(
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


def _unique(ids: Sequence[uuid.UUID], path: str) -> list[str]:
    values = [str(i) for i in ids]
    if len(set(values)) != len(values):
        raise _invalid(path, "ids must not repeat")
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
        "session": _describe_origin(session, workshop, origin_kind, origin_id),
    }


def _describe_origin(
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


# ----- inventions ---------------------------------------------------------------------------------------------


def invention_view(invention: Invention, *, show_people: bool = True) -> dict[str, Any]:
    """An invention as the API shows it; who took part is shown to staff keys only."""
    data = invention.model_dump()
    if not show_people:
        data["person_ids"] = []
    data["origin"] = (
        {"kind": invention.origin_kind, "id": invention.origin_id} if invention.origin_kind else None
    )
    data["theme_label"] = THEME_LABELS[Theme(invention.theme)]
    data["handover"] = (
        {
            "to_district_id": invention.handed_over_to_district_id,
            "to_organisation_id": invention.handed_over_to_organisation_id,
            "on": invention.handed_over_on,
            "note": invention.handover_note,
        }
        if invention.handed_over_on
        else None
    )
    return data


def get_invention(*, session: Session, invention_id: uuid.UUID) -> Invention:
    """The invention, or NotFoundError."""
    invention = session.get(Invention, invention_id)
    if invention is None:
        raise NotFoundError(f"invention {invention_id} does not exist", invention_id=str(invention_id))
    return invention


def create_invention(
    *, session: Session, registry: RegistryClient, process: Process, data: InventionCreate
) -> Invention:
    """Record an invention born in ``process`` (optionally in one of its workshops and sessions)."""
    workshop = None
    if data.workshop_id is not None:
        workshop = _workshop_of_process(
            session=session, workshop_id=data.workshop_id, process=process, path="body.workshop_id"
        )
        if data.origin is not None:
            _check_origin(session=session, workshop=workshop, origin=data.origin, path="body.origin")
    if data.restitution_workshop_id is not None:
        _district_workshop(
            session=session,
            workshop_id=data.restitution_workshop_id,
            district_id=process.district_id,
            method=WorkshopMethod.RESTITUTION_EVENT,
            path="body.restitution_workshop_id",
        )
    person_ids = _unique(data.person_ids, "body.person_ids")
    organisation_ids = _unique(data.organisation_ids, "body.organisation_ids")
    _check_people(registry=registry, person_ids=data.person_ids, path="body.person_ids")
    _check_organisations(
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
        edition_id=_str(process.edition_id),
        workshop_id=_str(data.workshop_id),
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
    invention.version = _append(
        session,
        stream_type=ev.INVENTION_STREAM,
        stream_id=invention.id,
        expected_version=0,
        event_type=ev.INVENTION_CREATED,
        payload=payload.model_dump(mode="json"),
        district_id=process.district_id,
    )
    session.flush()
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
        _unique(data.person_ids, "body.person_ids")
        _check_people(registry=registry, person_ids=data.person_ids, path="body.person_ids")
    if data.organisation_ids is not None:
        _unique(data.organisation_ids, "body.organisation_ids")
        _check_organisations(
            registry=registry, organisation_ids=data.organisation_ids, path="body.organisation_ids"
        )
    if "restitution_workshop_id" in fields and data.restitution_workshop_id is not None:
        _district_workshop(
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
    invention.updated_at = utcnow()
    payload = ev.InventionUpdated(
        invention_id=str(invention.id),
        process_id=str(invention.process_id),
        district_id=str(invention.district_id),
        changes=changes,
    )
    invention.version = _append(
        session,
        stream_type=ev.INVENTION_STREAM,
        stream_id=invention.id,
        expected_version=expected_version,
        event_type=ev.INVENTION_UPDATED,
        payload=payload.model_dump(mode="json"),
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
            raise _invalid("body.to_district_id", "an invention is handed over to another district")
        if registry.get_district(str(data.to_district_id)) is None:
            raise _invalid("body.to_district_id", f"no registry district {data.to_district_id}")
    if (
        data.to_organisation_id is not None
        and registry.get_organisation(str(data.to_organisation_id)) is None
    ):
        raise _invalid("body.to_organisation_id", f"no registry organisation {data.to_organisation_id}")
    invention.handed_over_to_district_id = data.to_district_id
    invention.handed_over_to_organisation_id = data.to_organisation_id
    invention.handed_over_on = data.on
    invention.handover_note = data.note
    invention.updated_at = utcnow()
    payload = ev.InventionHandedOver(
        invention_id=str(invention.id),
        process_id=str(invention.process_id),
        district_id=str(invention.district_id),
        to_district_id=_str(data.to_district_id),
        to_organisation_id=_str(data.to_organisation_id),
        on=data.on,
        note=data.note,
    )
    invention.version = _append(
        session,
        stream_type=ev.INVENTION_STREAM,
        stream_id=invention.id,
        expected_version=expected_version,
        event_type=ev.INVENTION_HANDED_OVER,
        payload=payload.model_dump(mode="json"),
        district_id=invention.district_id,
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


# ----- priorities ---------------------------------------------------------------------------------------------


def priority_view(priority: Priority) -> dict[str, Any]:
    """A priority as the API shows it, with the steps allowed from its state."""
    data = priority.model_dump()
    data["origin"] = (
        {"kind": priority.origin_kind, "id": priority.origin_id} if priority.origin_kind else None
    )
    data["allowed"] = allowed_transitions(PriorityState(priority.state))
    return data


def get_priority(*, session: Session, priority_id: uuid.UUID) -> Priority:
    """The priority, or NotFoundError."""
    priority = session.get(Priority, priority_id)
    if priority is None:
        raise NotFoundError(f"priority {priority_id} does not exist", priority_id=str(priority_id))
    return priority


def create_priority(*, session: Session, data: PriorityCreate) -> Priority:
    """Record a priority proposal of a district (from one of its workshops or by its Ufficio di Piano)."""
    process = None
    if data.process_id is not None:
        process = session.get(Process, data.process_id)
        if process is None:
            raise _invalid("body.process_id", f"process {data.process_id} does not exist")
        if process.district_id != data.district_id:
            raise _invalid("body.process_id", "the process belongs to another district")
    if data.workshop_id is not None:
        workshop = session.get(Workshop, data.workshop_id)
        if workshop is None:
            raise _invalid("body.workshop_id", f"workshop {data.workshop_id} does not exist")
        if workshop.district_id != data.district_id:
            raise _invalid("body.workshop_id", "the workshop belongs to another district")
        if process is None:
            process = session.get(Process, workshop.process_id)
        elif workshop.process_id != process.id:
            raise _invalid("body.workshop_id", "the workshop belongs to another process")
        if data.origin is not None:
            _check_origin(session=session, workshop=workshop, origin=data.origin, path="body.origin")
    priority = Priority(
        district_id=data.district_id,
        process_id=process.id if process else None,
        edition_id=process.edition_id if process else None,
        workshop_id=data.workshop_id,
        origin_kind=data.origin.kind.value if data.origin else None,
        origin_id=str(data.origin.id) if data.origin else None,
        source=data.source,
        title=data.title,
        description=data.description,
        state=PriorityState.PROPOSED,
    )
    session.add(priority)
    payload = ev.PriorityProposed(
        priority_id=str(priority.id),
        process_id=_str(priority.process_id),
        district_id=str(priority.district_id),
        from_state=None,
        to_state=PriorityState.PROPOSED.value,
        title=priority.title,
        source=priority.source.value,
        workshop_id=_str(priority.workshop_id),
        edition_id=_str(priority.edition_id),
        origin=ev.Origin(kind=priority.origin_kind, id=priority.origin_id) if priority.origin_kind else None,
    )
    priority.version = _append(
        session,
        stream_type=ev.PRIORITY_STREAM,
        stream_id=priority.id,
        expected_version=0,
        event_type=ev.PRIORITY_PROPOSED,
        payload=payload.model_dump(mode="json"),
        district_id=priority.district_id,
    )
    session.flush()
    return priority


def authorise_priority_step(
    *, registry: RegistryClient, principal: Principal, priority: Priority, action: PriorityAction, on: date
) -> None:
    """Only the roles that own a step may take it: editors of the district, plus the governance body's role.

    Regional administrators may take every step. Submitting needs a role in the district's Ufficio di Piano
    and validating or rejecting a role in its Comitato di Distretto, on ``on``, per the registry; for people
    signed in with a token that membership is enough, API keys must also be the district's editors.
    """
    principal.require_authenticated()
    if not (principal.signed_in and action in STEP_BODY):
        # A person signed in with a token takes a body's step by their membership alone (the registry's
        # rights); API keys and every other step also need the district's editor rights.
        principal.require_district_editor(priority.district_id)
    if principal.is_admin or action not in STEP_BODY:
        return
    body = STEP_BODY[action]
    if not principal.person_id:
        raise ForbiddenError(
            f"'{action.value}' is taken by a member of the {body}; this API key is not linked to a registry "
            "person (create the key with a person_id)",
            required_body=body,
        )
    roles = registry.person_roles(str(priority.district_id), principal.person_id, on=on)
    if not any(role.split(":", 1)[0] == body for role in roles):
        raise ForbiddenError(
            f"'{action.value}' needs a role in the {body} of district {priority.district_id} on "
            f"{on.isoformat()}; person {principal.person_id} holds none",
            required_body=body,
        )


def _transition(
    *,
    session: Session,
    priority: Priority,
    action: PriorityAction,
    expected_version: int,
    event_type: str,
    payload_model: type[ev.PriorityEventBase],
    details: dict[str, Any],
) -> Priority:
    """Apply one step of the state machine and append its event."""
    from_state = PriorityState(priority.state)
    priority.state = apply_transition(from_state, action)
    priority.updated_at = utcnow()
    payload = payload_model(
        priority_id=str(priority.id),
        process_id=_str(priority.process_id),
        district_id=str(priority.district_id),
        from_state=from_state.value,
        to_state=priority.state.value,
        **details,
    )
    priority.version = _append(
        session,
        stream_type=ev.PRIORITY_STREAM,
        stream_id=priority.id,
        expected_version=expected_version,
        event_type=event_type,
        payload=payload.model_dump(mode="json"),
        district_id=priority.district_id,
    )
    session.add(priority)
    session.flush()
    return priority


def check_step(priority: Priority, action: PriorityAction) -> None:
    """409 with the allowed steps before any payload check, so an illegal step is reported as such."""
    apply_transition(PriorityState(priority.state), action)


def submit_priority(*, session: Session, priority: Priority, year: int, expected_version: int) -> Priority:
    """The Ufficio di Piano submits the priority to the committee for ``year``."""
    check_step(priority, PriorityAction.SUBMIT)
    priority.year = year
    return _transition(
        session=session,
        priority=priority,
        action=PriorityAction.SUBMIT,
        expected_version=expected_version,
        event_type=ev.PRIORITY_SUBMITTED,
        payload_model=ev.PrioritySubmitted,
        details={"year": year},
    )


def decide_priority(
    *,
    session: Session,
    priority: Priority,
    validated: bool,
    sitting_date: date,
    motivation: str,
    expected_version: int,
) -> Priority:
    """The Comitato di Distretto validates or rejects the priority at a sitting."""
    action = PriorityAction.VALIDATE if validated else PriorityAction.REJECT
    check_step(priority, action)
    if sitting_date > today_in_rome():
        raise _invalid("body.sitting_date", "a decision is recorded after the sitting, not before")
    if priority.year is not None and sitting_date.year not in (priority.year - 1, priority.year):
        raise _invalid(
            "body.sitting_date",
            f"a sitting deciding the {priority.year} priorities falls in that year or the one before",
        )
    priority.sitting_date = sitting_date
    priority.motivation = motivation
    return _transition(
        session=session,
        priority=priority,
        action=action,
        expected_version=expected_version,
        event_type=ev.PRIORITY_VALIDATED if validated else ev.PRIORITY_REJECTED,
        payload_model=ev.PriorityDecided,
        details={"year": priority.year, "sitting_date": sitting_date, "motivation": motivation},
    )


def assign_priority(
    *, session: Session, priority: Priority, workshop_ids: Sequence[uuid.UUID], expected_version: int
) -> Priority:
    """Assign a validated priority to its project table (workshops of method project_table)."""
    check_step(priority, PriorityAction.ASSIGN)
    ids = _unique(workshop_ids, "body.project_table_workshop_ids")
    for index, workshop_id in enumerate(workshop_ids):
        _district_workshop(
            session=session,
            workshop_id=workshop_id,
            district_id=priority.district_id,
            method=WorkshopMethod.PROJECT_TABLE,
            path=f"body.project_table_workshop_ids[{index}]",
        )
    priority.project_table_workshop_ids = ids
    return _transition(
        session=session,
        priority=priority,
        action=PriorityAction.ASSIGN,
        expected_version=expected_version,
        event_type=ev.PRIORITY_ASSIGNED,
        payload_model=ev.PriorityAssigned,
        details={"project_table_workshop_ids": ids},
    )


def start_priority(*, session: Session, priority: Priority, expected_version: int) -> Priority:
    """The project table starts working on the priority."""
    check_step(priority, PriorityAction.START)
    return _transition(
        session=session,
        priority=priority,
        action=PriorityAction.START,
        expected_version=expected_version,
        event_type=ev.PRIORITY_STARTED,
        payload_model=ev.PriorityStarted,
        details={},
    )


def report_priority(
    *,
    session: Session,
    priority: Priority,
    outcome: str,
    restitution_workshop_id: uuid.UUID,
    note: str | None,
    expected_version: int,
) -> Priority:
    """Record the outcome reported at a restitution event of the district."""
    check_step(priority, PriorityAction.REPORT)
    _district_workshop(
        session=session,
        workshop_id=restitution_workshop_id,
        district_id=priority.district_id,
        method=WorkshopMethod.RESTITUTION_EVENT,
        path="body.restitution_workshop_id",
    )
    priority.outcome = outcome  # type: ignore[assignment]
    priority.outcome_note = note
    priority.restitution_workshop_id = restitution_workshop_id
    return _transition(
        session=session,
        priority=priority,
        action=PriorityAction.REPORT,
        expected_version=expected_version,
        event_type=ev.PRIORITY_REPORTED,
        payload_model=ev.PriorityReported,
        details={
            "outcome": str(outcome),
            "restitution_workshop_id": str(restitution_workshop_id),
            "note": note,
        },
    )


def link_priority_to_plan_action(
    *, session: Session, priority: Priority, plan_action: str, expected_version: int
) -> Priority:
    """Link a reported priority to an action sheet of the district's local plan."""
    check_step(priority, PriorityAction.LINK_PLAN_ACTION)
    priority.plan_action = plan_action
    return _transition(
        session=session,
        priority=priority,
        action=PriorityAction.LINK_PLAN_ACTION,
        expected_version=expected_version,
        event_type=ev.PRIORITY_LINKED_TO_PLAN_ACTION,
        payload_model=ev.PriorityLinkedToPlanAction,
        details={"plan_action": plan_action},
    )


_HISTORY_DETAIL_SKIP = {"priority_id", "process_id", "district_id", "from_state", "to_state"}


def priority_history(*, session: Session, priority: Priority) -> list[dict[str, Any]]:
    """Every step of the priority, rebuilt from its event stream."""
    return [
        {
            "version": event.version,
            "event_type": event.type,
            "from_state": event.payload.get("from_state"),
            "to_state": event.payload.get("to_state", ""),
            "at": event.occurred_at,
            "actor_id": event.actor_id,
            "details": {k: v for k, v in event.payload.items() if k not in _HISTORY_DETAIL_SKIP},
        }
        for event in read_stream(session, ev.PRIORITY_STREAM, str(priority.id))
    ]


def list_district_priorities(
    *,
    session: Session,
    district_id: uuid.UUID,
    year: int | None,
    states: Sequence[PriorityState],
    limit: int,
    cursor: str | None,
) -> tuple[list[Priority], str | None]:
    """One page of a district's priorities, optionally of one year and in some states."""
    statement = select(Priority).where(Priority.district_id == district_id)
    if year is not None:
        statement = statement.where(Priority.year == year)
    if states:
        statement = statement.where(col(Priority.state).in_(list(states)))
    return paginate(
        session, statement, sort=Priority.created_at, tiebreak=Priority.id, limit=limit, cursor=cursor
    )


# ----- evaluation cards ---------------------------------------------------------------------------------------


def template_view(template: EvaluationTemplate, version: EvaluationTemplateVersion) -> dict[str, Any]:
    """A template as the API shows it, with the dimensions of ``version``."""
    return {
        "id": template.id,
        "district_id": template.district_id,
        "name": {"it": template.name_it, "en": template.name_en},
        "current_version": template.current_version,
        "template_version": version.number,
        "dimensions": version.dimensions,
        "version": template.version,
        "created_at": template.created_at,
        "updated_at": template.updated_at,
    }


def get_template(*, session: Session, template_id: uuid.UUID) -> EvaluationTemplate:
    """The template, or NotFoundError."""
    template = session.get(EvaluationTemplate, template_id)
    if template is None:
        raise NotFoundError(f"evaluation template {template_id} does not exist", template_id=str(template_id))
    return template


def get_template_version(
    *, session: Session, template: EvaluationTemplate, number: int | None = None
) -> EvaluationTemplateVersion:
    """One version of a template (the current one by default), or NotFoundError."""
    number = number if number is not None else template.current_version
    version = session.exec(
        select(EvaluationTemplateVersion).where(
            EvaluationTemplateVersion.template_id == template.id, EvaluationTemplateVersion.number == number
        )
    ).first()
    if version is None:
        raise NotFoundError(f"evaluation template {template.id} has no version {number}")
    return version


def _template_event(template: EvaluationTemplate, version: EvaluationTemplateVersion) -> dict[str, Any]:
    return ev.EvaluationTemplateChanged(
        template_id=str(template.id),
        district_id=_str(template.district_id),
        template_version=version.number,
        name_it=template.name_it,
        name_en=template.name_en,
        dimension_codes=[d["code"] for d in version.dimensions],
    ).model_dump(mode="json")


def create_template(
    *, session: Session, data: EvaluationTemplateCreate
) -> tuple[EvaluationTemplate, EvaluationTemplateVersion]:
    """Create a template and its version 1."""
    template = EvaluationTemplate(
        district_id=data.district_id, name_it=data.name.it, name_en=data.name.en, current_version=1
    )
    version = EvaluationTemplateVersion(
        template_id=template.id, number=1, dimensions=[d.model_dump(mode="json") for d in data.dimensions]
    )
    session.add(template)
    session.flush()
    session.add(version)
    template.version = _append(
        session,
        stream_type=ev.EVALUATION_TEMPLATE_STREAM,
        stream_id=template.id,
        expected_version=0,
        event_type=ev.EVALUATION_TEMPLATE_CREATED,
        payload=_template_event(template, version),
        district_id=template.district_id,
    )
    session.flush()
    return template, version


def revise_template(
    *, session: Session, template: EvaluationTemplate, data: EvaluationTemplateRevise, expected_version: int
) -> tuple[EvaluationTemplate, EvaluationTemplateVersion]:
    """Save a change as a new version; earlier versions and the responses to them stay as they were."""
    if data.name is not None:
        template.name_it, template.name_en = data.name.it, data.name.en
    template.current_version += 1
    template.updated_at = utcnow()
    version = EvaluationTemplateVersion(
        template_id=template.id,
        number=template.current_version,
        dimensions=[d.model_dump(mode="json") for d in data.dimensions],
    )
    session.add(version)
    template.version = _append(
        session,
        stream_type=ev.EVALUATION_TEMPLATE_STREAM,
        stream_id=template.id,
        expected_version=expected_version,
        event_type=ev.EVALUATION_TEMPLATE_VERSIONED,
        payload=_template_event(template, version),
        district_id=template.district_id,
    )
    session.add(template)
    session.flush()
    return template, version


def list_templates(
    *, session: Session, district_id: uuid.UUID | None, limit: int, cursor: str | None
) -> tuple[list[EvaluationTemplate], str | None]:
    """Templates usable in a district (regional ones plus the district's own), or all."""
    statement = select(EvaluationTemplate)
    if district_id is not None:
        statement = statement.where(
            or_(col(EvaluationTemplate.district_id).is_(None), EvaluationTemplate.district_id == district_id)
        )
    return paginate(
        session,
        statement,
        sort=EvaluationTemplate.created_at,
        tiebreak=EvaluationTemplate.id,
        limit=limit,
        cursor=cursor,
    )


def _check_answers(
    dimensions: list[dict[str, Any]], answers: dict[str, Any]
) -> list[tuple[str, str, int | None]]:
    """Validate answers against the version's dimensions; return the (code, value, numeric) to aggregate."""
    by_code = {d["code"]: d for d in dimensions}
    errors: list[FieldError] = []
    rows: list[tuple[str, str, int | None]] = []
    for code, value in answers.items():
        path = f"body.answers.{code}"
        dimension = by_code.get(code)
        if dimension is None:
            errors.append(FieldError(path=path, message="not a dimension of this template version"))
            continue
        kind = DimensionKind(dimension["kind"])
        if kind is DimensionKind.SCALE:
            if isinstance(value, bool) or not isinstance(value, int):
                errors.append(FieldError(path=path, message="a scale answer is an integer"))
            elif not dimension["scale_min"] <= value <= dimension["scale_max"]:
                errors.append(
                    FieldError(
                        path=path,
                        message=f"must be between {dimension['scale_min']} and {dimension['scale_max']}",
                    )
                )
            else:
                rows.append((code, str(value), value))
        elif kind is DimensionKind.CHOICE:
            codes = [c["code"] for c in dimension["choices"]]
            if value not in codes:
                errors.append(FieldError(path=path, message=f"must be one of: {', '.join(codes)}"))
            else:
                rows.append((code, str(value), None))
        elif not isinstance(value, str):
            errors.append(FieldError(path=path, message="a free-text answer is text"))
    for dimension in dimensions:
        if dimension.get("required") and dimension["code"] not in answers:
            errors.append(FieldError(path=f"body.answers.{dimension['code']}", message="required"))
    if errors:
        raise ValidationFailed("the answers do not fit the template", errors=errors)
    return rows


def record_response(
    *,
    session: Session,
    registry: RegistryClient,
    process: Process,
    workshop: Workshop | None,
    data: EvaluationResponseCreate,
) -> EvaluationResponse:
    """Record one filled-in card for a process (or one of its workshops)."""
    if workshop is not None and workshop.process_id != process.id:
        raise _invalid("body.workshop_id", f"workshop {workshop.id} does not belong to process {process.id}")
    template = session.get(EvaluationTemplate, data.template_id)
    if template is None:
        raise _invalid("body.template_id", f"evaluation template {data.template_id} does not exist")
    if template.district_id is not None and template.district_id != process.district_id:
        raise _invalid("body.template_id", "this template belongs to another district")
    number = data.template_version or template.current_version
    if number > template.current_version:
        raise _invalid("body.template_version", f"the template has versions 1 to {template.current_version}")
    version = get_template_version(session=session, template=template, number=number)
    rows = _check_answers(version.dimensions, dict(data.answers))
    if data.person_id is not None:
        person = registry.get_person(str(data.person_id))
        if person is None or person.erased:
            raise _invalid("body.person_id", f"no registry person {data.person_id}")
    response = EvaluationResponse(
        template_id=template.id,
        template_version=number,
        process_id=process.id,
        workshop_id=workshop.id if workshop else None,
        district_id=process.district_id,
        edition_id=process.edition_id,
        person_id=_str(data.person_id),
        answers=dict(data.answers),
    )
    session.add(response)
    session.flush()
    for code, value, numeric in rows:
        session.add(
            EvaluationAnswer(
                response_id=response.id,
                template_id=template.id,
                template_version=number,
                dimension=code,
                value=value,
                numeric_value=numeric,
                process_id=process.id,
                district_id=process.district_id,
                edition_id=process.edition_id,
            )
        )
    payload = ev.EvaluationResponseRecorded(
        response_id=str(response.id),
        template_id=str(template.id),
        template_version=number,
        process_id=str(process.id),
        workshop_id=_str(response.workshop_id),
        district_id=str(process.district_id),
        edition_id=_str(process.edition_id),
        person_id=response.person_id,
        answers={code: (numeric if numeric is not None else value) for code, value, numeric in rows},
    )
    response.version = _append(
        session,
        stream_type=ev.EVALUATION_RESPONSE_STREAM,
        stream_id=response.id,
        expected_version=0,
        event_type=ev.EVALUATION_RESPONSE_RECORDED,
        payload=payload.model_dump(mode="json"),
        district_id=process.district_id,
    )
    session.flush()
    return response


SCOPE_COLUMNS = {
    "process": (EvaluationAnswer.process_id, EvaluationResponse.process_id),
    "district": (EvaluationAnswer.district_id, EvaluationResponse.district_id),
    "edition": (EvaluationAnswer.edition_id, EvaluationResponse.edition_id),
}


def evaluation_results(
    *, session: Session, template: EvaluationTemplate, scope: str, scope_id: uuid.UUID
) -> dict[str, Any]:
    """Per-dimension count, mean (scales) and distribution of a template's answers in a scope."""
    answer_column, response_column = SCOPE_COLUMNS[scope]
    response_count = session.exec(
        select(func.count())
        .select_from(EvaluationResponse)
        .where(EvaluationResponse.template_id == template.id, response_column == scope_id)
    ).one()
    rows = session.exec(
        select(
            EvaluationAnswer.dimension,
            EvaluationAnswer.value,
            func.count(),
            func.count(EvaluationAnswer.numeric_value),
            func.sum(EvaluationAnswer.numeric_value),
        )
        .where(EvaluationAnswer.template_id == template.id, answer_column == scope_id)
        .group_by(EvaluationAnswer.dimension, EvaluationAnswer.value)
    ).all()
    distributions: dict[str, dict[str, int]] = defaultdict(dict)
    # The mean is over numeric answers only: a dimension may have been a choice in an earlier version.
    numeric: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for dimension, value, count, numeric_count, numeric_sum in rows:
        distributions[dimension][value] = int(count)
        numeric[dimension][0] += int(numeric_count or 0)
        numeric[dimension][1] += int(numeric_sum or 0)
    # Labels come from the newest version that has the dimension; answers of every version count.
    versions = session.exec(
        select(EvaluationTemplateVersion)
        .where(EvaluationTemplateVersion.template_id == template.id)
        .order_by(col(EvaluationTemplateVersion.number).desc())
    ).all()
    specs: dict[str, dict[str, Any]] = {}
    order: list[str] = []
    for template_version in versions:
        for spec_dict in template_version.dimensions:
            if spec_dict["code"] not in specs:
                specs[spec_dict["code"]] = spec_dict
                order.append(spec_dict["code"])
    results = []
    for code in order:
        spec = specs[code]
        if spec["kind"] == DimensionKind.TEXT.value:
            continue
        distribution = distributions.get(code, {})
        count = sum(distribution.values())
        mean = None
        if spec["kind"] == DimensionKind.SCALE.value:
            distribution = {
                str(v): distribution.get(str(v), 0) for v in range(spec["scale_min"], spec["scale_max"] + 1)
            } | distribution
            numeric_count, numeric_sum = numeric[code]
            if numeric_count:
                mean = round(numeric_sum / numeric_count, 3)
        else:
            distribution = {c["code"]: distribution.get(c["code"], 0) for c in spec["choices"]} | distribution
        results.append(
            {
                "code": code,
                "kind": spec["kind"],
                "question": spec["question"],
                "count": count,
                "mean": mean,
                "distribution": distribution,
            }
        )
    return {
        "template_id": template.id,
        "scope": scope,
        "scope_id": scope_id,
        "response_count": int(response_count),
        "dimensions": results,
    }


# ----- restitution --------------------------------------------------------------------------------------------


def process_restitution(*, session: Session, process: Process, show_people: bool = True) -> dict[str, Any]:
    """What each restitution event of the process reports, and what is still to be reported."""
    events_of_process = session.exec(
        select(Workshop)
        .where(Workshop.process_id == process.id, Workshop.method == WorkshopMethod.RESTITUTION_EVENT)
        .order_by(Workshop.starts_at, Workshop.id)
    ).all()
    event_ids = [w.id for w in events_of_process]
    reported = (
        session.exec(
            select(Priority)
            .where(col(Priority.restitution_workshop_id).in_(event_ids))
            .order_by(Priority.created_at, Priority.id)
        ).all()
        if event_ids
        else []
    )
    presented = (
        session.exec(
            select(Invention)
            .where(col(Invention.restitution_workshop_id).in_(event_ids))
            .order_by(Invention.created_at, Invention.id)
        ).all()
        if event_ids
        else []
    )
    pending_priorities = session.exec(
        select(Priority)
        .where(
            Priority.process_id == process.id,
            col(Priority.restitution_workshop_id).is_(None),
            Priority.state != PriorityState.REJECTED,
        )
        .order_by(Priority.created_at, Priority.id)
    ).all()
    pending_inventions = session.exec(
        select(Invention)
        .where(Invention.process_id == process.id, col(Invention.restitution_workshop_id).is_(None))
        .order_by(Invention.created_at, Invention.id)
    ).all()
    return {
        "process_id": process.id,
        "district_id": process.district_id,
        "restitution_events": [
            {
                "workshop": {
                    "id": w.id,
                    "title": w.title,
                    "method": w.method.value,
                    "starts_at": w.starts_at,
                },
                "priorities": [priority_view(p) for p in reported if p.restitution_workshop_id == w.id],
                "inventions": [
                    invention_view(i, show_people=show_people)
                    for i in presented
                    if i.restitution_workshop_id == w.id
                ],
            }
            for w in events_of_process
        ],
        "priorities_not_yet_reported": [priority_view(p) for p in pending_priorities],
        "inventions_not_yet_presented": [
            invention_view(i, show_people=show_people) for i in pending_inventions
        ],
    }


def workshop_outcomes(*, session: Session, workshop: Workshop, show_people: bool = True) -> dict[str, Any]:
    """Inventions and priority proposals born in a workshop."""
    inventions = session.exec(
        select(Invention)
        .where(Invention.workshop_id == workshop.id)
        .order_by(Invention.created_at, Invention.id)
    ).all()
    priorities = session.exec(
        select(Priority).where(Priority.workshop_id == workshop.id).order_by(Priority.created_at, Priority.id)
    ).all()
    return {
        "workshop_id": workshop.id,
        "process_id": workshop.process_id,
        "inventions": [invention_view(i, show_people=show_people) for i in inventions],
        "priorities": [priority_view(p) for p in priorities],
    }


# ----- process history ----------------------------------------------------------------------------------------


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
