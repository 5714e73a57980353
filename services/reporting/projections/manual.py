"""Projection "manual": the collective manual's cards, counted from their events (no text, no author)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sqlmodel import Session, SQLModel

from services.reporting.manual import MethodCardView
from services.reporting.projections.base import (
    Handler,
    Projection,
    as_int,
    as_uuid,
    entity_id,
    get_or_new,
    text,
)
from shared.eventlog import RecordedEvent


class ManualProjection(Projection):
    """Cards by id: the latest revision number, the comments and the published revision."""

    name = "manual"
    tables = (MethodCardView,)

    def handlers(self) -> dict[str, Handler]:
        """Event type -> handler."""
        return {
            "method_card.created": self.card,
            "method_card.revised": self.card,
            "method_card.commented": self.commented,
            "manual_publication.published": self.published,
        }

    def keys(self, event: RecordedEvent) -> Iterator[tuple[type[SQLModel], Any]]:
        """The cards an event writes."""
        if event.type == "manual_publication.published":
            cards = event.payload.get("cards")
            for card_id in cards if isinstance(cards, dict) else {}:
                yield MethodCardView, as_uuid(card_id)
        else:
            yield MethodCardView, entity_id(event, "card_id")

    def card(self, session: Session, event: RecordedEvent) -> None:
        """A card written or revised: ``revision`` is the number of revisions so far (a replay changes nothing)."""
        card_id = entity_id(event, "card_id")
        if card_id is None:
            return
        payload = event.payload
        row = get_or_new(session, MethodCardView, card_id, id=card_id)
        row.code = text(payload.get("code"), 64)
        row.chapter_id = as_uuid(payload.get("chapter_id"))
        row.method = text(payload.get("method"), 40) or None
        row.revisions = max(row.revisions or 0, as_int(payload.get("revision")) or 1)

    def commented(self, session: Session, event: RecordedEvent) -> None:
        """A comment on a card (kept by id, so a replay changes nothing)."""
        card_id = entity_id(event, "card_id")
        comment_id = as_uuid(event.payload.get("comment_id"))
        if card_id is None or comment_id is None:
            return
        row = get_or_new(session, MethodCardView, card_id, id=card_id)
        if str(comment_id) not in row.comment_ids:
            row.comment_ids = [*row.comment_ids, str(comment_id)]

    def published(self, session: Session, event: RecordedEvent) -> None:
        """A publication pins one revision of each card."""
        cards = event.payload.get("cards")
        publication_id = entity_id(event, "publication_id")
        edition_id = as_uuid(event.payload.get("edition_id"))
        if publication_id is None:
            return
        for raw_id, revision in (cards if isinstance(cards, dict) else {}).items():
            card_id = as_uuid(raw_id)
            if card_id is None:
                continue
            row = get_or_new(session, MethodCardView, card_id, id=card_id)
            pin = [event.position, as_int(revision), str(edition_id) if edition_id else None]
            row.pinned = {**row.pinned, str(publication_id): pin}
