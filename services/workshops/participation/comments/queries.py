"""What comments select: a proposal's comments in order, the moderation queue, the caller's flags."""

from __future__ import annotations

import uuid
from enum import StrEnum
from typing import Any

from sqlalchemy import and_, or_
from sqlmodel import Session, col, select

from services.workshops.participation.comments.models import Comment, CommentFlag, CommentState
from shared.pagination import paginate


class QueueFilter(StrEnum):
    """Which comments the moderation queue lists."""

    ALL = "all"
    FLAGGED = "flagged"
    HIDDEN = "hidden"


def _page(
    session: Session, statement: Any, *, limit: int, cursor: str | None, newest_first: bool
) -> tuple[list[Comment], str | None]:
    sort, tiebreak = col(Comment.created_at), col(Comment.id)
    return paginate(
        session, statement, sort=sort, tiebreak=tiebreak, limit=limit, cursor=cursor, descending=newest_first
    )


def page_comments(
    session: Session, *, proposal_id: uuid.UUID, limit: int, cursor: str | None
) -> tuple[list[Comment], str | None]:
    """A proposal's comments and replies, oldest first (replies carry ``parent_id``)."""
    statement = select(Comment).where(Comment.proposal_id == proposal_id)
    return _page(session, statement, limit=limit, cursor=cursor, newest_first=False)


def page_queue(
    session: Session, *, process_id: uuid.UUID, which: QueueFilter, limit: int, cursor: str | None
) -> tuple[list[Comment], str | None]:
    """The process's comments waiting for or carrying a moderator's decision, newest first."""
    flagged = and_(col(Comment.state) == CommentState.VISIBLE, col(Comment.flag_count) > 0)
    hidden = col(Comment.state) == CommentState.HIDDEN
    condition: dict[QueueFilter, Any] = {
        QueueFilter.ALL: or_(flagged, hidden),
        QueueFilter.FLAGGED: flagged,
        QueueFilter.HIDDEN: hidden,
    }
    statement = select(Comment).where(Comment.process_id == process_id, condition[which])
    return _page(session, statement, limit=limit, cursor=cursor, newest_first=True)


def flagged_by(session: Session, person_id: str | None, comment_ids: list[uuid.UUID]) -> set[uuid.UUID]:
    """Which of ``comment_ids`` the person flagged."""
    if not person_id or not comment_ids:
        return set()
    return set(
        session.exec(
            select(CommentFlag.comment_id).where(
                CommentFlag.person_id == person_id, col(CommentFlag.comment_id).in_(comment_ids)
            )
        ).all()
    )


def flags_of(session: Session, comment_ids: list[uuid.UUID]) -> dict[uuid.UUID, list[CommentFlag]]:
    """Every flag of ``comment_ids``, oldest first."""
    out: dict[uuid.UUID, list[CommentFlag]] = {}
    if not comment_ids:
        return out
    rows = session.exec(
        select(CommentFlag)
        .where(col(CommentFlag.comment_id).in_(comment_ids))
        .order_by(col(CommentFlag.created_at), col(CommentFlag.person_id))
    ).all()
    for row in rows:
        out.setdefault(row.comment_id, []).append(row)
    return out
