"""Tables of the search index: one row per searchable object, and the per-dialect full-text structures.

``search_documents`` holds, for every process, workshop, invention, priority and proposal that a public list
shows, the text searched (a title and a body) with its district, process and edition. It is written by
``index`` in the transaction of the change it follows. Beside it, per dialect:

- PostgreSQL: two generated ``tsvector`` columns (``tsv``: title weighted A and body B, with a GIN index;
  ``title_tsv``: the title alone, to put title hits first) in the text search configuration
  ``workshops.italian_unaccent`` (``unaccent``, then the Italian Snowball stemmer, no stop words);
- SQLite: the FTS5 table ``search_fts`` (rowid = ``search_documents.id``) holding the title and body already
  folded and stemmed in Python (``text.index_text``), tokenised with ``unicode61 remove_diacritics 2``.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import TSVECTOR

from shared.db import UTCDateTime

SCHEMA = "workshops"
PG_CONFIG = "workshops.italian_unaccent"
"""The PostgreSQL text search configuration (created by the migration)."""
FTS_TABLE = "search_fts"
"""The SQLite FTS5 table (created by the migration; SQLite only)."""

metadata = sa.MetaData()

documents = sa.Table(
    "search_documents",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("kind", sa.String(20), nullable=False),
    sa.Column("object_id", sa.Uuid, nullable=False),
    sa.Column("district_id", sa.Uuid, nullable=True),
    sa.Column("process_id", sa.Uuid, nullable=True),
    sa.Column("edition_id", sa.Uuid, nullable=True),
    sa.Column("title", sa.Text, nullable=False),
    sa.Column("body", sa.Text, nullable=False),
    sa.Column("indexed_at", UTCDateTime, nullable=False),
    sa.UniqueConstraint("kind", "object_id", name="uq_workshops_search_documents_kind_object"),
    schema=SCHEMA,
)
"""One searchable object (the columns both dialects have)."""

pg_tsv = sa.literal_column("search_documents.tsv", TSVECTOR)
"""PostgreSQL only: the generated, GIN-indexed vector of title (weight A) and body (B); never written."""
pg_title_tsv = sa.literal_column("search_documents.title_tsv", TSVECTOR)
"""PostgreSQL only: the generated vector of the title alone; never written."""

fts = sa.table(FTS_TABLE, sa.column("rowid", sa.Integer), sa.column("title"), sa.column("body"))
"""The SQLite FTS5 table, for queries (``MATCH``, ``bm25``)."""
