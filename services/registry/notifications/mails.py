"""Rules of notification e-mails: planning them (one each, or a daily digest), leases and outcomes.

Everything here flushes and never commits; the worker runs each step in its own short transaction, and the
SMTP conversation outside any transaction. A mail is sent only while its worker holds the lease, and marked
sent (with its notifications) in one transaction that checks the lease is still held: two workers never send
the same mail. A crash between the SMTP hand-off and that commit means the mail is sent again once the lease
expires (same Message-ID), so delivery is at least once across crashes and exactly once otherwise.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import or_, update
from sqlmodel import Session, col, select

from services.registry.notifications import render, service
from services.registry.notifications.models import (
    EmailFrequency,
    EmailState,
    MailStatus,
    Notification,
    NotificationMail,
    NotificationPreference,
)
from services.registry.people.models import Person
from shared.eventlog.tables import events as events_table

LOCAL_ZONE = ZoneInfo("Europe/Rome")


@dataclass(frozen=True)
class Planning:
    """What the mail planner needs to know."""

    consent_purpose: str
    digest_hour: int


def _local_day(now: datetime, digest_hour: int) -> date | None:
    """Today's date in Rome when the digest hour has passed, else None."""
    local = now.astimezone(LOCAL_ZONE)
    return local.date() if local.hour >= digest_hour else None


def skip_reason(*, session: Session, person: Person | None, consent_purpose: str) -> str | None:
    """Why no e-mail may go to the person now (None when it may)."""
    if person is None or person.erased:
        return "erased"
    if not person.email:
        return "no_address"
    pref = service.preference_of(session=session, person_id=person.id)
    if pref.email_frequency == EmailFrequency.OFF.value:
        return "unsubscribed" if pref.unsubscribed_at else "off"
    if not service.has_email_consent(session=session, person_id=person.id, purpose=consent_purpose):
        return "no_consent"
    return None


def _set_state(notifications: list[Notification], state: EmailState, **values: object) -> None:
    for n in notifications:
        n.email_state = state.value
        for name, value in values.items():
            setattr(n, name, value)


def _queue(
    session: Session, person_id: uuid.UUID, notifications: list[Notification], *, digest: bool, now: datetime
) -> None:
    mail = NotificationMail(person_id=person_id, digest=digest, next_attempt_at=now, created_at=now)
    session.add(mail)
    session.flush()
    _set_state(notifications, EmailState.QUEUED, mail_id=mail.id)


def plan(*, session: Session, planning: Planning, now: datetime, limit: int = 500) -> int:
    """Put new notifications into mails, leave them for the digest, or skip them; return how many moved."""
    fresh = list(
        session.exec(
            select(Notification)
            .where(Notification.email_state == EmailState.PENDING.value)
            .order_by(col(Notification.created_at), col(Notification.id))
            .limit(limit)
        ).all()
    )
    by_person: dict[uuid.UUID, list[Notification]] = defaultdict(list)
    for n in fresh:
        by_person[n.person_id].append(n)
    for person_id, items in by_person.items():
        person = session.get(Person, person_id)
        reason = skip_reason(session=session, person=person, consent_purpose=planning.consent_purpose)
        if reason is not None:
            _set_state(items, EmailState.SKIPPED, email_skip_reason=reason)
            continue
        frequency = service.preference_of(session=session, person_id=person_id).email_frequency
        if frequency == EmailFrequency.DAILY.value:
            _set_state(items, EmailState.DIGEST)
        else:
            for n in items:
                _queue(session, person_id, [n], digest=False, now=now)
    moved = len(fresh)
    moved += _plan_digests(session=session, planning=planning, now=now)
    session.flush()
    return moved


def _plan_digests(*, session: Session, planning: Planning, now: datetime) -> int:
    waiting = list(
        session.exec(
            select(Notification)
            .where(Notification.email_state == EmailState.DIGEST.value)
            .order_by(col(Notification.created_at), col(Notification.id))
        ).all()
    )
    by_person: dict[uuid.UUID, list[Notification]] = defaultdict(list)
    for n in waiting:
        by_person[n.person_id].append(n)
    today = _local_day(now, planning.digest_hour)
    moved = 0
    for person_id, items in by_person.items():
        person = session.get(Person, person_id)
        reason = skip_reason(session=session, person=person, consent_purpose=planning.consent_purpose)
        if reason is not None:
            _set_state(items, EmailState.SKIPPED, email_skip_reason=reason)
            moved += len(items)
            continue
        pref = session.get(NotificationPreference, person_id)
        still_daily = pref is not None and pref.email_frequency == EmailFrequency.DAILY.value
        if still_daily:
            assert pref is not None
            if today is None or pref.last_digest_on == today:
                continue
            pref.last_digest_on = today
        # Due today, or the person switched back to immediate: what waited goes out as one digest.
        _queue(session, person_id, items, digest=True, now=now)
        moved += len(items)
    return moved


# --- sending ------------------------------------------------------------------------------------------


def due_mail_ids(*, session: Session, now: datetime, limit: int = 100) -> list[uuid.UUID]:
    """Pending, unleased mails whose next attempt is due, oldest first."""
    statement = (
        select(NotificationMail.id)
        .where(
            NotificationMail.status == MailStatus.PENDING.value,
            col(NotificationMail.next_attempt_at) <= now,
            or_(col(NotificationMail.lease_until).is_(None), col(NotificationMail.lease_until) < now),
        )
        .order_by(col(NotificationMail.next_attempt_at))
        .limit(limit)
    )
    return list(session.exec(statement).all())


def claim(
    *, session: Session, mail_id: uuid.UUID, worker_id: str, lease_seconds: float, now: datetime
) -> bool:
    """Take the lease on a pending mail; False when another worker holds it or it is no longer pending."""
    table = NotificationMail.__table__  # type: ignore[attr-defined]
    result = session.connection().execute(
        update(table)
        .where(
            table.c.id == mail_id,
            table.c.status == MailStatus.PENDING.value,
            or_(table.c.lease_until.is_(None), table.c.lease_until < now, table.c.lease_owner == worker_id),
        )
        .values(lease_owner=worker_id, lease_until=now + timedelta(seconds=lease_seconds))
    )
    return result.rowcount == 1


def notifications_of(*, session: Session, mail_id: uuid.UUID) -> list[Notification]:
    """The notifications a mail carries, oldest first."""
    statement = (
        select(Notification)
        .where(Notification.mail_id == mail_id)
        .order_by(col(Notification.created_at), col(Notification.id))
    )
    return list(session.exec(statement).all())


@dataclass(frozen=True)
class Outgoing:
    """A mail ready to hand to SMTP."""

    mail_id: uuid.UUID
    attempt_no: int
    message: object  # email.message.EmailMessage
    # The correlation ids (request ids) of the events the mail tells about, for the worker's log lines.
    correlation_ids: tuple[str, ...] = ()


def correlation_ids(*, session: Session, notifications: list[Notification]) -> tuple[str, ...]:
    """The distinct correlation ids of the events behind ``notifications``, in the notifications' order."""
    event_ids = [n.event_id for n in notifications]
    if not event_ids:
        return ()
    rows = session.connection().execute(
        select(events_table.c.event_id, events_table.c.correlation_id).where(
            events_table.c.event_id.in_(event_ids)
        )
    )
    by_event = {uuid.UUID(str(event_id)): value for event_id, value in rows if value}
    return tuple(dict.fromkeys(by_event[e] for e in event_ids if e in by_event))


def prepare(
    *,
    session: Session,
    mail_id: uuid.UUID,
    planning: Planning,
    sender: str,
    base_url: str,
    unsubscribe_url: str,
) -> Outgoing | None:
    """Check the person may still get e-mail (else cancel the mail) and build the message."""
    mail = session.get(NotificationMail, mail_id)
    if mail is None:
        return None
    person = session.get(Person, mail.person_id)
    notifications = notifications_of(session=session, mail_id=mail_id)
    reason = skip_reason(session=session, person=person, consent_purpose=planning.consent_purpose)
    if reason is not None or not notifications or person is None or not person.email:
        # Consent withdrawn, unsubscribed or erased after the mail was planned: it is not sent.
        mail.status = MailStatus.CANCELLED.value
        mail.lease_owner = mail.lease_until = None
        mail.last_error = f"cancelled: {reason or 'nothing to send'}"
        _set_state(notifications, EmailState.SKIPPED, email_skip_reason=reason or "nothing")
        session.flush()
        return None
    context = render.MailContext(
        mail_id=mail.id,
        sender=sender,
        to_address=person.email,
        given_name=person.given_name,
        digest=mail.digest,
        base_url=base_url,
        unsubscribe_url=unsubscribe_url,
    )
    return Outgoing(
        mail.id,
        mail.attempts + 1,
        render.build_message(context, notifications),
        correlation_ids(session=session, notifications=notifications),
    )


def record_sent(*, session: Session, mail_id: uuid.UUID, worker_id: str, now: datetime) -> bool:
    """Mark the mail and its notifications sent, if this worker still holds the lease."""
    table = NotificationMail.__table__  # type: ignore[attr-defined]
    result = session.connection().execute(
        update(table)
        .where(
            table.c.id == mail_id,
            table.c.status == MailStatus.PENDING.value,
            table.c.lease_owner == worker_id,
        )
        .values(
            status=MailStatus.SENT.value,
            attempts=table.c.attempts + 1,
            sent_at=now,
            sent_by=worker_id,
            lease_owner=None,
            lease_until=None,
            last_error=None,
        )
    )
    if result.rowcount != 1:
        return False
    _set_state(notifications_of(session=session, mail_id=mail_id), EmailState.SENT, emailed_at=now)
    session.flush()
    return True


def record_failure(
    *,
    session: Session,
    mail_id: uuid.UUID,
    worker_id: str,
    error: str,
    permanent: bool,
    delay_seconds: float,
    max_attempts: int,
    now: datetime,
) -> bool:
    """Count a failed attempt: retry after ``delay_seconds``, or give up (permanent, or out of attempts)."""
    mail = session.get(NotificationMail, mail_id)
    if mail is None or mail.status != MailStatus.PENDING.value or mail.lease_owner != worker_id:
        return False
    mail.attempts += 1
    mail.last_error = error[:1000]
    mail.lease_owner = mail.lease_until = None
    if permanent or mail.attempts >= max_attempts:
        mail.status = MailStatus.FAILED.value
        _set_state(notifications_of(session=session, mail_id=mail_id), EmailState.FAILED)
    else:
        mail.next_attempt_at = now + timedelta(seconds=delay_seconds)
    session.flush()
    return True
