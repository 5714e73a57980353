"""Tables of the collective manual: chapters, method cards, every revision of a card, comments, publications.

A card's text lives in its revisions, which are never changed nor deleted; the card row keeps the number and a
copy of the current revision for reading. A publication (one per programme edition) pins one revision of each
card, so later revisions leave what was published as it was.
"""

from __future__ import annotations

import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from shared.db import UTCDateTime, utcnow

SCHEMA = "workshops"


class ManualChapter(SQLModel, table=True):
    """A chapter of the manual (e.g. "Metodi per lavorare insieme"), in reading order."""

    __tablename__ = "manual_chapters"
    __table_args__ = {"schema": SCHEMA}

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    code: str = Field(max_length=64, unique=True)
    title: str = Field(max_length=200)
    position: int = Field(default=0)
    version: int = Field(default=0)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class MethodCard(SQLModel, table=True):
    """A method card; ``method`` ties it to a workshop method (``/methods/{method}``), at most one card each."""

    __tablename__ = "method_cards"
    __table_args__ = {"schema": SCHEMA}

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    code: str = Field(max_length=64, unique=True)
    chapter_id: uuid.UUID = Field(foreign_key="workshops.manual_chapters.id", index=True)
    method: str | None = Field(default=None, max_length=40, unique=True)
    position: int = Field(default=0)
    revision: int = Field(default=1, description="The number of the current revision.")
    title: str = Field(max_length=200)
    summary: str = Field(default="", max_length=500)
    body: str = Field(default="", sa_type=sa.Text)
    version: int = Field(default=0)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class MethodCardRevision(SQLModel, table=True):
    """One revision of a card as written: kept for ever, numbered 1, 2, ... per card."""

    __tablename__ = "method_card_revisions"
    __table_args__ = (
        sa.UniqueConstraint("card_id", "number", name="uq_workshops_method_card_revisions_number"),
        {"schema": SCHEMA},
    )

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    card_id: uuid.UUID = Field(foreign_key="workshops.method_cards.id", index=True)
    number: int
    title: str = Field(max_length=200)
    summary: str = Field(default="", max_length=500)
    body: str = Field(default="", sa_type=sa.Text)
    note: str = Field(default="", max_length=500)
    # The registry person who wrote it (null for the seed cards and for admin keys without a person).
    author_id: str | None = Field(default=None, max_length=64, index=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class MethodCardComment(SQLModel, table=True):
    """A facilitator's comment on a card, on the revision they read."""

    __tablename__ = "method_card_comments"
    __table_args__ = (
        sa.Index("ix_workshops_method_card_comments_card_created", "card_id", "created_at"),
        {"schema": SCHEMA},
    )

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    card_id: uuid.UUID = Field(foreign_key="workshops.method_cards.id")
    revision: int
    author_id: str | None = Field(default=None, max_length=64)
    body: str = Field(default="", sa_type=sa.Text)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class ManualPublication(SQLModel, table=True):
    """The manual as published for one programme edition."""

    __tablename__ = "manual_publications"
    __table_args__ = {"schema": SCHEMA}

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    edition_id: uuid.UUID = Field(foreign_key="workshops.editions.id", unique=True)
    title: str = Field(max_length=200)
    published_by: str | None = Field(default=None, max_length=64)
    published_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    version: int = Field(default=0)


class ManualPublicationCard(SQLModel, table=True):
    """Which revision of a card a publication holds."""

    __tablename__ = "manual_publication_cards"
    __table_args__ = {"schema": SCHEMA}

    publication_id: uuid.UUID = Field(foreign_key="workshops.manual_publications.id", primary_key=True)
    card_id: uuid.UUID = Field(foreign_key="workshops.method_cards.id", primary_key=True)
    revision: int
