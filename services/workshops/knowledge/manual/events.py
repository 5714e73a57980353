"""Event types and payloads of the collective manual (ids, codes and numbers only: never texts nor names).

Streams: ``manual_chapter`` and ``method_card`` (stream id = the row's id), ``manual_publication`` (one per
programme edition). The texts stay in the tables; consumers learn that a card changed and which revision is
current, and the manual's own routes serve the text.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict

CHAPTER_STREAM = "manual_chapter"
CARD_STREAM = "method_card"
PUBLICATION_STREAM = "manual_publication"

CHAPTER_CREATED = "manual_chapter.created"
CARD_CREATED = "method_card.created"
CARD_REVISED = "method_card.revised"
CARD_COMMENTED = "method_card.commented"
MANUAL_PUBLISHED = "manual_publication.published"

EVENT_TYPES = (CHAPTER_CREATED, CARD_CREATED, CARD_REVISED, CARD_COMMENTED, MANUAL_PUBLISHED)
"""Every event type of the manual (webhooks and the catalogue list them)."""


class _Payload(BaseModel):
    model_config = ConfigDict(extra="forbid")

    def dump(self) -> dict[str, Any]:
        """JSON-native payload."""
        return self.model_dump(mode="json")


class ChapterCreated(_Payload):
    """A chapter was added to the manual."""

    chapter_id: str
    code: str
    position: int


class _CardBase(_Payload):
    card_id: str
    code: str
    chapter_id: str
    method: str | None
    revision: int


class CardCreated(_CardBase):
    """A method card was written (``revision`` 1; ``author_id``: the registry person, null for seed cards)."""

    author_id: str | None


class CardRevised(_CardBase):
    """A facilitator wrote a new revision of the card (``revision``: its number; the text is not in the log)."""

    author_id: str | None
    previous_revision: int


class CardCommented(_Payload):
    """A facilitator commented on a revision of the card."""

    card_id: str
    comment_id: str
    revision: int
    author_id: str | None


class ManualPublished(_Payload):
    """The manual was published for a programme edition, pinning one revision of each card."""

    publication_id: str
    edition_id: str
    cards: dict[str, int]
    """Card id -> the revision number published."""


PAYLOADS: dict[str, type[BaseModel]] = {
    CHAPTER_CREATED: ChapterCreated,
    CARD_CREATED: CardCreated,
    CARD_REVISED: CardRevised,
    CARD_COMMENTED: CardCommented,
    MANUAL_PUBLISHED: ManualPublished,
}
