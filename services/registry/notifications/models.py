"""Tables of follows, notifications, their e-mails, people's e-mail preferences and what the worker knows.

The worker's own view of proposals, processes and phases (``notification_*_facts``) is built from the event
log, so the registry never reads another service's tables.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from services.registry.common.models import SCHEMA
from shared.db import JSONType, UTCDateTime, utcnow

CONSUMER = "notifications"


class TargetType(StrEnum):
    """What a person can follow."""

    PROCESS = "process"
    PROPOSAL = "proposal"


class NotificationKind(StrEnum):
    """Why a notification was created."""

    PROPOSAL_ANSWERED = "proposal_answered"
    PROPOSAL_PROMOTED = "proposal_promoted"
    PROPOSAL_COMMENTED = "proposal_commented"
    PHASE_OPENED = "phase_opened"


class EmailFrequency(StrEnum):
    """How a person wants their notifications by e-mail."""

    IMMEDIATE = "immediate"
    DAILY = "daily"
    OFF = "off"


class EmailState(StrEnum):
    """Where a notification's e-mail stands."""

    PENDING = "pending"  # not yet looked at by the mail planner
    DIGEST = "digest"  # waits for the person's daily digest
    QUEUED = "queued"  # in a mail that is being sent
    SENT = "sent"
    SKIPPED = "skipped"  # no consent, no address, erased, unsubscribed or off
    FAILED = "failed"


class MailStatus(StrEnum):
    """Where one outgoing e-mail stands."""

    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"
    CANCELLED = "cancelled"


class Follow(SQLModel, table=True):
    """A person follows a process or a proposal."""

    __tablename__ = "follows"
    __table_args__ = (
        sa.UniqueConstraint("person_id", "target_type", "target_id", name="uq_follows_person_target"),
        sa.Index("ix_follows_target", "target_type", "target_id"),
        {"schema": SCHEMA},
    )

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    person_id: uuid.UUID = Field(foreign_key="registry.people.id")
    target_type: str = Field(max_length=16)
    target_id: uuid.UUID
    # "author" when the worker made an author follow their own proposal, "person" when they chose to.
    source: str = Field(default="person", max_length=16)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Notification(SQLModel, table=True):
    """Something that happened, for one person; read in the app, and e-mailed if they want and consented."""

    __tablename__ = "notifications"
    __table_args__ = (
        sa.UniqueConstraint("person_id", "event_id", "kind", name="uq_notifications_person_event"),
        sa.Index("ix_notifications_person_created", "person_id", "created_at", "id"),
        sa.Index("ix_notifications_email_state", "email_state", "created_at"),
        sa.Index("ix_notifications_mail", "mail_id"),
        {"schema": SCHEMA},
    )

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    person_id: uuid.UUID = Field(foreign_key="registry.people.id")
    kind: str = Field(max_length=32)
    event_id: uuid.UUID
    position: int = Field(sa_type=sa.BigInteger)
    process_id: uuid.UUID | None = Field(default=None)
    proposal_id: uuid.UUID | None = Field(default=None)
    phase_id: uuid.UUID | None = Field(default=None)
    data: dict[str, Any] = Field(default_factory=dict, sa_type=JSONType)
    read_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    email_state: str = Field(default=EmailState.PENDING, max_length=16)
    email_skip_reason: str | None = Field(default=None, max_length=64)
    mail_id: uuid.UUID | None = Field(default=None)
    emailed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class NotificationMail(SQLModel, table=True):
    """One e-mail to one person (one notification, or a daily digest of several); sent at most once."""

    __tablename__ = "notification_mails"
    __table_args__ = (
        sa.Index("ix_notification_mails_status_next", "status", "next_attempt_at"),
        {"schema": SCHEMA},
    )

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    person_id: uuid.UUID = Field(foreign_key="registry.people.id")
    digest: bool = Field(default=False)
    status: str = Field(default=MailStatus.PENDING, max_length=16)
    attempts: int = Field(default=0)
    next_attempt_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    lease_owner: str | None = Field(default=None, max_length=100)
    lease_until: datetime | None = Field(default=None, sa_type=UTCDateTime)
    last_error: str | None = Field(default=None, max_length=1000)
    sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    sent_by: str | None = Field(default=None, max_length=100)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class NotificationPreference(SQLModel, table=True):
    """A person's e-mail choice; no row means the default (immediate, if they consented)."""

    __tablename__ = "notification_preferences"
    __table_args__ = {"schema": SCHEMA}

    person_id: uuid.UUID = Field(foreign_key="registry.people.id", primary_key=True)
    email_frequency: str = Field(default=EmailFrequency.IMMEDIATE, max_length=16)
    unsubscribed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    last_digest_on: date | None = Field(default=None)
    version: int = Field(default=1)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class NotificationCheckpoint(SQLModel, table=True):
    """How far the notifications worker has read the event log, and which worker holds it."""

    __tablename__ = "notification_checkpoints"
    __table_args__ = {"schema": SCHEMA}

    name: str = Field(primary_key=True, max_length=64)
    position: int = Field(default=0, sa_type=sa.BigInteger)
    lease_owner: str | None = Field(default=None, max_length=100)
    lease_until: datetime | None = Field(default=None, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class ProposalFact(SQLModel, table=True):
    """What the worker learnt of a proposal from the log: its process, author and title."""

    __tablename__ = "notification_proposal_facts"
    __table_args__ = {"schema": SCHEMA}

    proposal_id: uuid.UUID = Field(primary_key=True)
    process_id: uuid.UUID | None = Field(default=None)
    district_id: str | None = Field(default=None, max_length=64)
    author_id: uuid.UUID | None = Field(default=None)
    title: str = Field(default="", max_length=500)


class ProcessFact(SQLModel, table=True):
    """What the worker learnt of a process: its title."""

    __tablename__ = "notification_process_facts"
    __table_args__ = {"schema": SCHEMA}

    process_id: uuid.UUID = Field(primary_key=True)
    title: str = Field(default="", max_length=500)


class PhaseFact(SQLModel, table=True):
    """What the worker learnt of a phase, and whether its opening was announced already."""

    __tablename__ = "notification_phase_facts"
    __table_args__ = {"schema": SCHEMA}

    phase_id: uuid.UUID = Field(primary_key=True)
    process_id: uuid.UUID
    name: str = Field(default="", max_length=500)
    starts_on: str | None = Field(default=None, max_length=32)
    ends_on: str | None = Field(default=None, max_length=32)
    is_current: bool = Field(default=False)
    open_to_proposals: bool = Field(default=False)
    announced: bool = Field(default=False)
