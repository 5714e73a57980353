"""The table of the attachments domain: one row per file attached to a workshop, minutes or invention.

The file itself is in the configured storage (``storage.py``) under ``storage_key``; the row keeps what is
needed to list, check and serve it. A removed attachment keeps its row (``removed_at``) so its stream and
the reports built from it stay consistent; its file is deleted.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from shared.db import UTCDateTime, utcnow

SCHEMA = "workshops"


class ParentKind(StrEnum):
    """What an attachment hangs on."""

    WORKSHOP = "workshop"
    RESTITUTION_EVENT = "restitution_event"
    MINUTES = "minutes"
    INVENTION = "invention"


class Attachment(SQLModel, table=True):
    """A file attached to a workshop, a restitution event, a workshop's minutes or an invention."""

    __tablename__ = "attachments"
    __table_args__ = (
        sa.Index("ix_workshops_attachments_parent", "parent_kind", "parent_id", "created_at"),
        {"schema": SCHEMA},
    )

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    district_id: uuid.UUID = Field(index=True)
    process_id: uuid.UUID | None = None
    parent_kind: str = Field(max_length=40)
    # The workshop (for workshops, restitution events and minutes) or the invention.
    parent_id: uuid.UUID
    workshop_id: uuid.UUID | None = Field(default=None, index=True)
    invention_id: uuid.UUID | None = Field(default=None, index=True)
    title: str = Field(max_length=200)
    filename: str | None = Field(default=None, max_length=255)
    media_type: str = Field(max_length=100)
    size_bytes: int = Field(sa_type=sa.BigInteger)
    sha256: str = Field(max_length=64)
    licence: str | None = Field(default=None, max_length=64)
    personal: bool = Field(default=False)
    storage: str = Field(max_length=16)
    storage_key: str = Field(max_length=300)
    version: int = Field(default=0)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    removed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
