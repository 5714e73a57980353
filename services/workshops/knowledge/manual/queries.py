"""What the manual lists: chapters, cards, a card's revisions and comments, publications (cursor pages)."""

from __future__ import annotations

import uuid

from sqlmodel import Session, col, select

from services.workshops.knowledge.manual.models import (
    ManualChapter,
    ManualPublication,
    ManualPublicationCard,
    MethodCard,
    MethodCardComment,
    MethodCardRevision,
)
from shared.pagination import paginate


def page_chapters(
    session: Session, *, limit: int, cursor: str | None
) -> tuple[list[ManualChapter], str | None]:
    """Chapters in reading order."""
    return paginate(
        session,
        select(ManualChapter),
        sort=ManualChapter.position,  # type: ignore[arg-type]
        tiebreak=ManualChapter.id,  # type: ignore[arg-type]
        limit=limit,
        cursor=cursor,
    )


def page_cards(
    session: Session,
    *,
    published_only: bool,
    chapter_id: uuid.UUID | None,
    limit: int,
    cursor: str | None,
) -> tuple[list[MethodCard], str | None]:
    """Cards in reading order; only those some publication holds when ``published_only``."""
    statement = select(MethodCard)
    if chapter_id is not None:
        statement = statement.where(MethodCard.chapter_id == chapter_id)
    if published_only:
        statement = statement.where(col(MethodCard.id).in_(select(ManualPublicationCard.card_id).distinct()))
    return paginate(
        session,
        statement,
        sort=MethodCard.position,  # type: ignore[arg-type]
        tiebreak=MethodCard.id,  # type: ignore[arg-type]
        limit=limit,
        cursor=cursor,
    )


def page_revisions(
    session: Session, *, card_id: uuid.UUID, limit: int, cursor: str | None
) -> tuple[list[MethodCardRevision], str | None]:
    """A card's revisions, oldest first."""
    return paginate(
        session,
        select(MethodCardRevision).where(MethodCardRevision.card_id == card_id),
        sort=MethodCardRevision.number,  # type: ignore[arg-type]
        tiebreak=MethodCardRevision.id,  # type: ignore[arg-type]
        limit=limit,
        cursor=cursor,
    )


def page_comments(
    session: Session, *, card_id: uuid.UUID, limit: int, cursor: str | None
) -> tuple[list[MethodCardComment], str | None]:
    """A card's comments, oldest first."""
    return paginate(
        session,
        select(MethodCardComment).where(MethodCardComment.card_id == card_id),
        sort=MethodCardComment.created_at,  # type: ignore[arg-type]
        tiebreak=MethodCardComment.id,  # type: ignore[arg-type]
        limit=limit,
        cursor=cursor,
    )


def page_publications(
    session: Session, *, limit: int, cursor: str | None
) -> tuple[list[ManualPublication], str | None]:
    """Publications, oldest first."""
    return paginate(
        session,
        select(ManualPublication),
        sort=ManualPublication.published_at,  # type: ignore[arg-type]
        tiebreak=ManualPublication.id,  # type: ignore[arg-type]
        limit=limit,
        cursor=cursor,
    )
