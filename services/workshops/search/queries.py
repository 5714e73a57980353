"""The search statement on each database: matching documents with their title flag and score, filtered.

Both return rows of ``search_documents`` columns plus ``title_match`` (every word searched is in the title)
and ``score`` (higher is more relevant), ordered title hits first, then by score, then by kind and id so the
order is total and pages do not overlap.

- PostgreSQL: ``tsv @@ plainto_tsquery('workshops.italian_unaccent', words)``, ``ts_rank`` of the weighted
  vector (title A, body B) and ``title_tsv @@ query`` for the flag.
- SQLite: FTS5 ``MATCH`` on the stems of the words (all of them), ``-bm25`` with the title weighing ten times
  the body, and a second ``MATCH`` restricted to the title column for the flag.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa

from services.workshops.search import text
from services.workshops.search.models import FTS_TABLE, PG_CONFIG, documents, fts, pg_title_tsv, pg_tsv
from services.workshops.search.schemas import SearchKind


def _fts_query(stems: Sequence[str], *, column: str | None = None) -> str:
    # Stems are letters and digits only ([^\W_]+), so quoting them is enough to make a safe FTS5 query.
    expression = " AND ".join(f'"{s}"' for s in stems)
    return f"{column} : ({expression})" if column else expression


def _filters(
    statement: Any,
    *,
    kinds: Sequence[SearchKind],
    district_ids: Sequence[uuid.UUID],
    process_id: uuid.UUID | None,
    edition_id: uuid.UUID | None,
) -> Any:
    if kinds:
        statement = statement.where(documents.c.kind.in_([k.value for k in kinds]))
    if district_ids:
        statement = statement.where(documents.c.district_id.in_(list(district_ids)))
    if process_id is not None:
        statement = statement.where(documents.c.process_id == process_id)
    if edition_id is not None:
        statement = statement.where(documents.c.edition_id == edition_id)
    return statement


def search_statement(
    *,
    dialect: str,
    words: Sequence[str],
    kinds: Sequence[SearchKind] = (),
    district_ids: Sequence[uuid.UUID] = (),
    process_id: uuid.UUID | None = None,
    edition_id: uuid.UUID | None = None,
) -> Any:
    """Documents matching every one of ``words`` (folded, see ``text.query_words``), best first."""
    columns = [
        documents.c.kind,
        documents.c.object_id,
        documents.c.district_id,
        documents.c.process_id,
        documents.c.title,
        documents.c.body,
    ]
    if dialect == "postgresql":
        query = sa.func.plainto_tsquery(sa.literal_column(f"'{PG_CONFIG}'::regconfig"), " ".join(words))
        title_match: Any = pg_title_tsv.op("@@")(query)
        score: Any = sa.func.ts_rank(pg_tsv, query)
        statement = (
            sa.select(*columns, title_match.label("title_match"), score.label("score"))
            .select_from(documents)
            .where(pg_tsv.op("@@")(query))
        )
    else:
        stems = [text.stem(w) for w in words]
        in_title = (
            sa.select(fts.c.rowid)
            .select_from(fts)
            .where(sa.literal_column(FTS_TABLE).op("MATCH")(_fts_query(stems, column="title")))
            .correlate(None)
        )
        title_match = documents.c.id.in_(in_title)
        score = -sa.func.bm25(sa.literal_column(FTS_TABLE), 10.0, 1.0)
        statement = (
            sa.select(*columns, title_match.label("title_match"), score.label("score"))
            .select_from(documents.join(fts, fts.c.rowid == documents.c.id))
            .where(sa.literal_column(FTS_TABLE).op("MATCH")(_fts_query(stems)))
        )
    statement = _filters(
        statement, kinds=kinds, district_ids=district_ids, process_id=process_id, edition_id=edition_id
    )
    return statement.order_by(title_match.desc(), score.desc(), documents.c.kind, documents.c.object_id)
