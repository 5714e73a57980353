"""What the participation domain selects: proposal lists with filters, search, orders and keyset cursors."""

from __future__ import annotations

import hashlib
import unicodedata
import uuid
from collections.abc import Iterable
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import and_, or_
from sqlmodel import Session, col, func, select

from services.workshops.participation.models import Proposal, ProposalState, Support
from shared.errors import FieldError, ValidationFailed
from shared.eventlog.tables import events
from shared.pagination import decode_cursor, encode_cursor


def normalise_search(*parts: str | None) -> str:
    """Lowercase, unaccented text for accent-insensitive search ("perchè Forlì" -> "perche forli")."""
    text = " ".join(p for p in parts if p)
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(stripped.casefold().split())


class ProposalOrder(StrEnum):
    """Orders of a proposal list."""

    NEWEST = "newest"
    OLDEST = "oldest"
    MOST_SUPPORTED = "most_supported"
    RANDOM = "random"


def proposals_statement(
    *,
    process_id: uuid.UUID,
    state: ProposalState | None = None,
    theme: str | None = None,
    answer_category: str | None = None,
    q: str | None = None,
) -> Any:
    """Proposals of a process, filtered; without ``state`` the withdrawn ones are left out."""
    statement = select(Proposal).where(Proposal.process_id == process_id)
    if state is not None:
        statement = statement.where(Proposal.state == state)
    else:
        statement = statement.where(Proposal.state != ProposalState.WITHDRAWN)
    if theme is not None:
        statement = statement.where(Proposal.theme == theme)
    if answer_category is not None:
        statement = statement.where(Proposal.answer_category == answer_category)
    for word in normalise_search(q).split() if q else []:
        statement = statement.where(col(Proposal.search_text).contains(word, autoescape=True))
    return statement


def _bad_cursor() -> ValidationFailed:
    return ValidationFailed(
        "malformed cursor", errors=[FieldError(path="query.cursor", message="bad cursor")]
    )


def random_key(seed: str, proposal_id: uuid.UUID) -> str:
    """The place of a proposal in the random order of ``seed`` (stable for the same seed)."""
    return hashlib.sha256(f"{seed}:{proposal_id}".encode()).hexdigest()


def page_proposals(
    session: Session,
    statement: Any,
    *,
    order: ProposalOrder,
    limit: int,
    cursor: str | None,
    seed: str | None = None,
) -> tuple[list[Proposal], str | None]:
    """One page of ``statement`` in ``order``, from ``cursor``; the rows and the next cursor."""
    values = decode_cursor(cursor) if cursor else None
    if values is not None and len(values) != 2:
        raise _bad_cursor()
    if order is ProposalOrder.RANDOM:
        return _random_page(session, statement, seed=seed or "", limit=limit, after=values)
    key_column: Any = Proposal.support_count if order is ProposalOrder.MOST_SUPPORTED else Proposal.created_at
    descending = order is not ProposalOrder.OLDEST
    if values is not None:
        try:
            key = (
                int(values[0]) if order is ProposalOrder.MOST_SUPPORTED else datetime.fromisoformat(values[0])
            )
            tie = uuid.UUID(str(values[1]))
        except (TypeError, ValueError) as exc:
            raise _bad_cursor() from exc
        if descending:
            statement = statement.where(
                or_(col(key_column) < key, and_(col(key_column) == key, col(Proposal.id) < tie))
            )
        else:
            statement = statement.where(
                or_(col(key_column) > key, and_(col(key_column) == key, col(Proposal.id) > tie))
            )
    if descending:
        statement = statement.order_by(col(key_column).desc(), col(Proposal.id).desc())
    else:
        statement = statement.order_by(col(key_column), col(Proposal.id))
    rows = list(session.exec(statement.limit(limit + 1)).all())
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        last = rows[-1]
        next_cursor = encode_cursor(
            [last.support_count if order is ProposalOrder.MOST_SUPPORTED else last.created_at, last.id]
        )
    return rows, next_cursor


def _random_page(
    session: Session, statement: Any, *, seed: str, limit: int, after: list[Any] | None
) -> tuple[list[Proposal], str | None]:
    # The ids are ordered here (no portable seeded hash in SQL); a process holds thousands at most.
    ids = list(session.exec(statement.with_only_columns(col(Proposal.id))).all())
    ordered = sorted((random_key(seed, i), i) for i in ids)
    if after is not None:
        ordered = [(k, i) for k, i in ordered if (k, str(i)) > (str(after[0]), str(after[1]))]
    chosen = ordered[: limit + 1]
    by_id = {
        p.id: p
        for p in session.exec(select(Proposal).where(col(Proposal.id).in_([i for _, i in chosen]))).all()
    }
    rows = [by_id[i] for _, i in chosen[:limit] if i in by_id]
    next_cursor = encode_cursor([chosen[limit - 1][0], chosen[limit - 1][1]]) if len(chosen) > limit else None
    return rows, next_cursor


def supported_by(session: Session, person_id: str | None, proposal_ids: list[uuid.UUID]) -> set[uuid.UUID]:
    """Which of ``proposal_ids`` the person supports."""
    if not person_id or not proposal_ids:
        return set()
    return set(
        session.exec(
            select(Support.proposal_id).where(
                Support.person_id == person_id, col(Support.proposal_id).in_(proposal_ids)
            )
        ).all()
    )


def count_supports(session: Session, proposal_id: uuid.UUID) -> int:
    """The number of support rows of a proposal (the truth ``support_count`` is kept equal to)."""
    return int(session.exec(select(func.count()).where(Support.proposal_id == proposal_id)).one())


def authored_count(session: Session, process_id: uuid.UUID, person_id: str) -> int:
    """How many proposals (not withdrawn) the person has put forward in the process."""
    return int(
        session.exec(
            select(func.count()).where(
                Proposal.process_id == process_id,
                Proposal.author_id == person_id,
                Proposal.state != ProposalState.WITHDRAWN,
            )
        ).one()
    )


# Read from the log (written by the registry when it erases a person's personal data).
PERSON_STREAM = "person"
PERSON_ERASED = "person.erased"


def erased_among(session: Session, person_ids: Iterable[str | None]) -> set[str]:
    """Which of ``person_ids`` the registry erased: its ``person.erased`` events in the shared log.

    Authors are blanked where they are shown, at read time, so no row nor event is rewritten and no erasure
    is missed while a consumer lags; one indexed look-up (stream type and id) per page.
    """
    wanted = sorted({str(p) for p in person_ids if p})
    if not wanted:
        return set()
    rows = session.connection().execute(
        select(events.c.stream_id)
        .where(
            events.c.stream_type == PERSON_STREAM,
            events.c.type == PERSON_ERASED,
            events.c.stream_id.in_(wanted),
        )
        .distinct()
    )
    return {str(row[0]) for row in rows}
