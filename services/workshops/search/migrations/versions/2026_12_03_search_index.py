"""Search index: search_documents with PostgreSQL full text (italian + unaccent) or SQLite FTS5; backfilled.

PostgreSQL: the ``unaccent`` extension (a trusted extension: the database owner may create it), a Snowball
Italian dictionary without stop words and the configuration ``workshops.italian_unaccent`` (unaccent, then
that dictionary), two generated tsvector columns and a GIN index. SQLite: the FTS5 table ``search_fts``
(``unicode61 remove_diacritics 2``) holding Python-made Italian stems. Existing rows are indexed at the end.

Revision ID: workshops_search_0002
Revises: workshops_search_0001
"""

import sqlalchemy as sa
from alembic import op

from shared.db import UTCDateTime

revision = "workshops_search_0002"
down_revision = "workshops_search_0001"
branch_labels = None
depends_on = None

SCHEMA = "workshops"
TOKENS = "asciiword, asciihword, hword_asciipart, word, hword, hword_part"


def _postgresql_text_search() -> None:
    op.execute("CREATE EXTENSION IF NOT EXISTS unaccent")
    extension_schema = (
        op.get_bind()
        .execute(
            sa.text(
                "SELECT n.nspname FROM pg_extension AS e JOIN pg_namespace AS n ON n.oid = e.extnamespace "
                "WHERE e.extname = 'unaccent'"
            )
        )
        .scalar_one()
    )
    op.execute(
        "CREATE TEXT SEARCH DICTIONARY workshops.italian_snowball (TEMPLATE = snowball, Language = italian)"
    )
    op.execute("CREATE TEXT SEARCH CONFIGURATION workshops.italian_unaccent (COPY = pg_catalog.italian)")
    op.execute(
        f"ALTER TEXT SEARCH CONFIGURATION workshops.italian_unaccent ALTER MAPPING FOR {TOKENS} "
        f'WITH "{extension_schema}".unaccent, workshops.italian_snowball'
    )
    config = "'workshops.italian_unaccent'::regconfig"
    op.execute(
        "ALTER TABLE workshops.search_documents "
        f"ADD COLUMN tsv tsvector GENERATED ALWAYS AS (setweight(to_tsvector({config}, title), 'A') || "
        f"setweight(to_tsvector({config}, body), 'B')) STORED, "
        f"ADD COLUMN title_tsv tsvector GENERATED ALWAYS AS (to_tsvector({config}, title)) STORED"
    )
    op.execute("CREATE INDEX ix_workshops_search_documents_tsv ON workshops.search_documents USING gin (tsv)")


def upgrade() -> None:
    op.create_table(
        "search_documents",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("object_id", sa.Uuid(), nullable=False),
        sa.Column("district_id", sa.Uuid(), nullable=True),
        sa.Column("process_id", sa.Uuid(), nullable=True),
        sa.Column("edition_id", sa.Uuid(), nullable=True),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("indexed_at", UTCDateTime(), nullable=False),
        sa.UniqueConstraint("kind", "object_id", name="uq_workshops_search_documents_kind_object"),
        schema=SCHEMA,
    )
    op.create_index(
        "ix_workshops_search_documents_district_id", "search_documents", ["district_id"], schema=SCHEMA
    )
    if op.get_bind().dialect.name == "postgresql":
        _postgresql_text_search()
    else:
        op.execute(
            "CREATE VIRTUAL TABLE search_fts USING fts5(title, body, "
            "tokenize = 'unicode61 remove_diacritics 2')"
        )
    from services.workshops.search.index import rebuild

    rebuild(op.get_bind())


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.drop_table("search_documents", schema=SCHEMA)
        op.execute("DROP TEXT SEARCH CONFIGURATION IF EXISTS workshops.italian_unaccent")
        op.execute("DROP TEXT SEARCH DICTIONARY IF EXISTS workshops.italian_snowball")
    else:
        op.execute("DROP TABLE IF EXISTS search_fts")
        op.drop_table("search_documents", schema=SCHEMA)
