"""Rules of participation: settings, proposals, supports, official answers, merges and promotions.

Keyword-only functions; they flush, never commit. Every change appends its event (``proposal`` stream, or the
process's ``participation`` stream for settings) in the same session, and keeps ``version`` equal to the
stream version. People are registry ids; events carry no names nor contacts.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import update
from sqlmodel import Session, col, select

from services.workshops.localtime import ROME
from services.workshops.outcomes.base import invalid
from services.workshops.outcomes.models import Priority, PrioritySource, Theme
from services.workshops.outcomes.priorities import service as priorities
from services.workshops.outcomes.priorities.schemas import PriorityCreate
from services.workshops.participation import events as ev
from services.workshops.participation import markdown, queries
from services.workshops.participation.models import (
    AnswerCategory,
    ParticipationSettings,
    PriorityProvenance,
    Proposal,
    ProposalState,
    Support,
)
from services.workshops.participation.schemas import (
    DEFAULT_ANSWER_STATES,
    AnswerCreate,
    ParticipationSettingsBody,
    PromotionRequest,
    ProposalCreate,
    ProposalUpdate,
)
from services.workshops.processes.models import Process, ProcessPhase, ProcessStatus, Workshop
from shared.auth.principal import Principal
from shared.clients.registry import RegistryClient
from shared.db import utcnow
from shared.errors import ConflictError, ForbiddenError, NotFoundError
from shared.eventlog import NewEvent, append_to, stream_version

PLANNING_BODY = "ufficio_di_piano"
THEMES = frozenset(t.value for t in Theme)


def _record(
    session: Session,
    proposal: Proposal,
    event_type: str,
    payload: dict[str, Any],
    *,
    expected_version: int | None,
) -> Proposal:
    """Append one event to the proposal's stream and keep the row's version in step with it."""
    append_to(
        session,
        row=proposal,
        stream_type=ev.PROPOSAL,
        new_events=[NewEvent(event_type, payload)],
        expected_version=expected_version,
        district_id=proposal.district_id,
    )
    return proposal


def _ids(proposal: Proposal) -> dict[str, str]:
    return {
        "proposal_id": str(proposal.id),
        "process_id": str(proposal.process_id),
        "district_id": str(proposal.district_id),
    }


def today_in_rome(now: datetime | None = None) -> date:
    """The local day phases are dated in."""
    return (now or utcnow()).astimezone(ROME).date()


# --- who ------------------------------------------------------------------------------------------------


def require_participant(principal: Principal) -> str:
    """The caller's registry person id: 401 when anonymous, 403 for a key linked to no person."""
    principal.require_authenticated()
    if not principal.person_id:
        raise ForbiddenError(
            "taking part needs a person: sign in (OpenID Connect) or use a key linked to a registry person"
        )
    return principal.person_id


def require_known_person(
    *, registry: RegistryClient, principal: Principal, person_id: uuid.UUID, district_id: uuid.UUID
) -> str:
    """A registry person a proposal is recorded for: 422 when unknown or erased, 403 outside the key's reach."""
    person = registry.get_person(str(person_id))
    if person is None or person.erased:
        raise invalid("body.person_id", f"no registry person {person_id}")
    principal.require_reference("body.person_id", person.district_ids, target_district_id=district_id)
    return str(person_id)


def is_planner(*, registry: RegistryClient, principal: Principal, district_id: uuid.UUID) -> bool:
    """True for administrators, the district's editors and members of its Ufficio di Piano today."""
    if principal.is_anonymous:
        return False
    if principal.can_edit_district(district_id):
        return True
    if not principal.person_id:
        return False
    roles = registry.person_roles(str(district_id), principal.person_id, on=today_in_rome())
    return any(role.split(":", 1)[0] == PLANNING_BODY for role in roles)


def require_planner(*, registry: RegistryClient, principal: Principal, district_id: uuid.UUID) -> None:
    """403 unless the caller answers for the district's Ufficio di Piano (or edits the district)."""
    principal.require_authenticated()
    if not is_planner(registry=registry, principal=principal, district_id=district_id):
        raise ForbiddenError(
            f"only the Ufficio di Piano of district {district_id} (or its editors) may do this",
            required_body=PLANNING_BODY,
        )


# --- settings -------------------------------------------------------------------------------------------


def get_process(*, session: Session, process_id: uuid.UUID) -> Process:
    """The process, or NotFoundError."""
    process = session.get(Process, process_id)
    if process is None:
        raise NotFoundError(f"process {process_id} does not exist", process_id=str(process_id))
    return process


def settings_of(*, session: Session, process: Process) -> ParticipationSettings:
    """The process's settings, or the defaults (not stored) when it has none."""
    found = session.get(ParticipationSettings, process.id)
    if found is not None:
        return found
    return ParticipationSettings(
        process_id=process.id,
        district_id=process.district_id,
        answer_states=[dict(s) for s in DEFAULT_ANSWER_STATES],
    )


def configure(
    *, session: Session, process: Process, data: ParticipationSettingsBody, expected_version: int
) -> ParticipationSettings:
    """Replace a process's participation settings."""
    row = session.get(ParticipationSettings, process.id) or ParticipationSettings(
        process_id=process.id, district_id=process.district_id
    )
    row.max_proposals_per_person = data.max_proposals_per_person
    row.topics = [t.model_dump(mode="json") for t in data.topics]
    row.answer_states = [s.model_dump(mode="json") for s in data.answer_states]
    row.comment_edit_minutes = data.comment_edit_minutes
    payload = ev.ParticipationConfigured(
        process_id=str(process.id),
        district_id=str(process.district_id),
        max_proposals_per_person=row.max_proposals_per_person,
        topics=row.topics,
        answer_states=row.answer_states,
        comment_edit_minutes=row.comment_edit_minutes,
    )
    append_to(
        session,
        row=row,
        stream_type=ev.PARTICIPATION,
        stream_id=process.id,
        new_events=[NewEvent(ev.PARTICIPATION_CONFIGURED, payload.dump())],
        expected_version=expected_version,
        district_id=process.district_id,
    )
    session.add(row)
    session.flush()
    return row


def settings_version(*, session: Session, process_id: uuid.UUID) -> int:
    """The version of a process's participation stream (its settings' ETag)."""
    return stream_version(session, ev.PARTICIPATION, str(process_id))


def answer_state_def(settings: ParticipationSettings, key: str) -> dict[str, Any] | None:
    """The process's answer state ``key``, or None."""
    return next((s for s in settings.answer_states if s.get("key") == key), None)


# --- phases ---------------------------------------------------------------------------------------------


def phase_is_open(phase: ProcessPhase, today: date) -> bool:
    """True when the phase takes proposals on ``today`` (its days are inclusive; missing bounds are open)."""
    return (
        phase.open_to_proposals
        and (phase.starts_on is None or phase.starts_on <= today)
        and (phase.ends_on is None or today <= phase.ends_on)
    )


def open_phase(*, session: Session, process: Process, now: datetime | None = None) -> ProcessPhase | None:
    """The phase taking proposals today (the current one first), or None."""
    if process.status is ProcessStatus.CLOSED:
        return None
    today = today_in_rome(now)
    phases = session.exec(
        select(ProcessPhase).where(ProcessPhase.process_id == process.id).order_by(col(ProcessPhase.position))
    ).all()
    open_now = [p for p in phases if phase_is_open(p, today)]
    return next((p for p in open_now if p.is_current), open_now[0] if open_now else None)


def _require_phase_open(session: Session, proposal: Proposal, now: datetime | None) -> None:
    phase = session.get(ProcessPhase, proposal.phase_id)
    process = session.get(Process, proposal.process_id)
    if (
        phase is None
        or process is None
        or process.status is ProcessStatus.CLOSED
        or not phase_is_open(phase, today_in_rome(now))
    ):
        raise ConflictError(
            "the phase this proposal belongs to is not open: supports can no longer change",
            phase_id=str(proposal.phase_id),
        )


# --- proposals ------------------------------------------------------------------------------------------


def get_proposal(*, session: Session, proposal_id: uuid.UUID) -> Proposal:
    """The proposal, or NotFoundError."""
    proposal = session.get(Proposal, proposal_id)
    if proposal is None:
        raise NotFoundError(f"proposal {proposal_id} does not exist", proposal_id=str(proposal_id))
    return proposal


def lock_proposal(session: Session, proposal_id: uuid.UUID) -> Proposal:
    """The proposal row locked until the transaction ends (PostgreSQL), so counts cannot race.

    FOR NO KEY UPDATE: writers of the proposal queue up, while rows referring to it (comments, supports) keep
    passing their foreign-key checks, so a writer waiting here never deadlocks with one checking a key.
    """
    proposal = session.exec(
        select(Proposal)
        .where(Proposal.id == proposal_id)
        .with_for_update(key_share=True)
        .execution_options(populate_existing=True)
    ).one_or_none()
    if proposal is None:
        raise NotFoundError(f"proposal {proposal_id} does not exist", proposal_id=str(proposal_id))
    return proposal


def _check_theme(settings: ParticipationSettings, theme: str) -> None:
    topics = {t.get("key") for t in settings.topics}
    if theme not in THEMES and theme not in topics:
        raise invalid(
            "body.theme",
            f"'{theme}' is neither a macro-theme ({', '.join(sorted(THEMES))}) nor a topic of the process"
            + (f" ({', '.join(sorted(str(t) for t in topics))})" if topics else ""),
        )


def _search_text(proposal: Proposal) -> str:
    return queries.normalise_search(proposal.title, proposal.body)


def create_proposal(
    *,
    session: Session,
    process_id: uuid.UUID,
    person_id: str,
    data: ProposalCreate,
    now: datetime | None = None,
    on_paper: bool = False,
) -> Proposal:
    """A participant puts forward a proposal during a phase open to proposals, within the per-person limit.

    ``on_paper``: an editor records a proposal received on paper; the phase must take proposals but its days
    may be over (the one open today, else the last that took proposals).
    """
    # The process row is locked so two proposals of one person cannot both slip under the limit.
    process = session.exec(select(Process).where(Process.id == process_id).with_for_update()).one_or_none()
    if process is None:
        raise NotFoundError(f"process {process_id} does not exist", process_id=str(process_id))
    phase = open_phase(session=session, process=process, now=now)
    if phase is None and on_paper:
        phase = session.exec(
            select(ProcessPhase)
            .where(ProcessPhase.process_id == process.id, ProcessPhase.open_to_proposals == True)  # noqa: E712
            .order_by(col(ProcessPhase.position).desc())
        ).first()
    if phase is None:
        raise ConflictError(
            "this process is not taking proposals now (no phase open to proposals today)",
            process_id=str(process.id),
        )
    settings = settings_of(session=session, process=process)
    _check_theme(settings, data.theme)
    if queries.authored_count(session, process.id, person_id) >= settings.max_proposals_per_person:
        raise ConflictError(
            f"you have put forward {settings.max_proposals_per_person} proposals in this process, the most "
            "it takes from one person (withdraw one to propose another)",
            limit=settings.max_proposals_per_person,
        )
    proposal = Proposal(
        process_id=process.id,
        district_id=process.district_id,
        phase_id=phase.id,
        author_id=person_id,
        title=data.title,
        body=data.body,
        body_html=markdown.render(data.body),
        theme=data.theme,
        links=list(data.links),
    )
    proposal.search_text = _search_text(proposal)
    if now is not None:
        proposal.created_at = proposal.updated_at = now
    session.add(proposal)
    session.flush()
    payload = ev.ProposalCreated(
        **_ids(proposal),
        phase_id=str(phase.id),
        author_id=person_id,
        title=proposal.title,
        theme=proposal.theme,
    )
    return _record(session, proposal, ev.PROPOSAL_CREATED, payload.dump(), expected_version=0)


def is_editable(proposal: Proposal) -> bool:
    """The author may still change it: published, and nobody has supported or commented on it."""
    return (
        proposal.state is ProposalState.PUBLISHED
        and proposal.support_count == 0
        and proposal.comment_count == 0
    )


def _require_author(proposal: Proposal, person_id: str) -> None:
    if proposal.author_id is None or proposal.author_id != person_id:
        raise ForbiddenError("only the proposal's author may do this")


def update_proposal(
    *, session: Session, proposal: Proposal, person_id: str, data: ProposalUpdate, expected_version: int
) -> Proposal:
    """The author changes the proposal, until its first support or comment."""
    _require_author(proposal, person_id)
    if not is_editable(proposal):
        raise ConflictError(
            "a proposal can be changed only until its first support or comment (and while published)",
            support_count=proposal.support_count,
            comment_count=proposal.comment_count,
        )
    sent = data.model_dump(exclude_unset=True)
    if "theme" in sent:
        process = get_process(session=session, process_id=proposal.process_id)
        _check_theme(settings_of(session=session, process=process), sent["theme"])
    changed = [name for name, value in sent.items() if getattr(proposal, name) != value]
    if not changed:
        return proposal
    for name in changed:
        setattr(proposal, name, list(sent[name]) if name == "links" else sent[name])
    proposal.body_html = markdown.render(proposal.body)
    proposal.search_text = _search_text(proposal)
    proposal.updated_at = utcnow()
    payload = ev.ProposalUpdated(
        **_ids(proposal),
        changes=changed,
        title=proposal.title,
        theme=proposal.theme,
    )
    return _record(session, proposal, ev.PROPOSAL_UPDATED, payload.dump(), expected_version=expected_version)


def withdraw_proposal(
    *, session: Session, proposal: Proposal, person_id: str, expected_version: int
) -> Proposal:
    """The author withdraws a published proposal (it leaves the lists; its supports stay on record)."""
    _require_author(proposal, person_id)
    if proposal.state is not ProposalState.PUBLISHED:
        raise ConflictError(
            f"a {proposal.state.value} proposal cannot be withdrawn", state=proposal.state.value
        )
    proposal.state = ProposalState.WITHDRAWN
    proposal.updated_at = utcnow()
    payload = ev.ProposalWithdrawn(
        **_ids(proposal),
    )
    return _record(
        session, proposal, ev.PROPOSAL_WITHDRAWN, payload.dump(), expected_version=expected_version
    )


# --- supports -------------------------------------------------------------------------------------------


def support(
    *, session: Session, proposal_id: uuid.UUID, person_id: str, now: datetime | None = None
) -> Proposal:
    """Support a published proposal while its phase is open; one support per person (409 for a second)."""
    proposal = lock_proposal(session, proposal_id)
    if proposal.state is not ProposalState.PUBLISHED:
        raise ConflictError(
            f"a {proposal.state.value} proposal takes no supports", state=proposal.state.value
        )
    _require_phase_open(session, proposal, now)
    if session.get(Support, (proposal.id, person_id)) is not None:
        raise ConflictError("you already support this proposal", proposal_id=str(proposal.id))
    session.add(Support(proposal_id=proposal.id, person_id=person_id))
    return _count_changed(session, proposal, person_id, +1, ev.PROPOSAL_SUPPORTED)


def withdraw_support(
    *, session: Session, proposal_id: uuid.UUID, person_id: str, now: datetime | None = None
) -> Proposal:
    """Take one's support back while the proposal's phase is open (404 when there is none)."""
    proposal = lock_proposal(session, proposal_id)
    _require_phase_open(session, proposal, now)
    row = session.get(Support, (proposal.id, person_id))
    if row is None:
        raise NotFoundError("you do not support this proposal", proposal_id=str(proposal.id))
    session.delete(row)
    return _count_changed(session, proposal, person_id, -1, ev.PROPOSAL_SUPPORT_WITHDRAWN)


def _count_changed(
    session: Session, proposal: Proposal, person_id: str, delta: int, event_type: str
) -> Proposal:
    session.flush()
    # Incremented in SQL on the locked row: the count stays the number of support rows.
    session.execute(
        update(Proposal)
        .where(col(Proposal.id) == proposal.id)
        .values(support_count=Proposal.support_count + delta, updated_at=utcnow())
    )
    session.refresh(proposal)
    payload = ev.ProposalSupportChanged(
        **_ids(proposal),
        supporter_id=person_id,
        support_count=proposal.support_count,
    )
    return _record(session, proposal, event_type, payload.dump(), expected_version=None)


# --- answers, merges, promotions ------------------------------------------------------------------------


def answer_proposal(
    *, session: Session, proposal: Proposal, data: AnswerCreate, expected_version: int
) -> Proposal:
    """The Ufficio di Piano answers with one of the process's answer states (again to change the answer)."""
    if proposal.state is ProposalState.WITHDRAWN:
        raise ConflictError("a withdrawn proposal is not answered", state=proposal.state.value)
    process = get_process(session=session, process_id=proposal.process_id)
    settings = settings_of(session=session, process=process)
    state = answer_state_def(settings, data.state)
    if state is None:
        keys = ", ".join(str(s.get("key")) for s in settings.answer_states)
        raise invalid("body.state", f"'{data.state}' is not an answer state of this process ({keys})")
    first = proposal.answer_state is None
    proposal.answer_state = data.state
    proposal.answer_category = AnswerCategory(state["category"])
    proposal.answer_text = data.text
    proposal.answered_at = proposal.updated_at = utcnow()
    payload = ev.ProposalAnswered(
        **_ids(proposal),
        answer_state=data.state,
        answer_category=proposal.answer_category.value,
        text=data.text,
        first_answer=first,
    )
    return _record(session, proposal, ev.PROPOSAL_ANSWERED, payload.dump(), expected_version=expected_version)


def merge_proposal(
    *, session: Session, proposal: Proposal, into_id: uuid.UUID, expected_version: int
) -> Proposal:
    """Merge a published proposal into another published one of the same process."""
    if proposal.state is not ProposalState.PUBLISHED:
        raise ConflictError(f"a {proposal.state.value} proposal cannot be merged", state=proposal.state.value)
    target = session.get(Proposal, into_id)
    if target is None:
        raise invalid("body.into_proposal_id", f"proposal {into_id} does not exist")
    if target.id == proposal.id:
        raise invalid("body.into_proposal_id", "a proposal cannot be merged into itself")
    if target.process_id != proposal.process_id:
        raise invalid("body.into_proposal_id", "the proposal belongs to another process")
    if target.state not in (ProposalState.PUBLISHED, ProposalState.PROMOTED):
        raise invalid("body.into_proposal_id", f"proposal {into_id} is {target.state.value}")
    proposal.state = ProposalState.MERGED
    proposal.merged_into_id = target.id
    proposal.updated_at = utcnow()
    payload = ev.ProposalMerged(
        **_ids(proposal),
        into_proposal_id=str(target.id),
    )
    return _record(session, proposal, ev.PROPOSAL_MERGED, payload.dump(), expected_version=expected_version)


def require_merge_reference(
    *, session: Session, principal: Principal, proposal: Proposal, into_id: uuid.UUID
) -> None:
    """403 when the proposal to merge into is of a district the caller may not use (an unknown one is a 422)."""
    if (target := session.get(Proposal, into_id)) is not None:
        principal.require_reference(
            "body.into_proposal_id", [target.district_id], target_district_id=proposal.district_id
        )


def require_promotion_reference(
    *, session: Session, principal: Principal, proposal: Proposal, priority_id: uuid.UUID | None
) -> None:
    """403 when the priority promoted to is of a district the caller may not use (an unknown one is a 422)."""
    if priority_id is not None and (priority := session.get(Priority, priority_id)) is not None:
        principal.require_reference(
            "body.priority_id", [priority.district_id], target_district_id=proposal.district_id
        )


def promote_proposal(
    *, session: Session, proposal: Proposal, data: PromotionRequest, expected_version: int
) -> tuple[Proposal, Priority]:
    """Promote a proposal to a priority of its district: a new one (proposed) or an existing one citing it."""
    if proposal.state not in (ProposalState.PUBLISHED, ProposalState.PROMOTED):
        raise ConflictError(
            f"a {proposal.state.value} proposal cannot be promoted", state=proposal.state.value
        )
    if proposal.priority_id is not None:
        raise ConflictError("the proposal was already promoted", priority_id=str(proposal.priority_id))
    if data.priority_id is not None:
        priority = session.get(Priority, data.priority_id)
        if priority is None:
            raise invalid("body.priority_id", f"priority {data.priority_id} does not exist")
        if priority.district_id != proposal.district_id:
            raise invalid("body.priority_id", "the priority belongs to another district")
    else:
        priority = priorities.create_priority(
            session=session,
            data=PriorityCreate(
                district_id=proposal.district_id,
                process_id=proposal.process_id,
                source=PrioritySource.UFFICIO_DI_PIANO,
                title=data.title or proposal.title,
                description=data.description,
            ),
        )
    session.add(PriorityProvenance(priority_id=priority.id, proposal_id=proposal.id))
    proposal.state = ProposalState.PROMOTED
    proposal.priority_id = priority.id
    proposal.updated_at = utcnow()
    payload = ev.ProposalPromoted(
        **_ids(proposal),
        priority_id=str(priority.id),
    )
    _record(session, proposal, ev.PROPOSAL_PROMOTED, payload.dump(), expected_version=expected_version)
    return proposal, priority


def priority_proposal_ids(*, session: Session, priority_id: uuid.UUID) -> list[uuid.UUID]:
    """The proposals a priority cites, oldest link first."""
    return list(
        session.exec(
            select(PriorityProvenance.proposal_id)
            .join(Proposal, col(Proposal.id) == PriorityProvenance.proposal_id)
            .where(PriorityProvenance.priority_id == priority_id)
            .order_by(col(Proposal.created_at))
        ).all()
    )


# --- views ----------------------------------------------------------------------------------------------


def facilitator_ids(*, session: Session, process_id: uuid.UUID) -> set[str]:
    """The people facilitating any workshop of the process."""
    out: set[str] = set()
    for ids in session.exec(select(Workshop.facilitator_ids).where(Workshop.process_id == process_id)).all():
        out.update(str(i) for i in ids or [])
    return out


def proposal_views(
    *, session: Session, proposals: list[Proposal], person_id: str | None
) -> list[dict[str, Any]]:
    """Proposals as the API shows them (the author's id is left to the route's privacy view)."""
    ids = [p.id for p in proposals]
    supported = queries.supported_by(session, person_id, ids)
    erased = queries.erased_among(session, (p.author_id for p in proposals))
    merged_from: dict[uuid.UUID, list[uuid.UUID]] = {}
    if ids:
        for child_id, parent_id in session.exec(
            select(Proposal.id, Proposal.merged_into_id).where(col(Proposal.merged_into_id).in_(ids))
        ).all():
            if parent_id is not None:
                merged_from.setdefault(parent_id, []).append(child_id)
    settings_cache: dict[uuid.UUID, ParticipationSettings] = {}
    out: list[dict[str, Any]] = []
    for p in proposals:
        answer = None
        if p.answer_state is not None and p.answer_category is not None and p.answered_at is not None:
            if p.process_id not in settings_cache:
                process = get_process(session=session, process_id=p.process_id)
                settings_cache[p.process_id] = settings_of(session=session, process=process)
            state = answer_state_def(settings_cache[p.process_id], p.answer_state) or {}
            answer = {
                "state": p.answer_state,
                "label": state.get("label", p.answer_state),
                "category": p.answer_category,
                "text": p.answer_text or "",
                "answered_at": p.answered_at,
            }
        priority = session.get(Priority, p.priority_id) if p.priority_id else None
        out.append(
            p.model_dump(exclude={"search_text", "answer_text", "answer_state", "answer_category"})
            | {
                # An author the registry erased is blanked; the proposal stays as it was.
                "author_id": None if p.author_id in erased else p.author_id,
                "mine": person_id is not None and p.author_id == person_id and p.author_id not in erased,
                "supported": p.id in supported,
                "editable": is_editable(p),
                "answer": answer,
                "merged_from_ids": merged_from.get(p.id, []),
                "priority": None
                if priority is None
                else {"id": priority.id, "title": priority.title, "state": priority.state.value},
            }
        )
    return out
