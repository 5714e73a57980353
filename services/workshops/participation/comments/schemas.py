"""Request and response bodies of comments on proposals and their moderation."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from pydantic import AfterValidator, ConfigDict, Field, StringConstraints

from services.workshops.participation.comments.models import CommentReason, CommentState
from shared.api.schemas import ApiModel, PatchModel, PublicModel
from shared.privacy import Personal


def _not_blank(value: str) -> str:
    if not value.strip():
        raise ValueError("a comment needs some text")
    if "\x00" in value:
        raise ValueError("text must not contain NUL characters")
    return value


CommentText = Annotated[str, StringConstraints(min_length=1, max_length=5_000), AfterValidator(_not_blank)]
Note = Annotated[str, StringConstraints(max_length=1_000)]


class CommentCreate(ApiModel):
    """A comment on a proposal (Markdown, the same safe subset as proposals), or a reply to a comment."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"body": "Ottima idea: nella mia frazione **manca** un servizio così."},
                {
                    "body": "Potremmo chiedere alla Pro Loco di aiutare con i volontari.",
                    "parent_id": "3f2b1c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d",
                },
            ]
        },
    )

    body: CommentText
    parent_id: uuid.UUID | None = Field(
        default=None,
        description="The comment this replies to; replies go one level deep (a reply takes no replies).",
    )


class CommentUpdate(PatchModel):
    """A new text for one's comment, within the process's edit window."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"body": "Ottima idea, e anche per le visite."}]}
    )

    body: CommentText | None = None


class CommentPublic(PublicModel):
    """A comment. A hidden one is a placeholder for everybody (no text, no author); its author's id is shown to
    the author, the district's editors and administrators only, and to nobody once the registry erased them.
    """

    id: uuid.UUID
    proposal_id: uuid.UUID
    process_id: uuid.UUID
    district_id: uuid.UUID
    parent_id: uuid.UUID | None = None
    state: CommentState
    author_id: Annotated[str | None, Personal] = None
    mine: bool = Field(default=False, description="True when the caller wrote it.")
    body: str | None = Field(default=None, description="The Markdown text; null when hidden.")
    body_html: str | None = Field(
        default=None, description="The text rendered and sanitised; null when hidden."
    )
    editable: bool = Field(
        default=False, description="The caller may still edit it (author, edit window open)."
    )
    editable_until: datetime | None = Field(default=None, description="When the edit window closes.")
    flagged: bool = Field(default=False, description="True when the caller flagged it.")
    edited_at: datetime | None = None
    version: int
    created_at: datetime


class FlagCreate(ApiModel):
    """A participant's flag on a comment: why it should be looked at."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"reason": "offensive", "note": "Insulta un altro partecipante."}]},
    )

    reason: CommentReason
    note: Note = ""


class FlagPublic(PublicModel):
    """The caller's flag on a comment."""

    comment_id: uuid.UUID
    flagged: bool
    reason: CommentReason


class HideRequest(ApiModel):
    """Hide a comment: the reason (a code) and a note for the record."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"reason": "offensive", "note": "Linguaggio offensivo (regola 3)."}]},
    )

    reason: CommentReason
    note: Note = ""


class RestoreRequest(ApiModel):
    """Restore a hidden comment, or keep a flagged one: a note for the record."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"note": "Critica legittima, non offensiva."}]}
    )

    note: Note = ""


class FlagView(PublicModel):
    """A flag as moderators see it (without who flagged)."""

    reason: CommentReason
    note: str
    created_at: datetime


class CommentModerationPublic(PublicModel):
    """A comment as its moderators see it in the queue: the text even when hidden, flags, the decision."""

    id: uuid.UUID
    proposal_id: uuid.UUID
    process_id: uuid.UUID
    district_id: uuid.UUID
    parent_id: uuid.UUID | None = None
    state: CommentState
    author_id: Annotated[str | None, Personal] = None
    body: str
    body_html: str
    flag_count: int = Field(description="Flags not yet looked at (a restore clears them).")
    flags: list[FlagView] = Field(default_factory=list, description="Every flag, oldest first.")
    hidden_reason: CommentReason | None = None
    moderation_note: str | None = None
    moderated_at: datetime | None = None
    version: int
    created_at: datetime
