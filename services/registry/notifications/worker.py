"""The notifications worker: consumes the event log into notifications, plans their e-mails and sends them.

Safe to run in several processes at once: the consumer and the mail planner run under the checkpoint's lease
(one worker at a time), each mail is sent under its own lease (see ``mails``), and SMTP calls happen outside
any transaction. Failed sends are retried with exponential backoff and jitter.
"""

from __future__ import annotations

import logging
import os
import random
import socket
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from email.message import EmailMessage
from typing import Any

from services.registry.notifications import consumer, mails, service
from services.registry.notifications.mailer import SendFailed, SmtpConfig, send
from services.registry.notifications.models import NotificationMail
from shared.config import Settings
from shared.db import Database, utcnow
from shared.metrics import CONSUMER_LAG

logger = logging.getLogger("communitylab.notifications")
LAG_CONSUMER = "notifications"


def default_worker_id() -> str:
    """host:pid:random, unique enough to tell workers apart in leases."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


def backoff_delay(
    attempt_no: int, *, base: float, cap: float, rng: Callable[[], float] = random.random
) -> float:
    """Between half and all of ``base * 2**(attempt_no-1)``, capped."""
    ceiling = min(cap, base * (2 ** max(0, attempt_no - 1)))
    return ceiling / 2 + rng() * ceiling / 2


@dataclass
class WorkerConfig:
    """Tuning of one notifications worker."""

    secret_key: str
    registry_url: str
    base_url: str
    smtp: SmtpConfig | None
    consent_purpose: str = "email_notifications"
    digest_hour: int = 8
    worker_id: str = field(default_factory=default_worker_id)
    poll_seconds: float = 1.0
    lease_seconds: float = 60.0
    backoff_base_seconds: float = 30.0
    backoff_max_seconds: float = 3600.0
    max_attempts: int = 10
    batch_size: int = 500
    clock: Callable[[], datetime] = utcnow

    @classmethod
    def from_settings(cls, settings: Settings, **overrides: Any) -> WorkerConfig:
        """The configuration from the settings, with explicit overrides (None means keep)."""
        config = cls(
            secret_key=settings.secret_key,
            registry_url=settings.registry_url,
            base_url=settings.notification_base_url,
            smtp=SmtpConfig.from_settings(settings),
            consent_purpose=settings.notification_email_consent_purpose,
            digest_hour=settings.notification_digest_hour,
            poll_seconds=settings.notification_poll_seconds,
            max_attempts=settings.notification_max_attempts,
            # A lease outlives the slowest SMTP conversation by a wide margin, so it never expires mid-send.
            lease_seconds=max(60.0, settings.smtp_timeout_seconds * 4),
        )
        for name, value in overrides.items():
            if value is not None:
                setattr(config, name, value)
        return config

    @property
    def planning(self) -> mails.Planning:
        """What the mail planner needs."""
        return mails.Planning(consent_purpose=self.consent_purpose, digest_hour=self.digest_hour)

    def unsubscribe_url(self, person_id: uuid.UUID) -> str:
        """The one-click unsubscribe link of a person (served by the registry)."""
        token = service.unsubscribe_token(secret=self.secret_key, person_id=person_id)
        return f"{self.registry_url.rstrip('/')}/notifications/unsubscribe/{token}"


class NotificationsWorker:
    """Consume, plan and send, in a loop."""

    def __init__(
        self,
        database: Database,
        config: WorkerConfig,
        sender: Callable[[SmtpConfig, EmailMessage], None] = send,
    ):
        self.database = database
        self.config = config
        self.sender = sender
        self._stopping = threading.Event()

    def stop(self) -> None:
        """Ask the loop to stop after the mail in flight (safe from a signal handler)."""
        self._stopping.set()

    @property
    def stopping(self) -> bool:
        """True once ``stop`` was called."""
        return self._stopping.is_set()

    # -- consuming and planning (one worker at a time, under the checkpoint lease) ---------------------

    def consume_once(self) -> int:
        """Turn one batch of new events into notifications; 0 when caught up or another worker consumes."""
        with self.database.transaction() as session:
            read = consumer.consume(
                session=session,
                worker_id=self.config.worker_id,
                lease_seconds=self.config.lease_seconds,
                batch_size=self.config.batch_size,
            )
            # Every worker reports the lag, the one holding the lease or not (the gauge keeps the largest).
            behind = consumer.lag(session=session)
        CONSUMER_LAG.labels(LAG_CONSUMER).set(behind)
        return read or 0

    def plan_once(self) -> int:
        """Put new notifications into mails (or the digest); 0 without SMTP or without the lease."""
        if self.config.smtp is None:
            return 0
        with self.database.transaction() as session:
            if (
                consumer.claim(
                    session=session, worker_id=self.config.worker_id, lease_seconds=self.config.lease_seconds
                )
                is None
            ):
                return 0
            return mails.plan(session=session, planning=self.config.planning, now=self.config.clock())

    # -- sending (any worker, one mail lease at a time) ---------------------------------------------

    def send_due(self) -> int:
        """Send every due mail this worker can lease; return the attempts made."""
        if self.config.smtp is None:
            return 0
        with self.database.session(write=False) as session:
            ids = mails.due_mail_ids(session=session, now=self.config.clock())
            session.rollback()
        attempts = 0
        for mail_id in ids:
            if self.stopping:
                break
            attempts += self._send_one(mail_id)
        return attempts

    def _send_one(self, mail_id: uuid.UUID) -> int:
        config = self.config
        assert config.smtp is not None
        with self.database.transaction() as session:
            if not mails.claim(
                session=session,
                mail_id=mail_id,
                worker_id=config.worker_id,
                lease_seconds=config.lease_seconds,
                now=config.clock(),
            ):
                return 0
            mail = session.get(NotificationMail, mail_id)
            assert mail is not None
            outgoing = mails.prepare(
                session=session,
                mail_id=mail_id,
                planning=config.planning,
                sender=config.smtp.sender,
                base_url=config.base_url,
                unsubscribe_url=config.unsubscribe_url(mail.person_id),
            )
        if outgoing is None:
            return 0
        error: SendFailed | None = None
        try:
            message = outgoing.message
            assert isinstance(message, EmailMessage)
            self.sender(config.smtp, message)
        except SendFailed as exc:
            error = exc
        with self.database.transaction() as session:
            if error is None:
                recorded = mails.record_sent(
                    session=session, mail_id=mail_id, worker_id=config.worker_id, now=config.clock()
                )
            else:
                recorded = mails.record_failure(
                    session=session,
                    mail_id=mail_id,
                    worker_id=config.worker_id,
                    error=str(error),
                    permanent=error.permanent,
                    delay_seconds=backoff_delay(
                        outgoing.attempt_no, base=config.backoff_base_seconds, cap=config.backoff_max_seconds
                    ),
                    max_attempts=config.max_attempts,
                    now=config.clock(),
                )
        logger.info(
            "notification mail attempt",
            extra={
                "mail_id": str(mail_id),
                "attempt": outgoing.attempt_no,
                "error": str(error) if error else None,
                "recorded": recorded,
                # The request(s) that caused the mail: one for an immediate mail, several for a digest.
                "correlation_id": outgoing.correlation_ids[0] if outgoing.correlation_ids else None,
                "correlation_ids": list(outgoing.correlation_ids),
            },
        )
        return 1

    # -- loop -----------------------------------------------------------------------------------

    def run_once(self) -> int:
        """Consume everything new (bounded), plan, then send what is due; return the work done."""
        work = 0
        for _ in range(20):
            read = self.consume_once()
            work += read
            if read < self.config.batch_size:
                break
        work += self.plan_once()
        return work + self.send_due()

    def run_forever(self) -> None:
        """Loop until ``stop``; sleep ``poll_seconds`` when idle; survive database and SMTP hiccups."""
        logger.info(
            "notifications worker started",
            extra={"worker_id": self.config.worker_id, "email": self.config.smtp is not None},
        )
        try:
            while not self.stopping:
                try:
                    work = self.run_once()
                except Exception:
                    logger.exception("notifications worker iteration failed; retrying")
                    work = 0
                if work == 0:
                    self._stopping.wait(self.config.poll_seconds)
        finally:
            try:
                with self.database.transaction() as session:
                    consumer.release(session=session, worker_id=self.config.worker_id)
            except Exception:
                logger.exception("could not release the notifications lease")
            logger.info("notifications worker stopped", extra={"worker_id": self.config.worker_id})
