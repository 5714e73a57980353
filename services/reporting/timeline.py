"""A process's timeline: its history by occurrence or in log order, and the sentence of each entry."""

from __future__ import annotations

import uuid
from typing import Literal

from sqlmodel import Session, col

from services.reporting import queries
from services.reporting.labels import date_en, date_it, to_rome
from services.reporting.models import (
    TimelineEntry,
)
from services.reporting.service import get_process
from shared.errors import FieldError, ValidationFailed
from shared.pagination import paginate, split_page

TimelineOrder = Literal["occurred", "log"]


def timeline(
    *,
    session: Session,
    process_id: uuid.UUID,
    order: TimelineOrder = "occurred",
    after: int | None = None,
    cursor: str | None = None,
    limit: int = 200,
) -> tuple[list[TimelineEntry], int | None, str | None]:
    """A process's history, by when things happened (``occurred``) or as the log recorded them (``log``).

    Returns the entries, the next ``after`` (log order) and the next ``cursor`` (occurred order).
    """
    get_process(session=session, process_id=process_id)
    statement = queries.timeline(process_id=process_id)
    if order == "occurred":
        if after is not None:
            raise ValidationFailed(
                "`after` continues the log order",
                errors=[FieldError(path="query.after", message="pass order=log with after, or use cursor")],
            )
        rows, next_cursor = paginate(
            session,
            statement,
            sort=col(TimelineEntry.occurred_at),
            tiebreak=col(TimelineEntry.position),
            limit=limit,
            cursor=cursor,
        )
        return rows, None, next_cursor
    if cursor is not None:
        raise ValidationFailed(
            "`cursor` continues the order by occurrence",
            errors=[FieldError(path="query.cursor", message="with order=log, continue with after")],
        )
    statement = statement.where(col(TimelineEntry.position) > (after or 0))
    rows, last = split_page(
        list(session.exec(statement.order_by(col(TimelineEntry.position)).limit(limit + 1))), limit
    )
    return rows, last.position if last is not None else None, None


def timeline_sentence(entry: TimelineEntry) -> tuple[str, str]:
    """The entry's sentence, saying when it was recorded where that was another day than when it happened."""
    recorded = entry.recorded_at
    if recorded is None or to_rome(recorded).date() == to_rome(entry.occurred_at).date():
        return entry.sentence_it, entry.sentence_en
    return (
        f"{entry.sentence_it} (registrato il {date_it(recorded)})",
        f"{entry.sentence_en} (recorded on {date_en(recorded)})",
    )
