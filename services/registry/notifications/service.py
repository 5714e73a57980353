"""Rules of follows, notifications, e-mail preferences and unsubscribe tokens (flush, never commit)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import update
from sqlmodel import Session, col, select

from services.registry.notifications import events as ev
from services.registry.notifications.models import (
    EmailFrequency,
    Follow,
    Notification,
    NotificationPreference,
    TargetType,
)
from services.registry.notifications.schemas import NotificationSettingsUpdate, NotificationsMark
from services.registry.people.models import ConsentRecord, Person
from shared.db import utcnow
from shared.errors import ConflictError, FieldError, NotFoundError, ValidationFailed
from shared.eventlog import NewEvent, append
from shared.pagination import paginate

# --- people -----------------------------------------------------------------------------------------


def require_person(*, session: Session, person_id: uuid.UUID) -> Person:
    """The person, or NotFoundError."""
    person = session.get(Person, person_id)
    if person is None:
        raise NotFoundError(f"person {person_id} does not exist", person_id=str(person_id))
    return person


def has_email_consent(*, session: Session, person_id: uuid.UUID, purpose: str) -> bool:
    """True when the person gave consent for ``purpose`` and has not withdrawn it."""
    statement = select(ConsentRecord.id).where(
        ConsentRecord.person_id == person_id,
        ConsentRecord.purpose == purpose,
        col(ConsentRecord.withdrawn_at).is_(None),
        ConsentRecord.given_at <= utcnow(),
    )
    return session.exec(statement.limit(1)).first() is not None


# --- follows ----------------------------------------------------------------------------------------


def _follow_event(session: Session, event_type: str, follow: Follow) -> None:
    append(
        session,
        stream_type=ev.FOLLOW,
        stream_id=str(follow.person_id),
        expected_version=None,
        events_to_append=[
            NewEvent(
                event_type,
                ev.FollowChanged(
                    follow_id=str(follow.id),
                    person_id=str(follow.person_id),
                    target_type=follow.target_type,
                    target_id=str(follow.target_id),
                    source=follow.source,
                ).dump(),
            )
        ],
    )


def find_follow(
    *, session: Session, person_id: uuid.UUID, target_type: TargetType, target_id: uuid.UUID
) -> Follow | None:
    """The person's follow of the target, if any."""
    statement = select(Follow).where(
        Follow.person_id == person_id, Follow.target_type == target_type.value, Follow.target_id == target_id
    )
    return session.exec(statement).first()


def follow(
    *,
    session: Session,
    person: Person,
    target_type: TargetType,
    target_id: uuid.UUID,
    source: str = "person",
) -> tuple[Follow, bool]:
    """Follow a target (follow.started); return the follow and whether it is new. Following twice is a no-op.

    The target is not looked up: processes and proposals live in another service, and following an id that
    never shows up in the log only means no notification ever comes.
    """
    if person.erased:
        raise ConflictError(f"person {person.id} was erased", person_id=str(person.id))
    existing = find_follow(session=session, person_id=person.id, target_type=target_type, target_id=target_id)
    if existing is not None:
        return existing, False
    row = Follow(person_id=person.id, target_type=target_type.value, target_id=target_id, source=source)
    session.add(row)
    session.flush()
    _follow_event(session, ev.FOLLOW_STARTED, row)
    return row, True


def get_follow(*, session: Session, person_id: uuid.UUID, follow_id: uuid.UUID) -> Follow:
    """A follow of this person, or NotFoundError."""
    row = session.get(Follow, follow_id)
    if row is None or row.person_id != person_id:
        raise NotFoundError(f"follow {follow_id} does not exist for person {person_id}")
    return row


def unfollow(*, session: Session, row: Follow) -> None:
    """Stop following (follow.stopped)."""
    _follow_event(session, ev.FOLLOW_STOPPED, row)
    session.delete(row)
    session.flush()


def follows_statement(*, person_id: uuid.UUID, target_type: TargetType | None = None) -> Any:
    """The select statement of a person's follows."""
    statement = select(Follow).where(Follow.person_id == person_id)
    if target_type is not None:
        statement = statement.where(Follow.target_type == target_type.value)
    return statement


def followers(*, session: Session, target_type: TargetType, target_id: uuid.UUID) -> list[uuid.UUID]:
    """Ids of the people following a target."""
    statement = select(Follow.person_id).where(
        Follow.target_type == target_type.value, Follow.target_id == target_id
    )
    return list(session.exec(statement).all())


# --- notifications -----------------------------------------------------------------------------------


def notifications_page(
    *,
    session: Session,
    person_id: uuid.UUID,
    unread: bool | None,
    kind: str | None,
    limit: int,
    cursor: str | None,
) -> tuple[list[Notification], str | None]:
    """A person's notifications, newest first, from ``cursor``."""
    statement = select(Notification).where(Notification.person_id == person_id)
    if unread is True:
        statement = statement.where(col(Notification.read_at).is_(None))
    elif unread is False:
        statement = statement.where(col(Notification.read_at).is_not(None))
    if kind is not None:
        statement = statement.where(Notification.kind == kind)
    return paginate(
        session,
        statement,
        sort=col(Notification.created_at),
        tiebreak=col(Notification.id),
        limit=limit,
        cursor=cursor,
        descending=True,
    )


def mark_notifications(*, session: Session, person_id: uuid.UUID, data: NotificationsMark) -> int:
    """Mark notifications read or unread; return how many changed (others' ids are silently not touched)."""
    if not data.all and not data.notification_ids:
        raise ValidationFailed(
            "nothing to mark",
            errors=[FieldError(path="body.notification_ids", message="give ids, or set all to true")],
        )
    table = Notification.__table__  # type: ignore[attr-defined]
    statement = update(table).where(table.c.person_id == person_id)
    if not data.all:
        statement = statement.where(table.c.id.in_(list(dict.fromkeys(data.notification_ids))))
    if data.read:
        statement = statement.where(table.c.read_at.is_(None)).values(read_at=utcnow())
    else:
        statement = statement.where(table.c.read_at.is_not(None)).values(read_at=None)
    result = session.connection().execute(statement)
    return int(result.rowcount or 0)


# --- preferences -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class EmailSettings:
    """A person's e-mail settings as the API shows them."""

    person_id: uuid.UUID
    email_frequency: EmailFrequency
    unsubscribed_at: datetime | None
    email_consent: bool
    email_on_file: bool
    version: int


def preference_of(*, session: Session, person_id: uuid.UUID) -> NotificationPreference:
    """The person's stored preference, or the default one (not added to the session)."""
    row = session.get(NotificationPreference, person_id)
    return row or NotificationPreference(
        person_id=person_id, email_frequency=EmailFrequency.IMMEDIATE, version=0
    )


def email_settings(*, session: Session, person: Person, consent_purpose: str) -> EmailSettings:
    """What the person chose, and whether e-mail could reach them."""
    pref = preference_of(session=session, person_id=person.id)
    return EmailSettings(
        person_id=person.id,
        email_frequency=EmailFrequency(pref.email_frequency),
        unsubscribed_at=pref.unsubscribed_at,
        email_consent=has_email_consent(session=session, person_id=person.id, purpose=consent_purpose),
        email_on_file=bool(person.email) and not person.erased,
        version=pref.version,
    )


def _stored_preference(session: Session, person_id: uuid.UUID) -> NotificationPreference:
    row = session.get(NotificationPreference, person_id)
    if row is None:
        row = NotificationPreference(person_id=person_id, email_frequency=EmailFrequency.IMMEDIATE, version=0)
        session.add(row)
    return row


def update_email_settings(
    *, session: Session, person: Person, data: NotificationSettingsUpdate, expected_version: int
) -> NotificationPreference:
    """Change the e-mail frequency; choosing immediate or daily again undoes an unsubscribe."""
    if person.erased:
        raise ConflictError(f"person {person.id} was erased", person_id=str(person.id))
    row = _stored_preference(session, person.id)
    if expected_version != row.version:
        raise ConflictError(
            f"notification settings of {person.id} are at version {row.version}, not {expected_version}"
        )
    if data.email_frequency is not None and data.email_frequency.value != row.email_frequency:
        row.email_frequency = data.email_frequency.value
        row.unsubscribed_at = utcnow() if data.email_frequency is EmailFrequency.OFF else None
        row.version += 1
        row.updated_at = utcnow()
    session.flush()
    return row


def unsubscribe(*, session: Session, person_id: uuid.UUID) -> NotificationPreference:
    """Stop all notification e-mail to the person (in-app notifications go on)."""
    row = _stored_preference(session, person_id)
    if row.email_frequency != EmailFrequency.OFF.value or row.unsubscribed_at is None:
        row.email_frequency = EmailFrequency.OFF.value
        row.unsubscribed_at = utcnow()
        row.version += 1
        row.updated_at = utcnow()
    session.flush()
    return row


# --- unsubscribe tokens -------------------------------------------------------------------------------


class BadToken(ValueError):
    """An unsubscribe token that is malformed (``malformed``) or not signed by this server."""

    def __init__(self, message: str, *, malformed: bool):
        super().__init__(message)
        self.malformed = malformed


def _token_signature(secret: str, person_hex: str) -> str:
    key = hashlib.sha256(b"notifications-unsubscribe:" + secret.encode()).digest()
    digest = hmac.new(key, person_hex.encode(), hashlib.sha256).digest()[:16]
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def unsubscribe_token(*, secret: str, person_id: uuid.UUID) -> str:
    """A token that unsubscribes this person, for a link anyone can click (no login)."""
    return f"{person_id.hex}.{_token_signature(secret, person_id.hex)}"


def person_of_token(*, secret: str, token: str) -> uuid.UUID:
    """The person an unsubscribe token names; BadToken if it is malformed or forged."""
    person_hex, _, signature = token.partition(".")
    try:
        person_id = uuid.UUID(hex=person_hex)
    except ValueError as exc:
        raise BadToken("not an unsubscribe token", malformed=True) from exc
    if not signature or not hmac.compare_digest(signature, _token_signature(secret, person_id.hex)):
        raise BadToken("this unsubscribe link was not issued by this server", malformed=False)
    return person_id
