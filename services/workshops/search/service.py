"""Searching: the words of a query, one page of hits in relevance order, and what each hit shows."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlmodel import Session

from services.workshops.search import queries, text
from services.workshops.search.schemas import SearchHit, SearchKind
from shared.errors import FieldError, ValidationFailed
from shared.pagination import decode_cursor, encode_cursor

PATHS = {
    SearchKind.PROCESS: "/processes/{}",
    SearchKind.WORKSHOP: "/workshops/{}",
    SearchKind.INVENTION: "/inventions/{}",
    SearchKind.PRIORITY: "/priorities/{}",
    SearchKind.PROPOSAL: "/proposals/{}",
}
MAX_OFFSET = 10_000


def _offset(cursor: str | None) -> int:
    if not cursor:
        return 0
    values = decode_cursor(cursor)
    if len(values) != 1 or not isinstance(values[0], int) or isinstance(values[0], bool):
        raise ValidationFailed(
            "malformed cursor", errors=[FieldError(path="query.cursor", message="bad cursor")]
        )
    return int(values[0])


def search(
    *,
    session: Session,
    q: str,
    kinds: Sequence[SearchKind] = (),
    district_ids: Sequence[uuid.UUID] = (),
    process_id: uuid.UUID | None = None,
    edition_id: uuid.UUID | None = None,
    limit: int,
    cursor: str | None,
) -> tuple[list[SearchHit], str | None]:
    """One page of what matches every word of ``q`` (accents, case and Italian endings aside), best first.

    Pages are positions in the relevance order (the cursor is signed and bound to the query and filters);
    an object indexed between two pages may move the later ones by a place.
    """
    words = text.query_words(q)
    if not words:
        raise ValidationFailed(
            "nothing to search for",
            errors=[
                FieldError(
                    path="query.q", message="give at least one word (not only articles or prepositions)"
                )
            ],
        )
    offset = _offset(cursor)
    statement = queries.search_statement(
        dialect=session.get_bind().dialect.name,
        words=words,
        kinds=kinds,
        district_ids=district_ids,
        process_id=process_id,
        edition_id=edition_id,
    )
    rows: list[Any] = list(session.execute(statement.offset(offset).limit(limit + 1)).all())
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        if offset + limit <= MAX_OFFSET:
            next_cursor = encode_cursor([offset + limit])
    stems = {text.stem(w) for w in words}
    hits = [
        SearchHit(
            kind=SearchKind(row.kind),
            id=row.object_id,
            title=row.title,
            snippet=text.snippet(row.body, stems),
            district_id=row.district_id,
            process_id=row.process_id,
            title_match=bool(row.title_match),
            score=round(float(row.score), 6),
            url=PATHS[SearchKind(row.kind)].format(row.object_id),
        )
        for row in rows
    ]
    return hits, next_cursor
