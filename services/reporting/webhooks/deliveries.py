"""Rules of webhook deliveries: the fan-out from the event log, redelivery, leases and attempt outcomes.

Everything here flushes and never commits: routes commit through the session dependency, the dispatcher
through its own short transactions (see ``dispatcher``).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from typing import Any

from sqlalchemy import and_, bindparam, func, insert, or_, update
from sqlalchemy.sql import Select
from sqlalchemy.sql.dml import Insert, Update
from sqlmodel import Session, col, select

from services.reporting.webhooks import events as ev
from services.reporting.webhooks.models import (
    FANOUT_CONSUMER,
    DeliveryStatus,
    WebhookAttempt,
    WebhookCheckpoint,
    WebhookDelivery,
    WebhookSubscription,
)
from services.reporting.webhooks.schemas import RedeliveryRange
from services.reporting.webhooks.subscriptions import append_event, signing_secrets, subscription_matches
from shared.db import utcnow
from shared.errors import FieldError, NotFoundError, ValidationFailed
from shared.eventlog import NewEvent, RecordedEvent, last_position, read_all
from shared.eventlog.tables import events as events_table

# --- deliveries ------------------------------------------------------------------------------------


def _timestamp(value: datetime) -> str:
    return value.isoformat().replace("+00:00", "Z")


def event_body(event: RecordedEvent) -> dict[str, Any]:
    """The JSON body of an event's delivery: ``type``, ``timestamp`` and ``data`` (payload plus log ids)."""
    data = dict(event.payload)
    data.update(
        {
            "event_id": str(event.event_id),
            "position": event.position,
            "stream_type": event.stream_type,
            "stream_id": event.stream_id,
            "stream_version": event.version,
            "district_id": event.district_id,
            "occurred_at": _timestamp(event.occurred_at),
        }
    )
    return {"type": event.type, "timestamp": _timestamp(event.recorded_at), "data": data}


def _allocate_seqs(session: Session, subscription_id: uuid.UUID, count: int) -> int:
    """Reserve ``count`` sequence numbers of a subscription; return the first (row lock on PostgreSQL)."""
    table = WebhookSubscription.__table__  # type: ignore[attr-defined]
    conn = session.connection()
    conn.execute(update(table).where(table.c.id == subscription_id).values(last_seq=table.c.last_seq + count))
    last = conn.execute(select(table.c.last_seq).where(table.c.id == subscription_id)).scalar_one()
    return int(last) - count + 1


def _new_delivery(
    subscription_id: uuid.UUID,
    seq: int,
    body: dict[str, Any],
    *,
    event_id: uuid.UUID | None = None,
    position: int | None = None,
    message_id: str | None = None,
    redelivery_of: uuid.UUID | None = None,
) -> WebhookDelivery:
    delivery_id = uuid.uuid4()
    now = utcnow()
    return WebhookDelivery(
        id=delivery_id,
        subscription_id=subscription_id,
        seq=seq,
        message_id=message_id or f"msg_{delivery_id.hex}",
        event_type=str(body["type"]),
        event_id=event_id,
        position=position,
        body=body,
        status=DeliveryStatus.PENDING,
        next_attempt_at=now,
        created_at=now,
        redelivery_of=redelivery_of,
    )


def queue_ping(*, session: Session, subscription: WebhookSubscription) -> WebhookDelivery:
    """Queue a ``webhook.ping`` delivery behind the subscription's other deliveries."""
    now = utcnow()
    body = {
        "type": ev.PING,
        "timestamp": _timestamp(now),
        "data": {"subscription_id": str(subscription.id), "ping_id": str(uuid.uuid4())},
    }
    delivery = _new_delivery(subscription.id, _allocate_seqs(session, subscription.id, 1), body)
    session.add(delivery)
    session.flush()
    return delivery


def get_delivery(*, session: Session, subscription_id: uuid.UUID, delivery_id: uuid.UUID) -> WebhookDelivery:
    """A delivery of this subscription; 404 otherwise."""
    delivery = session.get(WebhookDelivery, delivery_id)
    if delivery is None or delivery.subscription_id != subscription_id:
        raise NotFoundError(f"delivery {delivery_id} does not exist for subscription {subscription_id}")
    return delivery


def deliveries_query(*, subscription_id: uuid.UUID, status: DeliveryStatus | None = None) -> Any:
    """The select statement of a subscription's delivery log."""
    statement = select(WebhookDelivery).where(WebhookDelivery.subscription_id == subscription_id)
    if status is not None:
        statement = statement.where(WebhookDelivery.status == status.value)
    return statement


def attempts_of(*, session: Session, delivery_id: uuid.UUID) -> list[WebhookAttempt]:
    """Every attempt of a delivery, oldest first."""
    statement = (
        select(WebhookAttempt)
        .where(WebhookAttempt.delivery_id == delivery_id)
        .order_by(col(WebhookAttempt.attempt_no))
    )
    return list(session.exec(statement).all())


def redeliver(*, session: Session, delivery: WebhookDelivery) -> WebhookDelivery:
    """Queue the same message again (same ``webhook-id``, so receivers can deduplicate)."""
    seq = _allocate_seqs(session, delivery.subscription_id, 1)
    copy = _new_delivery(
        delivery.subscription_id,
        seq,
        dict(delivery.body),
        event_id=delivery.event_id,
        position=delivery.position,
        message_id=delivery.message_id,
        redelivery_of=delivery.redelivery_of or delivery.id,
    )
    session.add(copy)
    session.flush()
    return copy


def redeliver_range(
    *, session: Session, subscription: WebhookSubscription, data: RedeliveryRange
) -> list[WebhookDelivery]:
    """Queue again the subscription's deliveries created in ``[created_from, created_to)``, in order."""
    if data.created_to <= data.created_from:
        raise ValidationFailed(
            "empty time range",
            errors=[FieldError(path="body.created_to", message="must be after created_from")],
        )
    statement = (
        select(WebhookDelivery)
        .where(
            WebhookDelivery.subscription_id == subscription.id,
            WebhookDelivery.created_at >= data.created_from,
            WebhookDelivery.created_at < data.created_to,
            WebhookDelivery.status != DeliveryStatus.PENDING.value,
        )
        .order_by(col(WebhookDelivery.seq))
        .limit(data.limit)
    )
    if data.only_failed:
        statement = statement.where(WebhookDelivery.status == DeliveryStatus.FAILED.value)
    originals = list(session.exec(statement).all())
    if not originals:
        return []
    first = _allocate_seqs(session, subscription.id, len(originals))
    copies = [
        _new_delivery(
            subscription.id,
            first + offset,
            dict(original.body),
            event_id=original.event_id,
            position=original.position,
            message_id=original.message_id,
            redelivery_of=original.redelivery_of or original.id,
        )
        for offset, original in enumerate(originals)
    ]
    session.add_all(copies)
    session.flush()
    return copies


# --- fan-out consumer ------------------------------------------------------------------------------


def _checkpoint_table() -> Any:
    return WebhookCheckpoint.__table__  # type: ignore[attr-defined]


def fan_out(*, session: Session, worker_id: str, lease_seconds: float, batch_size: int = 500) -> int | None:
    """Read the log after the checkpoint and queue a delivery per matching subscription.

    Returns the number of events read, or None when another worker holds the fan-out lease. The checkpoint
    moves in the same transaction as the deliveries it queued, and only if it was still where we read it,
    so a crash or a competing worker can neither drop nor duplicate an event's deliveries.
    """
    now = utcnow()
    table = _checkpoint_table()
    conn = session.connection()
    claimed = conn.execute(
        update(table)
        .where(
            table.c.name == FANOUT_CONSUMER,
            or_(table.c.lease_until.is_(None), table.c.lease_until < now, table.c.lease_owner == worker_id),
        )
        .values(lease_owner=worker_id, lease_until=now + timedelta(seconds=lease_seconds))
    )
    if claimed.rowcount != 1:
        return None
    position = int(conn.execute(select(table.c.position).where(table.c.name == FANOUT_CONSUMER)).scalar_one())
    events = read_all(session, after=position, limit=batch_size)
    if not events:
        return 0
    subscriptions = list(
        session.exec(select(WebhookSubscription).where(WebhookSubscription.enabled == True)).all()  # noqa: E712
    )
    per_subscription: dict[uuid.UUID, list[RecordedEvent]] = {}
    for event in events:
        for subscription in subscriptions:
            if subscription_matches(subscription, event):
                per_subscription.setdefault(subscription.id, []).append(event)
    for subscription_id, matched in per_subscription.items():
        first = _allocate_seqs(session, subscription_id, len(matched))
        session.add_all(
            [
                _new_delivery(
                    subscription_id,
                    first + offset,
                    event_body(event),
                    event_id=event.event_id,
                    position=event.position,
                )
                for offset, event in enumerate(matched)
            ]
        )
    moved = conn.execute(
        update(table)
        .where(
            table.c.name == FANOUT_CONSUMER, table.c.position == position, table.c.lease_owner == worker_id
        )
        .values(position=events[-1].position, updated_at=now)
    )
    if moved.rowcount != 1:
        raise RuntimeError("fan-out checkpoint moved under us; rolling back")
    session.flush()
    return len(events)


def release_fan_out(*, session: Session, worker_id: str) -> None:
    """Give the fan-out lease back (on a clean stop)."""
    table = _checkpoint_table()
    session.connection().execute(
        update(table)
        .where(table.c.name == FANOUT_CONSUMER, table.c.lease_owner == worker_id)
        .values(lease_owner=None, lease_until=None)
    )


def fan_out_position(*, session: Session) -> int:
    """How far the fan-out consumer has read."""
    table = _checkpoint_table()
    value = (
        session.connection().execute(select(table.c.position).where(table.c.name == FANOUT_CONSUMER)).scalar()
    )
    return int(value or 0)


def fan_out_lag(*, session: Session) -> int:
    """How many log positions the fan-out is behind the log's head."""
    return max(last_position(session) - fan_out_position(session=session), 0)


# --- sending: leases and outcomes ------------------------------------------------------------------


def due_subscription_ids(*, session: Session, now: datetime, limit: int) -> list[uuid.UUID]:
    """Enabled, unleased subscriptions whose oldest pending delivery is due."""
    delivery = WebhookDelivery.__table__  # type: ignore[attr-defined]
    subscription = WebhookSubscription.__table__  # type: ignore[attr-defined]
    heads = (
        select(delivery.c.subscription_id, func.min(delivery.c.seq).label("seq"))
        .where(delivery.c.status == DeliveryStatus.PENDING.value)
        .group_by(delivery.c.subscription_id)
        .subquery()
    )
    statement = (
        select(delivery.c.subscription_id)
        .join(
            heads, and_(delivery.c.subscription_id == heads.c.subscription_id, delivery.c.seq == heads.c.seq)
        )
        .join(subscription, subscription.c.id == delivery.c.subscription_id)
        .where(
            delivery.c.next_attempt_at <= now,
            subscription.c.enabled.is_(True),
            or_(subscription.c.lease_until.is_(None), subscription.c.lease_until < now),
        )
        .order_by(delivery.c.next_attempt_at)
        .limit(limit)
    )
    return [row[0] for row in session.connection().execute(statement)]


@cache
def _lease_statement(clear_failing: bool) -> Update:
    """Take or renew a subscription's lease (built once: the dispatcher runs it for every delivery).

    Matches only while the subscription is enabled and unleased, expired, or already ours, so its rowcount
    proves the lease is held. ``clear_failing`` also ends a failing streak (after a success).
    """
    table = WebhookSubscription.__table__  # type: ignore[attr-defined]
    values: dict[str, Any] = {"lease_owner": bindparam("worker"), "lease_until": bindparam("until")}
    if clear_failing:
        values["failing_since"] = None
    return (
        update(table)
        .where(
            table.c.id == bindparam("subscription"),
            table.c.enabled.is_(True),
            or_(
                table.c.lease_until.is_(None),
                table.c.lease_until < bindparam("now"),
                table.c.lease_owner == bindparam("worker"),
            ),
        )
        .values(**values)
    )


def _renew_lease(
    session: Session,
    *,
    subscription_id: uuid.UUID,
    worker_id: str,
    lease_seconds: float,
    now: datetime,
    clear_failing: bool = False,
) -> bool:
    params = {
        "subscription": subscription_id,
        "worker": worker_id,
        "now": now,
        "until": now + timedelta(seconds=lease_seconds),
    }
    return session.connection().execute(_lease_statement(clear_failing), params).rowcount == 1


def claim_subscription(
    *, session: Session, subscription_id: uuid.UUID, worker_id: str, lease_seconds: float
) -> bool:
    """Take (or renew) the lease on a subscription; False when another worker holds it or it is disabled."""
    return _renew_lease(
        session,
        subscription_id=subscription_id,
        worker_id=worker_id,
        lease_seconds=lease_seconds,
        now=utcnow(),
    )


def release_subscription(*, session: Session, subscription_id: uuid.UUID, worker_id: str) -> None:
    """Give a subscription's lease back."""
    table = WebhookSubscription.__table__  # type: ignore[attr-defined]
    session.connection().execute(
        update(table)
        .where(table.c.id == subscription_id, table.c.lease_owner == worker_id)
        .values(lease_owner=None, lease_until=None)
    )


@dataclass(frozen=True)
class SendTarget:
    """Where and how a leased subscription's deliveries are sent, read once per batch."""

    url: str
    secrets_in_use: list[str]


@dataclass(frozen=True)
class DueDelivery:
    """What sending one delivery needs, read with its batch (no ORM object)."""

    id: uuid.UUID
    message_id: str
    attempts: int
    next_attempt_at: datetime
    body: dict[str, Any]
    # The request that caused the event; None for pings and events written outside a request.
    correlation_id: str | None


@cache
def _batch_statements() -> tuple[Select[Any], Select[Any]]:
    """A subscription's URL and secrets, and its oldest pending deliveries in ``seq`` order (built once)."""
    subscription = WebhookSubscription.__table__  # type: ignore[attr-defined]
    delivery = WebhookDelivery.__table__  # type: ignore[attr-defined]
    target = select(
        subscription.c.url,
        subscription.c.secret,
        subscription.c.previous_secret,
        subscription.c.previous_secret_expires_at,
    ).where(subscription.c.id == bindparam("subscription"))
    due = (
        select(
            delivery.c.id,
            delivery.c.message_id,
            delivery.c.attempts,
            delivery.c.next_attempt_at,
            delivery.c.body,
            events_table.c.correlation_id,
        )
        .select_from(delivery.outerjoin(events_table, events_table.c.event_id == delivery.c.event_id))
        .where(
            delivery.c.subscription_id == bindparam("subscription"),
            delivery.c.status == DeliveryStatus.PENDING.value,
        )
        .order_by(delivery.c.seq)
        .limit(bindparam("limit"))
    )
    return target, due


def lease_batch(
    *, session: Session, subscription_id: uuid.UUID, worker_id: str, lease_seconds: float, limit: int
) -> tuple[SendTarget, list[DueDelivery]] | None:
    """Renew the lease and read the subscription's oldest ``limit`` pending deliveries, in ``seq`` order.

    None when the lease is lost or the subscription disabled. Only the first may be sent at once; each next
    one only after the previous one succeeded or was given up (the dispatcher stops the batch otherwise).
    """
    if not claim_subscription(
        session=session, subscription_id=subscription_id, worker_id=worker_id, lease_seconds=lease_seconds
    ):
        return None
    conn = session.connection()
    target_statement, due_statement = _batch_statements()
    row = conn.execute(target_statement, {"subscription": subscription_id}).one()
    due = [
        DueDelivery(
            id=r.id,
            message_id=r.message_id,
            attempts=r.attempts,
            next_attempt_at=r.next_attempt_at,
            body=r.body,
            correlation_id=str(r.correlation_id) if r.correlation_id else None,
        )
        for r in conn.execute(due_statement, {"subscription": subscription_id, "limit": limit})
    ]
    return SendTarget(url=row.url, secrets_in_use=signing_secrets(row, utcnow())), due


@dataclass(frozen=True)
class AttemptOutcome:
    """What happened when one attempt was sent."""

    started_at: datetime
    latency_ms: int
    status_code: int | None
    response_excerpt: str | None
    error: str | None
    retry_after_seconds: float | None = None

    @property
    def succeeded(self) -> bool:
        """A 2xx answer."""
        return self.status_code is not None and 200 <= self.status_code < 300

    @property
    def retryable(self) -> bool:
        """Network errors, timeouts, 5xx and 429 are retried; any other answer is final."""
        if self.status_code is None:
            return True
        return self.status_code == 429 or self.status_code >= 500


@dataclass(frozen=True)
class Recorded:
    """An attempt as recorded: the delivery's new status, and whether this worker still holds the lease."""

    status: DeliveryStatus
    leased: bool


@cache
def _record_statement(columns: tuple[str, ...]) -> Update:
    """Move a delivery on after attempt N, only if it is still pending at N - 1 attempts (built once per shape)."""
    table = WebhookDelivery.__table__  # type: ignore[attr-defined]
    return (
        update(table)
        .where(
            table.c.id == bindparam("delivery"),
            table.c.status == DeliveryStatus.PENDING.value,
            table.c.attempts == bindparam("previous"),
        )
        # Bound names differ from the columns': SQLAlchemy reserves a column's own name in a SET clause.
        .values({name: bindparam(f"set_{name}") for name in columns})
    )


@cache
def _attempt_statement() -> Insert:
    return insert(WebhookAttempt.__table__)  # type: ignore[attr-defined]


def record_attempt(
    *,
    session: Session,
    subscription_id: uuid.UUID,
    delivery_id: uuid.UUID,
    attempt_no: int,
    outcome: AttemptOutcome,
    worker_id: str,
    next_delay_seconds: float,
    max_attempts: int,
    disable_after: timedelta,
    lease_seconds: float,
) -> Recorded | None:
    """Log an attempt, move the delivery on and renew the lease; disable the subscription after failing too long.

    Returns None when the delivery was no longer at ``attempt_no - 1`` attempts (someone else recorded it).
    Core statements only: a success costs three (delivery, attempt, subscription) in one transaction.
    """
    now = utcnow()
    error = outcome.error[:1000] if outcome.error else None
    values: dict[str, Any] = {
        "attempts": attempt_no,
        "last_attempt_at": outcome.started_at,
        "last_status_code": outcome.status_code,
        "last_error": error,
    }
    if outcome.succeeded:
        status = DeliveryStatus.SUCCEEDED
        values.update(status=status.value, completed_at=now)
    elif outcome.retryable and attempt_no < max_attempts:
        status = DeliveryStatus.PENDING
        values.update(next_attempt_at=now + timedelta(seconds=next_delay_seconds))
    else:
        status = DeliveryStatus.FAILED
        values.update(status=status.value, completed_at=now)
    conn = session.connection()
    # Optimistic check: only the worker that sent attempt N may record it.
    updated = conn.execute(
        _record_statement(tuple(values)),
        {
            **{f"set_{name}": value for name, value in values.items()},
            "delivery": delivery_id,
            "previous": attempt_no - 1,
        },
    )
    if updated.rowcount != 1:
        return None
    conn.execute(
        _attempt_statement(),
        {
            "id": uuid.uuid4(),
            "delivery_id": delivery_id,
            "subscription_id": subscription_id,
            "attempt_no": attempt_no,
            "started_at": outcome.started_at,
            "latency_ms": outcome.latency_ms,
            "status_code": outcome.status_code,
            "response_excerpt": outcome.response_excerpt,
            "error": error,
            "worker_id": worker_id,
        },
    )
    # Renewing proves we still hold the lease (and that the subscription is still enabled) for the next send.
    leased = _renew_lease(
        session,
        subscription_id=subscription_id,
        worker_id=worker_id,
        lease_seconds=lease_seconds,
        now=now,
        clear_failing=outcome.succeeded,
    )
    if not outcome.succeeded:
        subscription = session.get(WebhookSubscription, subscription_id)
        assert subscription is not None
        session.refresh(subscription)
        if subscription.failing_since is None:
            subscription.failing_since = outcome.started_at
        elif now - subscription.failing_since >= disable_after and subscription.enabled:
            _disable(session, subscription, outcome, now)
            leased = False
        session.add(subscription)
        session.flush()
    return Recorded(status=status, leased=leased)


def _disable(
    session: Session, subscription: WebhookSubscription, outcome: AttemptOutcome, now: datetime
) -> None:
    last = f"HTTP {outcome.status_code}" if outcome.status_code is not None else (outcome.error or "error")
    since = subscription.failing_since
    reason = f"deliveries failing since {_timestamp(since) if since else '?'}; last attempt: {last}"[:1000]
    subscription.enabled = False
    subscription.disabled_reason = reason
    subscription.disabled_at = now
    subscription.updated_at = now
    append_event(
        session,
        subscription,
        NewEvent(
            ev.SUBSCRIPTION_DISABLED,
            ev.SubscriptionDisabledPayload(
                subscription_id=str(subscription.id),
                reason=reason,
                failing_since=_timestamp(since) if since else None,
            ).model_dump(mode="json"),
        ),
    )
