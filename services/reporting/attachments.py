"""Files attached to workshops, restitution events, minutes and inventions, as reports show them: metadata only.

The read model keeps what ``attachment.added`` says (title, type found from the content, size, SHA-256, licence,
personal flag), never the file. The Diario lists a district's files under their workshop or invention (title,
type, size); the open dataset ``attachments`` lists the files not flagged personal.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from pydantic import BaseModel
from pydantic import Field as PydanticField
from sqlmodel import Field, Session, SQLModel, col, select

from shared.db import UTCDateTime

SCHEMA = "reporting"

TYPE_LABELS = {
    "application/pdf": "PDF",
    "image/png": "immagine PNG",
    "image/jpeg": "immagine JPEG",
    "application/vnd.oasis.opendocument.text": "documento ODT",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "documento Word",
    "text/plain": "testo",
    "text/csv": "tabella CSV",
}
KIND_LABELS = {
    "workshop": "laboratorio",
    "restitution_event": "evento di restituzione",
    "minutes": "verbale",
    "invention": "invenzione",
}


class AttachmentView(SQLModel, table=True):
    """One attached file's metadata (``removed`` once it was taken away)."""

    __tablename__ = "report_attachments"
    __table_args__ = {"schema": SCHEMA}

    id: uuid.UUID = Field(primary_key=True)
    district_id: uuid.UUID | None = None
    process_id: uuid.UUID | None = None
    parent_kind: str = Field(default="workshop", max_length=40)
    parent_id: uuid.UUID | None = None
    workshop_id: uuid.UUID | None = Field(default=None, index=True)
    invention_id: uuid.UUID | None = Field(default=None, index=True)
    title: str = Field(default="", max_length=200)
    media_type: str = Field(default="", max_length=100)
    size_bytes: int = Field(default=0, sa_type=sa.BigInteger)
    sha256: str = Field(default="", max_length=64)
    licence: str | None = Field(default=None, max_length=64)
    personal: bool = False
    removed: bool = False
    created_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


# --- the Diario ---------------------------------------------------------------------------------------------


class DiaryAttachment(BaseModel):
    """A file in the Diario: what it is, never the file nor a link to it."""

    id: uuid.UUID
    title: str
    parent_kind: str = PydanticField(description="workshop, restitution_event, minutes or invention")
    media_type: str
    type_label: str = PydanticField(description="The type in Italian, e.g. `PDF`, `immagine PNG`.")
    size_bytes: int
    size_label: str = PydanticField(description="The size in Italian, e.g. `470,8 KB`.")
    personal: bool = PydanticField(description="The file holds personal data (listed, never published).")


class DiaryAttachmentGroup(BaseModel):
    """The files of one workshop (its minutes' included) or one invention."""

    kind: str = PydanticField(description="workshop or invention")
    id: uuid.UUID
    title: str
    files: list[DiaryAttachment]


class DiaryAttachments(BaseModel):
    """The district's attached files in the edition, under their workshop or invention."""

    count: int = 0
    groups: list[DiaryAttachmentGroup] = PydanticField(default_factory=list)


def size_label(size: int) -> str:
    """Bytes as people read them, with the Italian decimal comma (1 KB = 1024 bytes)."""
    if size < 1024:
        return f"{size} byte"
    value, unit = (size / 1024, "KB") if size < 1024 * 1024 else (size / (1024 * 1024), "MB")
    return f"{value:.1f}".replace(".", ",") + f" {unit}"


def _file(row: AttachmentView) -> dict[str, Any]:
    return {
        "id": row.id,
        "title": row.title,
        "parent_kind": row.parent_kind,
        "media_type": row.media_type,
        "type_label": TYPE_LABELS.get(row.media_type, row.media_type),
        "size_bytes": row.size_bytes,
        "size_label": size_label(row.size_bytes),
        "personal": row.personal,
    }


def _current(session: Session, column: Any, ids: Sequence[uuid.UUID]) -> list[AttachmentView]:
    if not ids:
        return []
    return list(
        session.exec(
            select(AttachmentView)
            .where(col(column).in_(list(ids)), col(AttachmentView.removed).is_(False))
            .order_by(col(AttachmentView.created_at), col(AttachmentView.id))
        )
    )


def diary_section(*, session: Session, workshops: Sequence[Any], inventions: Sequence[Any]) -> dict[str, Any]:
    """The files of the Diario's workshops (restitution events and minutes included) and inventions."""
    by_workshop: dict[uuid.UUID, list[AttachmentView]] = {}
    for row in _current(session, AttachmentView.workshop_id, [w.id for w in workshops]):
        if row.parent_kind != "invention" and row.workshop_id is not None:
            by_workshop.setdefault(row.workshop_id, []).append(row)
    by_invention: dict[uuid.UUID, list[AttachmentView]] = {}
    for row in _current(session, AttachmentView.invention_id, [i.id for i in inventions]):
        if row.parent_kind == "invention" and row.invention_id is not None:
            by_invention.setdefault(row.invention_id, []).append(row)
    ordered_workshops = sorted(
        workshops, key=lambda w: (w.starts_at.isoformat() if w.starts_at else "9999", str(w.id))
    )
    groups = [
        {"kind": "workshop", "id": w.id, "title": w.title, "files": [_file(r) for r in by_workshop[w.id]]}
        for w in ordered_workshops
        if w.id in by_workshop
    ] + [
        {"kind": "invention", "id": i.id, "title": i.title, "files": [_file(r) for r in by_invention[i.id]]}
        for i in sorted(inventions, key=lambda i: (i.title, str(i.id)))
        if i.id in by_invention
    ]
    return {"count": sum(len(g["files"]) for g in groups), "groups": groups}


# --- open data ------------------------------------------------------------------------------------------

ATTACHMENT_FIELDS: list[tuple[str, str, str]] = [
    ("id", "string", "Attachment id"),
    ("parent_kind", "string", "What it is attached to: workshop, restitution_event, minutes or invention"),
    ("workshop_id", "string", "The workshop (also of minutes and restitution events)"),
    ("invention_id", "string", "The invention"),
    ("process_id", "string", "Process id"),
    ("district_id", "string", "District id"),
    ("title", "string", "Title"),
    ("media_type", "string", "Media type found from the content"),
    ("size_bytes", "integer", "Size in bytes"),
    ("sha256", "string", "SHA-256 of the file (hex)"),
    ("licence", "string", "SPDX licence id (empty: all rights reserved)"),
    ("created_at", "datetime", "When it was attached (UTC)"),
]
"""Columns of the open dataset ``attachments``: metadata of the files not flagged personal, never the file."""


def attachment_rows(*, session: Session) -> list[dict[str, Any]]:
    """The attachments open dataset: current files not flagged personal, by id."""
    return [
        {name: getattr(row, name) for name, _, _ in ATTACHMENT_FIELDS}
        for row in session.exec(
            select(AttachmentView)
            .where(col(AttachmentView.removed).is_(False), col(AttachmentView.personal).is_(False))
            .order_by(col(AttachmentView.id))
        )
    ]
