"""Tables of comments on proposals and of participants' flags on them."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from shared.db import UTCDateTime, utcnow

SCHEMA = "workshops"


class CommentState(StrEnum):
    """A comment is shown, or hidden by a moderator (kept for the record, shown to nobody but moderators)."""

    VISIBLE = "visible"
    HIDDEN = "hidden"


class CommentReason(StrEnum):
    """Why a participant flags a comment, or why a moderator hides it."""

    SPAM = "spam"
    OFFENSIVE = "offensive"
    OFF_TOPIC = "off_topic"
    PERSONAL_DATA = "personal_data"
    OTHER = "other"


def _enum(enum: type[StrEnum], name: str) -> sa.Enum:
    # Plain strings (no native PG enum) so adding a value needs no type migration.
    return sa.Enum(
        enum, name=name, native_enum=False, length=40, values_callable=lambda e: [m.value for m in e]
    )


class Comment(SQLModel, table=True):
    """A participant's comment on a proposal, or a reply to one (``parent_id``; replies go one level deep)."""

    __tablename__ = "proposal_comments"
    __table_args__ = (
        sa.Index("ix_workshops_proposal_comments_proposal_created", "proposal_id", "created_at"),
        sa.Index("ix_workshops_proposal_comments_process_created", "process_id", "created_at"),
        {"schema": SCHEMA},
    )

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    proposal_id: uuid.UUID = Field(foreign_key="workshops.proposals.id")
    process_id: uuid.UUID
    district_id: uuid.UUID
    parent_id: uuid.UUID | None = Field(
        default=None, foreign_key="workshops.proposal_comments.id", index=True
    )
    # The registry person who wrote it (views blank it once the registry erased them; the text stays).
    author_id: str | None = Field(default=None, max_length=64, index=True)
    body: str = Field(default="", sa_type=sa.Text)
    body_html: str = Field(default="", sa_type=sa.Text)
    state: CommentState = Field(default=CommentState.VISIBLE, sa_type=_enum(CommentState, "comment_state"))
    # Flags not yet looked at by a moderator (a restore clears them; the flag rows stay).
    flag_count: int = Field(default=0)
    hidden_reason: CommentReason | None = Field(default=None, sa_type=_enum(CommentReason, "comment_reason"))
    moderation_note: str | None = Field(default=None, sa_type=sa.Text)
    moderated_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    edited_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    version: int = Field(default=0)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class CommentFlag(SQLModel, table=True):
    """One participant's flag on a comment (the primary key makes it one per person)."""

    __tablename__ = "proposal_comment_flags"
    __table_args__ = {"schema": SCHEMA}

    comment_id: uuid.UUID = Field(foreign_key="workshops.proposal_comments.id", primary_key=True)
    person_id: str = Field(max_length=64, primary_key=True)
    reason: CommentReason = Field(sa_type=_enum(CommentReason, "comment_reason"))
    note: str = Field(default="", sa_type=sa.Text)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
