"""The collective manual's resources, as route dependencies (``shared.api.resources``).

Facilitators and administrators write and read the revisions and comments of a card: 401/403 for anyone else
before the card is looked up (404), then If-Match where the card is revised (412).
"""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Depends
from sqlmodel import Session

from services.workshops.knowledge.manual import service
from services.workshops.knowledge.manual.models import MethodCard
from shared.api.resources import Edit, for_edit, resource


def load_card(session: Session, method_card_id: uuid.UUID) -> MethodCard:
    """The method card, or NotFoundError."""
    return service.get_card(session=session, card_id=method_card_id)


CardForRevision = Annotated[
    Edit[MethodCard], Depends(for_edit("method_card_id", load_card, before=service.require_writer))
]
"""A card a writer revises (If-Match on the card, read after an idempotent replay)."""
CardForComment = Annotated[
    MethodCard, Depends(resource("method_card_id", load_card, before=service.require_writer))
]
"""A card a writer comments on."""
CardForWriters = Annotated[
    MethodCard, Depends(resource("method_card_id", load_card, before=service.require_writer, signed_in=True))
]
"""A card whose revisions and comments writers read (a key or token required)."""
