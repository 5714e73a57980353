"""The notifications consumer: reads the event log after its checkpoint and creates notifications.

One worker at a time holds the checkpoint's lease (``UPDATE ... WHERE lease expired``, checked by rowcount, the
same on SQLite and PostgreSQL). The notifications, follows and facts a batch produced and the checkpoint's new
position commit in one transaction, and the checkpoint only moves if it is still where it was read, so each
event is handled once even with several workers; notifications are also unique per (person, event, kind).
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from sqlalchemy import delete, or_, update
from sqlmodel import Session, col, select

from services.registry.notifications import events as ev
from services.registry.notifications import service
from services.registry.notifications.models import (
    CONSUMER,
    EmailState,
    Follow,
    Notification,
    NotificationCheckpoint,
    NotificationKind,
    NotificationMail,
    NotificationPreference,
    PhaseFact,
    ProcessFact,
    ProposalFact,
    TargetType,
)
from services.registry.people.models import Person
from shared.db import utcnow
from shared.eventlog import RecordedEvent, last_position, read_all

TITLE_LIMIT = 500
TEXT_LIMIT = 2000


def _checkpoint_table() -> Any:
    return NotificationCheckpoint.__table__  # type: ignore[attr-defined]


def _uuid(value: Any) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value)) if value else None
    except ValueError:
        return None


def claim(*, session: Session, worker_id: str, lease_seconds: float) -> int | None:
    """Take (or renew) the consumer lease; return the checkpoint position, or None if another worker has it."""
    now = utcnow()
    table = _checkpoint_table()
    conn = session.connection()
    claimed = conn.execute(
        update(table)
        .where(
            table.c.name == CONSUMER,
            or_(table.c.lease_until.is_(None), table.c.lease_until < now, table.c.lease_owner == worker_id),
        )
        .values(lease_owner=worker_id, lease_until=now + timedelta(seconds=lease_seconds))
    )
    if claimed.rowcount != 1:
        return None
    return int(conn.execute(select(table.c.position).where(table.c.name == CONSUMER)).scalar_one())


def release(*, session: Session, worker_id: str) -> None:
    """Give the consumer lease back (on a clean stop)."""
    table = _checkpoint_table()
    session.connection().execute(
        update(table)
        .where(table.c.name == CONSUMER, table.c.lease_owner == worker_id)
        .values(lease_owner=None, lease_until=None)
    )


def position(*, session: Session) -> int:
    """How far the consumer has read."""
    table = _checkpoint_table()
    value = session.connection().execute(select(table.c.position).where(table.c.name == CONSUMER)).scalar()
    return int(value or 0)


def lag(*, session: Session) -> int:
    """How many log positions the consumer is behind the log's head."""
    return max(last_position(session) - position(session=session), 0)


def consume(*, session: Session, worker_id: str, lease_seconds: float, batch_size: int = 500) -> int | None:
    """Handle one batch of events after the checkpoint; the number read, or None without the lease."""
    after = claim(session=session, worker_id=worker_id, lease_seconds=lease_seconds)
    if after is None:
        return None
    # The head is read first: an event committed after it is read next time, never skipped.
    head = last_position(session)
    if head <= after:
        return 0
    events = [
        e for e in read_all(session, after=after, limit=batch_size, types=ev.READ_TYPES) if e.position <= head
    ]
    for event in events:
        handle(session=session, event=event)
    # A full page may stop short of the head; otherwise skip ahead over the events we do not read.
    new_position = events[-1].position if len(events) >= batch_size else head
    table = _checkpoint_table()
    moved = session.connection().execute(
        update(table)
        .where(table.c.name == CONSUMER, table.c.position == after, table.c.lease_owner == worker_id)
        .values(position=new_position, updated_at=utcnow())
    )
    if moved.rowcount != 1:
        raise RuntimeError("notifications checkpoint moved under us; rolling back")
    session.flush()
    return len(events)


# --- event handlers -----------------------------------------------------------------------------------


def handle(*, session: Session, event: RecordedEvent) -> None:
    """Apply one event: learn facts, make follows, create notifications."""
    handler = HANDLERS.get(event.type)
    if handler is not None:
        handler(session, event)


def _notify(
    session: Session,
    event: RecordedEvent,
    person_ids: list[uuid.UUID],
    kind: NotificationKind,
    *,
    process_id: uuid.UUID | None,
    proposal_id: uuid.UUID | None = None,
    phase_id: uuid.UUID | None = None,
    data: dict[str, Any],
) -> None:
    wanted = list(dict.fromkeys(person_ids))
    if not wanted:
        return
    live = set(
        session.exec(
            select(Person.id).where(col(Person.id).in_(wanted), Person.erased == False)  # noqa: E712
        ).all()
    )
    already = set(
        session.exec(
            select(Notification.person_id).where(
                Notification.event_id == event.event_id, Notification.kind == kind.value
            )
        ).all()
    )
    for person_id in wanted:
        if person_id not in live or person_id in already:
            continue
        session.add(
            Notification(
                person_id=person_id,
                kind=kind.value,
                event_id=event.event_id,
                position=event.position,
                process_id=process_id,
                proposal_id=proposal_id,
                phase_id=phase_id,
                data=data,
                email_state=EmailState.PENDING,
                created_at=event.recorded_at,
            )
        )
    session.flush()


def _proposal(session: Session, proposal_id: uuid.UUID | None) -> ProposalFact | None:
    return session.get(ProposalFact, proposal_id) if proposal_id else None


def _process_title(session: Session, process_id: uuid.UUID | None) -> str:
    fact = session.get(ProcessFact, process_id) if process_id else None
    return fact.title if fact else ""


def _proposal_data(
    session: Session, fact: ProposalFact | None, process_id: uuid.UUID | None
) -> dict[str, Any]:
    return {
        "proposal_title": fact.title if fact else "",
        "process_title": _process_title(session, process_id),
    }


def _on_proposal_created(session: Session, event: RecordedEvent) -> None:
    p = event.payload
    proposal_id = _uuid(p.get("proposal_id"))
    if proposal_id is None:
        return
    author_id = _uuid(p.get("author_id"))
    fact = session.get(ProposalFact, proposal_id) or ProposalFact(proposal_id=proposal_id)
    fact.process_id = _uuid(p.get("process_id"))
    fact.district_id = str(p.get("district_id") or event.district_id or "") or None
    fact.author_id = author_id
    fact.title = str(p.get("title") or "")[:TITLE_LIMIT]
    session.add(fact)
    session.flush()
    if author_id is None:
        return
    author = session.get(Person, author_id)
    if author is not None and not author.erased:
        # Authors follow their own proposals (they can unfollow like any follow).
        service.follow(
            session=session,
            person=author,
            target_type=TargetType.PROPOSAL,
            target_id=proposal_id,
            source="author",
        )


def _on_proposal_updated(session: Session, event: RecordedEvent) -> None:
    p = event.payload
    fact = _proposal(session, _uuid(p.get("proposal_id")))
    if fact is None:
        return
    changes = p.get("changes") if isinstance(p.get("changes"), dict) else {}
    title = p.get("title") or changes.get("title")
    if title:
        fact.title = str(title)[:TITLE_LIMIT]
        session.flush()


def _on_comment_created(session: Session, event: RecordedEvent) -> None:
    p = event.payload
    proposal_id = _uuid(p.get("proposal_id"))
    fact = _proposal(session, proposal_id)
    # Comments on one's own proposal notify its author (their own comments do not).
    if fact is None or fact.author_id is None or fact.author_id == _uuid(p.get("author_id")):
        return
    process_id = _uuid(p.get("process_id")) or fact.process_id
    data = _proposal_data(session, fact, process_id)
    data.update({"comment_id": str(p.get("comment_id") or ""), "reply": bool(p.get("parent_id"))})
    _notify(
        session,
        event,
        [fact.author_id],
        NotificationKind.PROPOSAL_COMMENTED,
        process_id=process_id,
        proposal_id=proposal_id,
        data=data,
    )


def _on_proposal_answered(session: Session, event: RecordedEvent) -> None:
    p = event.payload
    proposal_id = _uuid(p.get("proposal_id"))
    if proposal_id is None:
        return
    fact = _proposal(session, proposal_id)
    process_id = _uuid(p.get("process_id")) or (fact.process_id if fact else None)
    data = _proposal_data(session, fact, process_id)
    data.update(
        {
            "answer_state": str(p.get("answer_state") or "")[:TITLE_LIMIT],
            "answer_category": str(p.get("answer_category") or ""),
            "text": str(p.get("text") or "")[:TEXT_LIMIT],
        }
    )
    recipients = service.followers(session=session, target_type=TargetType.PROPOSAL, target_id=proposal_id)
    _notify(
        session,
        event,
        recipients,
        NotificationKind.PROPOSAL_ANSWERED,
        process_id=process_id,
        proposal_id=proposal_id,
        data=data,
    )


def _on_proposal_promoted(session: Session, event: RecordedEvent) -> None:
    p = event.payload
    proposal_id = _uuid(p.get("proposal_id"))
    if proposal_id is None:
        return
    fact = _proposal(session, proposal_id)
    process_id = _uuid(p.get("process_id")) or (fact.process_id if fact else None)
    data = _proposal_data(session, fact, process_id)
    data["priority_id"] = str(p.get("priority_id") or "")
    recipients = service.followers(session=session, target_type=TargetType.PROPOSAL, target_id=proposal_id)
    _notify(
        session,
        event,
        recipients,
        NotificationKind.PROPOSAL_PROMOTED,
        process_id=process_id,
        proposal_id=proposal_id,
        data=data,
    )


def _on_process_created(session: Session, event: RecordedEvent) -> None:
    process_id = _uuid(event.payload.get("process_id"))
    if process_id is None:
        return
    fact = session.get(ProcessFact, process_id) or ProcessFact(process_id=process_id)
    fact.title = str(event.payload.get("title") or "")[:TITLE_LIMIT]
    session.add(fact)
    session.flush()


def _on_process_updated(session: Session, event: RecordedEvent) -> None:
    changes = event.payload.get("changes")
    if isinstance(changes, dict) and changes.get("title"):
        process_id = _uuid(event.payload.get("process_id"))
        if process_id is None:
            return
        fact = session.get(ProcessFact, process_id) or ProcessFact(process_id=process_id)
        fact.title = str(changes["title"])[:TITLE_LIMIT]
        session.add(fact)
        session.flush()


def _phase_opens(fact: PhaseFact) -> bool:
    return fact.is_current or fact.open_to_proposals


def _apply_phase(session: Session, event: RecordedEvent, fact: PhaseFact, values: dict[str, Any]) -> None:
    if "name" in values:
        fact.name = str(values["name"] or "")[:TITLE_LIMIT]
    for name in ("starts_on", "ends_on"):
        if name in values:
            setattr(fact, name, str(values[name]) if values[name] else None)
    for name in ("is_current", "open_to_proposals"):
        if name in values:
            setattr(fact, name, bool(values[name]))
    session.add(fact)
    session.flush()
    if fact.announced or not _phase_opens(fact):
        return
    # A phase is announced once, when it becomes current or opens to proposals, whichever comes first.
    fact.announced = True
    session.flush()
    recipients = service.followers(session=session, target_type=TargetType.PROCESS, target_id=fact.process_id)
    _notify(
        session,
        event,
        recipients,
        NotificationKind.PHASE_OPENED,
        process_id=fact.process_id,
        phase_id=fact.phase_id,
        data={
            "process_title": _process_title(session, fact.process_id),
            "phase_name": fact.name,
            "starts_on": fact.starts_on,
            "ends_on": fact.ends_on,
            "open_to_proposals": fact.open_to_proposals,
        },
    )


def _on_phase_added(session: Session, event: RecordedEvent) -> None:
    p = event.payload
    phase_id, process_id = _uuid(p.get("phase_id")), _uuid(p.get("process_id"))
    if phase_id is None or process_id is None:
        return
    fact = session.get(PhaseFact, phase_id) or PhaseFact(phase_id=phase_id, process_id=process_id)
    _apply_phase(session, event, fact, p)


def _on_phase_changed(session: Session, event: RecordedEvent) -> None:
    p = event.payload
    phase_id, process_id = _uuid(p.get("phase_id")), _uuid(p.get("process_id"))
    changes = p.get("changes")
    if phase_id is None or process_id is None or not isinstance(changes, dict):
        return
    fact = session.get(PhaseFact, phase_id) or PhaseFact(phase_id=phase_id, process_id=process_id)
    _apply_phase(session, event, fact, changes)


def _on_person_erased(session: Session, event: RecordedEvent) -> None:
    person_id = _uuid(event.payload.get("person_id"))
    if person_id is None:
        return
    # What the registry kept about the person's following and reading goes with their personal data.
    for row in session.exec(select(Follow).where(Follow.person_id == person_id)).all():
        service.unfollow(session=session, row=row)
    for model in (Notification, NotificationMail, NotificationPreference):
        session.exec(delete(model).where(model.person_id == person_id))  # type: ignore[call-overload, attr-defined]
    session.flush()


HANDLERS = {
    ev.PROPOSAL_CREATED: _on_proposal_created,
    ev.PROPOSAL_UPDATED: _on_proposal_updated,
    ev.COMMENT_CREATED: _on_comment_created,
    ev.PROPOSAL_ANSWERED: _on_proposal_answered,
    ev.PROPOSAL_PROMOTED: _on_proposal_promoted,
    ev.PROCESS_CREATED: _on_process_created,
    ev.PROCESS_UPDATED: _on_process_updated,
    ev.PROCESS_PHASE_ADDED: _on_phase_added,
    ev.PROCESS_PHASE_CHANGED: _on_phase_changed,
    ev.PERSON_ERASED: _on_person_erased,
}
