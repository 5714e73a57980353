"""The webhook dispatcher: fans events out of the log into deliveries and sends them, at least once.

Two jobs, each safe to run in several processes at once:

* fan-out: one worker at a time (a lease on the checkpoint row) reads ``read_all(after=checkpoint)`` and
  queues a delivery per matching subscription, moving the checkpoint in the same transaction;
* sending: a worker leases a subscription (``UPDATE ... WHERE lease_until < now``, checked by rowcount, so
  it works the same on SQLite and PostgreSQL) and sends its deliveries strictly in order: the next one
  waits until the previous one succeeded or was given up. HTTP calls happen outside any transaction.

A crash after sending but before recording means the message is sent again once the lease expires (same
``webhook-id``): deliveries are at-least-once, never lost.
"""

from __future__ import annotations

import json
import logging
import os
import random
import socket
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urlsplit

import httpx
from sqlmodel import Session

from services.reporting.webhooks import deliveries
from services.reporting.webhooks.models import DeliveryStatus
from services.reporting.webhooks.signing import delivery_headers
from shared.config import Settings
from shared.db import Database, utcnow
from shared.metrics import CONSUMER_LAG, WEBHOOK_DELIVERIES, WEBHOOK_LATENCY
from shared.net import Resolver, TargetRefused, pin_target, system_resolver

logger = logging.getLogger("communitylab.webhooks")

RESPONSE_EXCERPT_BYTES = 500
LAG_CONSUMER = "webhooks.fanout"
# Not signed (Standard Webhooks signs id, timestamp and body): a tracing aid, never a reason to trust a message.
CORRELATION_HEADER = "x-correlation-id"


def default_worker_id() -> str:
    """host:pid:random, unique enough to tell workers apart in leases and the attempt log."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


@dataclass
class DispatcherConfig:
    """Tuning of one dispatcher process."""

    worker_id: str = field(default_factory=default_worker_id)
    timeout_seconds: float = 10.0
    max_attempts: int = 8
    disable_after: timedelta = timedelta(hours=72)
    poll_seconds: float = 1.0
    lease_seconds: float = 60.0
    backoff_base_seconds: float = 5.0
    backoff_max_seconds: float = 3600.0
    max_retry_after_seconds: float = 86400.0
    batch_size: int = 500
    per_lease: int = 200
    # Pending deliveries of a subscription read per lease renewal (then sent one after another).
    send_batch: int = 100
    concurrency: int = 4
    allow_http_loopback: bool = False
    # Looked up at every attempt, so a name that now points inside the network is refused (DNS rebinding).
    resolver: Resolver = system_resolver

    @classmethod
    def from_settings(cls, settings: Settings, **overrides: Any) -> DispatcherConfig:
        """The configuration from the settings, with explicit overrides (None means keep)."""
        config = cls(
            timeout_seconds=settings.webhook_timeout_seconds,
            max_attempts=settings.webhook_max_attempts,
            disable_after=timedelta(hours=settings.webhook_disable_after_hours),
            poll_seconds=settings.webhook_poll_seconds,
            # A lease outlives the slowest attempt by a wide margin, so it never expires mid-send.
            lease_seconds=max(30.0, settings.webhook_timeout_seconds * 3),
            allow_http_loopback=settings.webhook_allow_http_loopback,
        )
        for name, value in overrides.items():
            if value is not None:
                setattr(config, name, value)
        return config


def backoff_delay(
    attempt_no: int, *, base: float, cap: float, rng: Callable[[], float] = random.random
) -> float:
    """Exponential backoff with jitter: between half and all of ``base * 2**(attempt_no-1)``, capped."""
    ceiling = min(cap, base * (2 ** max(0, attempt_no - 1)))
    return ceiling / 2 + rng() * ceiling / 2


def parse_retry_after(value: str | None, now: datetime) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (delta-seconds or an HTTP date); None if absent or bad."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        return None
    return max(0.0, (when - now).total_seconds())


@contextmanager
def _committing(session: Session, write_lock: threading.Lock | None = None) -> Iterator[None]:
    """One transaction on a held session: commit on success, roll back on error.

    ``write_lock`` (SQLite only) is held for the whole transaction: SQLite has one writer, and threads of
    this process waiting on it in SQLite's busy handler sleep in growing steps (1, 2, 5, 10 ms ...) after
    the lock is free, while a Python lock hands it over at once.
    """
    if write_lock is not None:
        write_lock.acquire()
    try:
        yield
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        if write_lock is not None:
            write_lock.release()


@dataclass
class _PendingRecord:
    work: Callable[[Session], Any]
    finished: bool = False
    result: Any = None
    error: BaseException | None = None


class GroupRecorder:
    """Records the sending threads' attempts together: one transaction for all that are waiting (group commit).

    A thread hands in its record and waits until it is committed, so each subscription still has at most one
    acknowledged but unrecorded delivery; whichever waiting thread finds no transaction running commits every
    record queued so far. If the group's transaction fails, each record is retried in a transaction of its
    own, so one bad record never takes the others with it.
    """

    def __init__(self, session: Session, write_lock: threading.Lock | None) -> None:
        self._session = session
        self._write_lock = write_lock
        self._condition = threading.Condition()
        self._queue: list[_PendingRecord] = []
        self._running = False

    @property
    def waiting(self) -> int:
        """Records queued for the next transaction (not counting the one being committed)."""
        with self._condition:
            return len(self._queue)

    def record(self, work: Callable[[Session], Any]) -> Any:
        """Run ``work(session)`` in a committed transaction shared with other threads' records; its result."""
        item = _PendingRecord(work)
        with self._condition:
            self._queue.append(item)
            while not item.finished:
                if self._running:
                    self._condition.wait()
                    continue
                self._running = True
                batch, self._queue = self._queue, []
                self._condition.release()
                try:
                    self._commit(batch)
                except BaseException as exc:
                    # Never leave a waiting thread without an answer (its record left the queue with this batch).
                    for pending in batch:
                        if not pending.finished:
                            pending.error, pending.finished = exc, True
                    raise
                finally:
                    self._condition.acquire()
                    self._running = False
                    self._condition.notify_all()
        if item.error is not None:
            raise item.error
        return item.result

    def _commit(self, batch: list[_PendingRecord]) -> None:
        try:
            with _committing(self._session, self._write_lock):
                results = [item.work(self._session) for item in batch]
        except Exception as exc:
            if len(batch) == 1:
                batch[0].error, batch[0].finished = exc, True
                return
            for item in batch:
                try:
                    with _committing(self._session, self._write_lock):
                        item.result = item.work(self._session)
                except Exception as exc:
                    item.error = exc
                item.finished = True
            return
        for item, result in zip(batch, results, strict=True):
            item.result, item.finished = result, True


class Dispatcher:
    """Fan-out and sending loop of one worker process."""

    def __init__(self, database: Database, config: DispatcherConfig, client: httpx.Client | None = None):
        self.database = database
        self.config = config
        self.client = client or httpx.Client(
            timeout=httpx.Timeout(config.timeout_seconds), follow_redirects=False, trust_env=False
        )
        self._stopping = threading.Event()
        self._postgresql = database.dialect == "postgresql"
        # The sending threads' write transactions queue here on SQLite (see _committing); other processes
        # writing the same file still meet SQLite's busy timeout.
        self._write_lock = threading.Lock() if database.dialect == "sqlite" else None

    # -- control --------------------------------------------------------------------------------

    def stop(self) -> None:
        """Ask the loop to stop after the in-flight delivery (safe from a signal handler)."""
        self._stopping.set()

    @property
    def stopping(self) -> bool:
        """True once ``stop`` was called."""
        return self._stopping.is_set()

    # -- fan-out --------------------------------------------------------------------------------

    def fan_out_once(self) -> int:
        """Queue deliveries for one batch of new events; 0 when caught up or another worker fans out."""
        with self.database.transaction() as session:
            read = deliveries.fan_out(
                session=session,
                worker_id=self.config.worker_id,
                lease_seconds=self.config.lease_seconds,
                batch_size=self.config.batch_size,
            )
            # Every worker reports the lag, the one holding the lease or not (the gauge keeps the largest).
            behind = deliveries.fan_out_lag(session=session)
        CONSUMER_LAG.labels(LAG_CONSUMER).set(behind)
        return read or 0

    # -- sending --------------------------------------------------------------------------------

    def send_ready(self) -> int:
        """Send what is due on every subscription this worker can lease; return the attempts made."""
        with self.database.session(write=False) as session:
            ids = deliveries.due_subscription_ids(session=session, now=utcnow(), limit=100)
            session.rollback()
        if not ids:
            return 0
        with self._lease_session() as record_session:
            recorder = GroupRecorder(record_session, self._write_lock)
            if self.config.concurrency <= 1 or len(ids) == 1:
                return sum(self._process_subscription(sid, recorder) for sid in ids if not self.stopping)
            with ThreadPoolExecutor(max_workers=self.config.concurrency) as pool:
                return sum(pool.map(lambda sid: self._process_subscription(sid, recorder), ids))

    def _process_subscription(self, subscription_id: uuid.UUID, recorder: GroupRecorder) -> int:
        if self.stopping:
            return 0
        with self._lease_session() as session:
            return self._process_leased(session, subscription_id, recorder)

    @contextmanager
    def _lease_session(self) -> Iterator[Session]:
        """One connection for a lease's many short transactions.

        On PostgreSQL its commits do not wait for the WAL flush (``synchronous_commit = off``): they are
        visible and atomic at once, and only a crash of the database server within ~3 x wal_writer_delay
        can lose the last ones, always a suffix. A lost attempt record leaves its delivery pending, so it
        is sent again with the same webhook-id (at least once, in order); a lost lease renewal or release
        only lets the lease expire. Fan-out keeps synchronous commits (its deliveries must never be
        re-queued under new webhook-ids).
        """
        with self.database.pinned() as session:
            if self._postgresql:
                session.connection().exec_driver_sql("SET synchronous_commit = off")
                session.commit()
            try:
                yield session
            finally:
                if self._postgresql:
                    session.rollback()
                    session.connection().exec_driver_sql("RESET synchronous_commit")
                    session.commit()

    def _process_leased(self, session: Session, subscription_id: uuid.UUID, recorder: GroupRecorder) -> int:
        worker_id = self.config.worker_id
        with _committing(session, self._write_lock):
            if not deliveries.claim_subscription(
                session=session,
                subscription_id=subscription_id,
                worker_id=worker_id,
                lease_seconds=self.config.lease_seconds,
            ):
                return 0
        sent = 0
        try:
            while sent < self.config.per_lease and not self.stopping:
                made, more = self._send_batch(
                    session, subscription_id, self.config.per_lease - sent, recorder
                )
                sent += made
                if not more:
                    break
        finally:
            with _committing(session, self._write_lock):
                deliveries.release_subscription(
                    session=session, subscription_id=subscription_id, worker_id=worker_id
                )
        return sent

    def _send_batch(
        self, session: Session, subscription_id: uuid.UUID, budget: int, recorder: GroupRecorder
    ) -> tuple[int, bool]:
        """Send a batch of the subscription's pending deliveries in order: (attempts made, worth reading more).

        One transaction renews the lease and reads up to ``send_batch`` deliveries with the subscription's
        URL and secrets; then each delivery is posted and its record (which also renews the lease) committed
        before the next one goes out, in a transaction shared with the other subscriptions' records waiting at
        that moment (``GroupRecorder``), so a crash re-sends at most the one in flight per subscription. The
        batch stops at the first attempt that did not succeed: the next delivery waits until that one
        succeeded or was given up (the next batch reads it again and finds it not yet due, or done).
        """
        config = self.config
        with _committing(session, self._write_lock):
            leased = deliveries.lease_batch(
                session=session,
                subscription_id=subscription_id,
                worker_id=config.worker_id,
                lease_seconds=config.lease_seconds,
                limit=min(budget, config.send_batch),
            )
        if leased is None:
            return 0, False
        target, batch = leased
        made = 0
        for delivery in batch:
            if self.stopping or delivery.next_attempt_at > utcnow():
                return made, False
            recorded, succeeded = self._attempt(recorder, subscription_id, target, delivery)
            if recorded is None:
                return made, False  # someone else recorded this attempt: leave the subscription to them
            made += 1
            if not recorded.leased:
                return made, False
            if not succeeded:
                # Given up (the next one may go now) or waiting for a retry (the next batch sees it not due).
                return made, recorded.status == DeliveryStatus.FAILED
        return made, len(batch) == min(budget, config.send_batch)

    def _attempt(
        self,
        recorder: GroupRecorder,
        subscription_id: uuid.UUID,
        target: deliveries.SendTarget,
        delivery: deliveries.DueDelivery,
    ) -> tuple[deliveries.Recorded | None, bool]:
        """Post one delivery and record the attempt; (the record or None if someone else recorded, success)."""
        config = self.config
        attempt_no = delivery.attempts + 1
        body = json.dumps(delivery.body, separators=(",", ":"), ensure_ascii=False)
        outcome = self._post(
            target.url,
            message_id=delivery.message_id,
            body=body,
            secrets_in_use=target.secrets_in_use,
            correlation_id=delivery.correlation_id,
        )
        if outcome.retry_after_seconds is not None:
            delay = min(outcome.retry_after_seconds, config.max_retry_after_seconds)
        else:
            delay = backoff_delay(
                attempt_no, base=config.backoff_base_seconds, cap=config.backoff_max_seconds
            )
        recorded: deliveries.Recorded | None = recorder.record(
            lambda session: deliveries.record_attempt(
                session=session,
                subscription_id=subscription_id,
                delivery_id=delivery.id,
                attempt_no=attempt_no,
                outcome=outcome,
                worker_id=config.worker_id,
                next_delay_seconds=delay,
                max_attempts=config.max_attempts,
                disable_after=config.disable_after,
                lease_seconds=config.lease_seconds,
            )
        )
        if recorded is not None:
            # After the commit: the counters tell what the delivery log holds.
            label = (
                "succeeded"
                if outcome.succeeded
                else ("retrying" if recorded.status == DeliveryStatus.PENDING else "failed")
            )
            WEBHOOK_DELIVERIES.labels(outcome=label).inc()
            WEBHOOK_LATENCY.labels(outcome=label).observe(outcome.latency_ms / 1000)
        if logger.isEnabledFor(logging.INFO):
            logger.info(
                "webhook attempt",
                extra={
                    "subscription_id": str(subscription_id),
                    "delivery_id": str(delivery.id),
                    "attempt": attempt_no,
                    "status_code": outcome.status_code,
                    "latency_ms": outcome.latency_ms,
                    "error": outcome.error,
                    "recorded": recorded is not None,
                    "message_id": delivery.message_id,
                    # The request that caused the event (also sent as the X-Correlation-Id header).
                    "correlation_id": delivery.correlation_id,
                },
            )
        return recorded, outcome.succeeded

    def _post(
        self,
        url: str,
        *,
        message_id: str,
        body: str,
        secrets_in_use: list[str],
        correlation_id: str | None = None,
    ) -> deliveries.AttemptOutcome:
        started_at = utcnow()
        started = time.perf_counter()
        headers = delivery_headers(
            secrets_in_use, message_id=message_id, timestamp=int(time.time()), body=body
        )
        if correlation_id:
            headers[CORRELATION_HEADER] = correlation_id
        try:
            target = pin_target(
                url, resolver=self.config.resolver, allow_loopback=self.config.allow_http_loopback
            )
        except TargetRefused as exc:
            return deliveries.AttemptOutcome(
                started_at=started_at,
                latency_ms=0,
                status_code=None,
                response_excerpt=None,
                error=f"target refused: {exc}"[:1000],
            )
        headers["host"] = urlsplit(url).netloc
        # Connect to the address just checked; TLS still verifies the certificate for the name (SNI).
        extensions = {"sni_hostname": target.host}
        try:
            with self.client.stream(
                "POST", target.url, content=body.encode(), headers=headers, extensions=extensions
            ) as response:
                excerpt = b""
                for chunk in response.iter_bytes():
                    excerpt += chunk
                    if len(excerpt) >= RESPONSE_EXCERPT_BYTES:
                        break
                retry_after = None
                if response.status_code == 429 or response.status_code == 503:
                    retry_after = parse_retry_after(response.headers.get("retry-after"), utcnow())
                return deliveries.AttemptOutcome(
                    started_at=started_at,
                    latency_ms=int((time.perf_counter() - started) * 1000),
                    status_code=response.status_code,
                    response_excerpt=excerpt[:RESPONSE_EXCERPT_BYTES].decode("utf-8", "replace") or None,
                    error=None,
                    retry_after_seconds=retry_after,
                )
        except httpx.TimeoutException as exc:
            error = f"timeout: {type(exc).__name__}"
        except httpx.HTTPError as exc:
            error = f"{type(exc).__name__}: {exc}"[:1000]
        return deliveries.AttemptOutcome(
            started_at=started_at,
            latency_ms=int((time.perf_counter() - started) * 1000),
            status_code=None,
            response_excerpt=None,
            error=error,
        )

    # -- loop -----------------------------------------------------------------------------------

    def run_once(self) -> int:
        """Fan out everything new (bounded), then send what is due; return the work done."""
        work = 0
        for _ in range(20):
            read = self.fan_out_once()
            work += read
            if read < self.config.batch_size:
                break
        return work + self.send_ready()

    def run_forever(self) -> None:
        """Loop until ``stop``; sleep ``poll_seconds`` when idle; survive database hiccups."""
        logger.info("webhooks worker started", extra={"worker_id": self.config.worker_id})
        try:
            while not self.stopping:
                try:
                    work = self.run_once()
                except Exception:
                    logger.exception("webhooks worker iteration failed; retrying")
                    work = 0
                if work == 0:
                    self._stopping.wait(self.config.poll_seconds)
        finally:
            try:
                with self.database.transaction() as session:
                    deliveries.release_fan_out(session=session, worker_id=self.config.worker_id)
            except Exception:
                logger.exception("could not release the fan-out lease")
            logger.info("webhooks worker stopped", extra={"worker_id": self.config.worker_id})
