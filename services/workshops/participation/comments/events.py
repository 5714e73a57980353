"""Event types and payloads of comments on proposals (ids and codes only: never bodies nor personal data).

Each comment is a stream (``comment``, stream id = the comment id). Bodies stay out of the log: a hidden
comment must not live on in webhooks and the append-only log, and consumers need only that a comment exists.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict

COMMENT = "comment"

COMMENT_CREATED = "comment.created"
COMMENT_EDITED = "comment.edited"
COMMENT_FLAGGED = "comment.flagged"
COMMENT_HIDDEN = "comment.hidden"
COMMENT_RESTORED = "comment.restored"

EVENT_TYPES = (COMMENT_CREATED, COMMENT_EDITED, COMMENT_FLAGGED, COMMENT_HIDDEN, COMMENT_RESTORED)
"""Every event type of comments (webhooks and the catalogue list them)."""


class _Payload(BaseModel):
    model_config = ConfigDict(extra="forbid")

    def dump(self) -> dict[str, Any]:
        """JSON-native payload."""
        return self.model_dump(mode="json")


class _CommentBase(_Payload):
    comment_id: str
    proposal_id: str
    process_id: str
    district_id: str


class CommentCreated(_CommentBase):
    """A participant commented on a proposal (``parent_id``: the comment it replies to; ``author_id``: their
    registry id)."""

    parent_id: str | None
    author_id: str


class CommentEdited(_CommentBase):
    """The author changed the comment's text within the edit window (the text itself is not in the log)."""


class CommentFlagged(_CommentBase):
    """A participant flagged the comment (``flagger_id``: their registry id); ``flag_count``: open flags."""

    flagger_id: str
    reason: str
    flag_count: int


class CommentHidden(_CommentBase):
    """A moderator hid the comment for ``reason``; its text is kept for the record."""

    reason: str


class CommentRestored(_CommentBase):
    """A moderator restored the comment (or kept it despite its flags); open flags are cleared."""

    was_hidden: bool


# The payload model of every event type this domain writes (the webhooks' OpenAPI is generated from it).
PAYLOADS: dict[str, type[BaseModel]] = {
    COMMENT_CREATED: CommentCreated,
    COMMENT_EDITED: CommentEdited,
    COMMENT_FLAGGED: CommentFlagged,
    COMMENT_HIDDEN: CommentHidden,
    COMMENT_RESTORED: CommentRestored,
}
