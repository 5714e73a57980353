"""Keeping the search index in step with the objects it finds, in the transaction that changes them.

Importing this module registers a SQLAlchemy ``after_flush`` listener on every ``Session`` (the workshops
app imports it and calls ``listen``; a program writing these tables without the app must import it too):
each flush that inserts, changes or deletes a process, workshop, invention, priority or proposal rewrites
(or removes) that object's row in ``search_documents`` (and, on SQLite, in the FTS5 table) on the same
connection, before the commit. A rollback takes the index change back with the object's, and no write path
of the service can forget it. What a public list leaves out is not indexed: a withdrawn proposal leaves it.

``rebuild`` writes the whole index from the tables (the migration's backfill and ``communitylab
search-reindex``); ``drift`` compares the index with what ``rebuild`` would write (``search-reindex --check``).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session, UOWTransaction

from services.workshops.outcomes.models import Invention, Priority
from services.workshops.participation.models import Proposal, ProposalState
from services.workshops.processes.models import Process, Workshop
from services.workshops.search import text
from services.workshops.search.models import FTS_TABLE, documents
from services.workshops.search.schemas import SearchKind
from shared.db import utcnow


@dataclass(frozen=True)
class Source:
    """Where one kind's documents come from: the table, the title, the body's fields, who sees them."""

    kind: SearchKind
    model: type[Any]
    body_fields: tuple[str, ...]
    own_process: bool = False

    def document(self, row: Any) -> dict[str, Any] | None:
        """The index row of an object (an ORM object or a row with the same names); None if not shown."""
        if self.kind is SearchKind.PROPOSAL and row.state == ProposalState.WITHDRAWN:
            return None
        body = "\n".join(v for f in self.body_fields if (v := getattr(row, f)))
        return {
            "kind": self.kind.value,
            "object_id": row.id,
            "district_id": row.district_id,
            "process_id": row.id if self.own_process else row.process_id,
            "edition_id": getattr(row, "edition_id", None),
            "title": row.title or "",
            "body": body,
        }

    def columns(self) -> list[Any]:
        """The columns ``document`` reads."""
        table = self.model.__table__
        names = {"id", "district_id", "title", *self.body_fields}
        names |= {"state"} if self.kind is SearchKind.PROPOSAL else set()
        names |= set() if self.own_process else {"process_id"}
        names |= {"edition_id"} if "edition_id" in table.c else set()
        return [table.c[name] for name in sorted(names)]


SOURCES: dict[type[Any], Source] = {
    s.model: s
    for s in (
        Source(
            SearchKind.PROCESS,
            Process,
            ("purpose", "weight", "transformations", "methods_and_tools", "distinctive_marks", "location"),
            own_process=True,
        ),
        Source(SearchKind.WORKSHOP, Workshop, ("description", "venue")),
        Source(SearchKind.INVENTION, Invention, ("description", "handover_note")),
        Source(SearchKind.PRIORITY, Priority, ("description", "motivation", "outcome_note")),
        Source(SearchKind.PROPOSAL, Proposal, ("body", "answer_text")),
    )
}
COMPARED = ("district_id", "process_id", "edition_id", "title", "body")


def _is_sqlite(connection: Connection) -> bool:
    return connection.dialect.name == "sqlite"


def _fts_insert(connection: Connection, rows: Iterable[tuple[int, str, str]]) -> None:
    values = [{"id": i, "title": text.index_text(t), "body": text.index_text(b)} for i, t, b in rows]
    if values:
        connection.execute(
            sa.text(f"INSERT INTO {FTS_TABLE} (rowid, title, body) VALUES (:id, :title, :body)"), values
        )


def write(
    connection: Connection, kind: SearchKind, object_id: uuid.UUID, document: dict[str, Any] | None
) -> None:
    """Make the index row of one object ``document`` (None: remove it); nothing to do when it is the same."""
    existing = connection.execute(
        sa.select(documents.c.id, *[documents.c[c] for c in COMPARED]).where(
            documents.c.kind == kind.value, documents.c.object_id == object_id
        )
    ).one_or_none()
    if (
        existing is not None
        and document is not None
        and all(getattr(existing, c) == document[c] for c in COMPARED)
    ):
        return
    if existing is not None and _is_sqlite(connection):
        connection.execute(sa.text(f"DELETE FROM {FTS_TABLE} WHERE rowid = :id"), {"id": existing.id})
    if document is None:
        if existing is not None:
            connection.execute(sa.delete(documents).where(documents.c.id == existing.id))
        return
    values = {**document, "indexed_at": utcnow()}
    if existing is None:
        inserted = connection.execute(sa.insert(documents).values(**values)).inserted_primary_key
        assert inserted is not None
        row_id = inserted[0]
    else:
        row_id = existing.id
        connection.execute(sa.update(documents).where(documents.c.id == row_id).values(**values))
    if _is_sqlite(connection):
        _fts_insert(connection, [(row_id, document["title"], document["body"])])


def _document_changed(obj: Any) -> bool:
    """Whether a flushed change touched a column the object's document is made of (not only its version)."""
    attrs = sa.inspect(obj).attrs
    return any(attrs[column.name].history.has_changes() for column in SOURCES[type(obj)].columns())


def _after_flush(session: Session, _context: UOWTransaction) -> None:
    # A dirty object whose indexed columns are unchanged (a workshop whose stream moved on: a registration)
    # keeps its row; comparing it with the index would cost a query per flush.
    changed = [o for o in session.new if type(o) in SOURCES]
    changed += [o for o in session.dirty if type(o) in SOURCES and _document_changed(o)]
    deleted = [o for o in session.deleted if type(o) in SOURCES]
    if not changed and not deleted:
        return
    connection = session.connection()
    for obj in changed:
        source = SOURCES[type(obj)]
        write(connection, source.kind, obj.id, source.document(obj))
    for obj in deleted:
        write(connection, SOURCES[type(obj)].kind, obj.id, None)


def listen() -> None:
    """Keep the index in step with every flush of every session of this process (idempotent)."""
    if not event.contains(Session, "after_flush", _after_flush):
        event.listen(Session, "after_flush", _after_flush)


listen()


def expected_documents(connection: Connection) -> Iterator[dict[str, Any]]:
    """Every index row the tables call for, kind by kind."""
    for source in SOURCES.values():
        for row in connection.execute(sa.select(*source.columns())):
            document = source.document(row)
            if document is not None:
                yield document


def rebuild(connection: Connection, *, batch: int = 500) -> int:
    """Write the whole index from the tables (in the caller's transaction); the number of rows written."""
    if _is_sqlite(connection):
        connection.execute(sa.text(f"DELETE FROM {FTS_TABLE}"))
    connection.execute(sa.delete(documents))
    written = 0
    pending: list[dict[str, Any]] = []

    def flush() -> None:
        nonlocal written
        if not pending:
            return
        now = utcnow()
        connection.execute(sa.insert(documents), [{**d, "indexed_at": now} for d in pending])
        written += len(pending)
        pending.clear()

    for document in expected_documents(connection):
        pending.append(document)
        if len(pending) >= batch:
            flush()
    flush()
    if _is_sqlite(connection):
        rows = connection.execute(sa.select(documents.c.id, documents.c.title, documents.c.body))
        _fts_insert(connection, ((r.id, r.title, r.body) for r in rows))
    return written


def drift(connection: Connection) -> dict[str, list[str]]:
    """What the index has wrong: ``missing``, ``stale`` and ``extra`` rows as ``kind:id`` (empty when in step)."""
    expected = {(d["kind"], str(d["object_id"])): d for d in expected_documents(connection)}
    actual = {
        (r.kind, str(r.object_id)): r
        for r in connection.execute(
            sa.select(documents.c.kind, documents.c.object_id, *[documents.c[c] for c in COMPARED])
        )
    }
    out: dict[str, list[str]] = {
        "missing": sorted(f"{k}:{i}" for k, i in expected.keys() - actual.keys()),
        "extra": sorted(f"{k}:{i}" for k, i in actual.keys() - expected.keys()),
        "stale": sorted(
            f"{k}:{i}"
            for (k, i) in expected.keys() & actual.keys()
            if any(getattr(actual[(k, i)], c) != expected[(k, i)][c] for c in COMPARED)
        ),
    }
    if _is_sqlite(connection):
        fts_count = connection.execute(sa.text(f"SELECT count(*) FROM {FTS_TABLE}")).scalar_one()
        unmatched = connection.execute(
            sa.text(
                "SELECT count(*) FROM search_documents AS d "
                f"WHERE NOT EXISTS (SELECT 1 FROM {FTS_TABLE} AS f WHERE f.rowid = d.id)"
            )
        ).scalar_one()
        if fts_count != len(actual) or unmatched:
            out["fts_rows"] = [f"{fts_count} FTS rows for {len(actual)} documents, {unmatched} without one"]
    return {k: v for k, v in out.items() if v}
