"""The collective manual as open data: each method card's revisions, comments and published revision (numbers).

The manual's events carry ids, codes and numbers only (never texts nor authors); the read model counts them.
The texts are the manual's own: its printable page (workshops ``/manual/publications/{id}?format=html``).
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlmodel import Field, Session, SQLModel, col, select

from shared.db import JSONType

SCHEMA = "reporting"


class MethodCardView(SQLModel, table=True):
    """A method card: how many revisions and comments, and the revision the latest publication holds."""

    __tablename__ = "report_method_cards"
    __table_args__ = {"schema": SCHEMA}

    id: uuid.UUID = Field(primary_key=True)
    code: str = Field(default="", max_length=64)
    chapter_id: uuid.UUID | None = None
    method: str | None = Field(default=None, max_length=40)
    revisions: int = 0
    comment_ids: list[Any] = Field(default_factory=list, sa_type=JSONType)
    # publication id -> [position in the log, revision pinned, edition id], so a replay changes nothing.
    pinned: dict[str, Any] = Field(default_factory=dict, sa_type=JSONType)


METHOD_CARD_FIELDS: list[tuple[str, str, str]] = [
    ("id", "string", "Method card id"),
    ("code", "string", "Code of the card"),
    ("workshop_method", "string", "The workshop method it describes (empty: none)"),
    ("chapter_id", "string", "Chapter of the manual"),
    ("revisions", "integer", "Revisions written (the first included)"),
    ("comments", "integer", "Comments by facilitators"),
    ("published_revision", "integer", "The revision the latest publication holds (empty: never published)"),
    ("publications", "integer", "Publications (one per programme edition) that hold it"),
    ("edition_id", "string", "Programme edition of the latest publication"),
]
"""Columns of the open dataset ``method_cards``: counts and numbers, no text and no author."""


def _row(row: MethodCardView) -> dict[str, Any]:
    latest = max((p for p in row.pinned.values() if isinstance(p, list) and len(p) == 3), default=None)
    return {
        "id": row.id,
        "code": row.code,
        "workshop_method": row.method,
        "chapter_id": row.chapter_id,
        "revisions": row.revisions,
        "comments": len(row.comment_ids),
        "published_revision": latest[1] if latest else None,
        "publications": len(row.pinned),
        "edition_id": latest[2] if latest else None,
    }


def method_card_rows(*, session: Session) -> list[dict[str, Any]]:
    """The method_cards open dataset, by code."""
    statement = select(MethodCardView).order_by(col(MethodCardView.code), col(MethodCardView.id))
    return [_row(row) for row in session.exec(statement)]
