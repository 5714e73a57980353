"""Rules of the yearly priority cycle (who may take which step, the state machine, the plan)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlmodel import Session, col, select

from services.workshops.outcomes import events as ev
from services.workshops.outcomes.base import (
    check_origin,
    district_workshop,
    invalid,
    str_or_none,
    today_in_rome,
    unique_ids,
)
from services.workshops.outcomes.models import (
    Priority,
    PriorityState,
)
from services.workshops.outcomes.priorities.schemas import PriorityCreate
from services.workshops.outcomes.statemachine import PriorityAction, allowed_transitions, apply_transition
from services.workshops.processes.models import Process, Workshop, WorkshopMethod
from shared.auth.principal import Principal
from shared.clients.registry import RegistryClient
from shared.errors import ForbiddenError, NotFoundError
from shared.eventlog import NewEvent, RecordedEvent, TimePoint, append_to, fold_at, read_at
from shared.pagination import paginate

# Which governance body must own a step, checked against the registry's memberships of the caller.
STEP_BODY: dict[PriorityAction, str] = {
    PriorityAction.SUBMIT: "ufficio_di_piano",
    PriorityAction.VALIDATE: "comitato_di_distretto",
    PriorityAction.REJECT: "comitato_di_distretto",
}


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


def create_priority(
    *, session: Session, data: PriorityCreate, occurred_at: date | datetime | None = None
) -> Priority:
    """Record a priority proposal of a district (from one of its workshops or by its Ufficio di Piano).

    ``occurred_at`` is the day it was proposed when entered after the fact (an import), default now.
    """
    process = None
    if data.process_id is not None:
        process = session.get(Process, data.process_id)
        if process is None:
            raise invalid("body.process_id", f"process {data.process_id} does not exist")
        if process.district_id != data.district_id:
            raise invalid("body.process_id", "the process belongs to another district")
    if data.workshop_id is not None:
        workshop = session.get(Workshop, data.workshop_id)
        if workshop is None:
            raise invalid("body.workshop_id", f"workshop {data.workshop_id} does not exist")
        if workshop.district_id != data.district_id:
            raise invalid("body.workshop_id", "the workshop belongs to another district")
        if process is None:
            process = session.get(Process, workshop.process_id)
        elif workshop.process_id != process.id:
            raise invalid("body.workshop_id", "the workshop belongs to another process")
        if data.origin is not None:
            check_origin(session=session, workshop=workshop, origin=data.origin, path="body.origin")
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
        process_id=str_or_none(priority.process_id),
        district_id=str(priority.district_id),
        from_state=None,
        to_state=PriorityState.PROPOSED.value,
        title=priority.title,
        source=priority.source.value,
        workshop_id=str_or_none(priority.workshop_id),
        edition_id=str_or_none(priority.edition_id),
        origin=ev.Origin(kind=priority.origin_kind, id=priority.origin_id) if priority.origin_kind else None,
    )
    append_to(
        session,
        row=priority,
        stream_type=ev.PRIORITY_STREAM,
        new_events=[NewEvent(ev.PRIORITY_PROPOSED, payload.model_dump(mode="json"))],
        expected_version=0,
        district_id=priority.district_id,
        occurred_at=occurred_at,
    )
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
    occurred_at: date | datetime | None = None,
) -> Priority:
    """Apply one step of the state machine and append its event (dated ``occurred_at``, default now)."""
    from_state = PriorityState(priority.state)
    priority.state = apply_transition(from_state, action)
    payload = payload_model(
        priority_id=str(priority.id),
        process_id=str_or_none(priority.process_id),
        district_id=str(priority.district_id),
        from_state=from_state.value,
        to_state=priority.state.value,
        **details,
    )
    append_to(
        session,
        row=priority,
        stream_type=ev.PRIORITY_STREAM,
        new_events=[NewEvent(event_type, payload.model_dump(mode="json"))],
        expected_version=expected_version,
        district_id=priority.district_id,
        occurred_at=occurred_at,
    )
    session.add(priority)
    session.flush()
    return priority


def check_step(priority: Priority, action: PriorityAction) -> None:
    """409 with the allowed steps before any payload check, so an illegal step is reported as such."""
    apply_transition(PriorityState(priority.state), action)


def submit_priority(
    *,
    session: Session,
    priority: Priority,
    year: int,
    expected_version: int,
    occurred_at: date | datetime | None = None,
) -> Priority:
    """The Ufficio di Piano submits the priority to the committee for ``year`` (on ``occurred_at``, default now)."""
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
        occurred_at=occurred_at,
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
        raise invalid("body.sitting_date", "a decision is recorded after the sitting, not before")
    if priority.year is not None and sitting_date.year not in (priority.year - 1, priority.year):
        raise invalid(
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
        occurred_at=sitting_date,
    )


def assign_priority(
    *,
    session: Session,
    priority: Priority,
    workshop_ids: Sequence[uuid.UUID],
    expected_version: int,
    occurred_at: date | datetime | None = None,
) -> Priority:
    """Assign a validated priority to its project table (workshops of method project_table)."""
    check_step(priority, PriorityAction.ASSIGN)
    ids = unique_ids(workshop_ids, "body.project_table_workshop_ids")
    for index, workshop_id in enumerate(workshop_ids):
        district_workshop(
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
        occurred_at=occurred_at,
    )


def start_priority(
    *,
    session: Session,
    priority: Priority,
    expected_version: int,
    occurred_at: date | datetime | None = None,
) -> Priority:
    """The project table starts working on the priority (on ``occurred_at``, default now)."""
    check_step(priority, PriorityAction.START)
    return _transition(
        session=session,
        priority=priority,
        action=PriorityAction.START,
        expected_version=expected_version,
        event_type=ev.PRIORITY_STARTED,
        payload_model=ev.PriorityStarted,
        details={},
        occurred_at=occurred_at,
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
    restitution = district_workshop(
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
        # Reported at the restitution event: its day, once it has taken place.
        occurred_at=restitution.starts_at,
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

# What each step sets, reset to "not yet" before folding (fields an event never carries, such as the
# description, keep the current row's value).
_FOLDED_FIELDS: dict[str, Any] = {
    "year": None,
    "sitting_date": None,
    "motivation": None,
    "project_table_workshop_ids": [],
    "outcome": None,
    "outcome_note": None,
    "restitution_workshop_id": None,
    "plan_action": None,
}


def priority_at(*, session: Session, priority: Priority, point: TimePoint) -> dict[str, Any]:
    """The priority as it stood at ``point``, folded from its events (NotFoundError if it did not exist)."""

    def step(view: dict[str, Any], event: RecordedEvent) -> dict[str, Any]:
        payload = event.payload
        if payload.get("to_state"):
            view["state"] = payload["to_state"]
        for key in _FOLDED_FIELDS:
            if key in payload:
                view[key] = payload[key]
        if "note" in payload:
            view["outcome_note"] = payload["note"]
        if event.type == ev.PRIORITY_PROPOSED and payload.get("title"):
            view["title"] = payload["title"]
        view["updated_at"] = event.recorded_at
        return view

    view = fold_at(
        session,
        stream_type=ev.PRIORITY_STREAM,
        stream_id=priority.id,
        point=point,
        apply=step,
        what=f"priority {priority.id}",
        start=priority_view(priority) | dict(_FOLDED_FIELDS),
        ids={"priority_id": str(priority.id)},
    )
    view["allowed"] = allowed_transitions(PriorityState(view["state"]))
    return view


def priority_history(
    *, session: Session, priority: Priority, point: TimePoint | None = None
) -> list[dict[str, Any]]:
    """Every step of the priority (up to ``point`` when given), rebuilt from its event stream."""
    point = point or TimePoint()
    return [
        {
            "version": event.version,
            "event_type": event.type,
            "from_state": event.payload.get("from_state"),
            "to_state": event.payload.get("to_state", ""),
            "at": event.occurred_at,
            "recorded_at": event.recorded_at,
            "actor_id": event.actor_id,
            "details": {k: v for k, v in event.payload.items() if k not in _HISTORY_DETAIL_SKIP},
        }
        for event in read_at(session, ev.PRIORITY_STREAM, priority.id, point)
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
