"""Projection "attachments": the metadata of files attached in the workshops service (never the files)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sqlmodel import Session, SQLModel

from services.reporting.attachments import AttachmentView
from services.reporting.projections.base import (
    Handler,
    Projection,
    as_int,
    as_uuid,
    cached_for_update,
    get_or_new,
    text,
)
from shared.eventlog import RecordedEvent


class AttachmentsProjection(Projection):
    """Which files hang on which workshop, minutes or invention: title, type, size, checksum, flags."""

    name = "attachments"
    tables = (AttachmentView,)

    def handlers(self) -> dict[str, Handler]:
        """Event type -> handler."""
        return {"attachment.added": self.added, "attachment.removed": self.removed}

    def keys(self, event: RecordedEvent) -> Iterator[tuple[type[SQLModel], Any]]:
        """The attachment an event reads."""
        yield AttachmentView, as_uuid(event.payload.get("attachment_id")) or as_uuid(event.stream_id)

    def added(self, session: Session, event: RecordedEvent) -> None:
        """A file attached (upserted by its id, so a replay changes nothing)."""
        payload = event.payload
        attachment_id = as_uuid(payload.get("attachment_id")) or as_uuid(event.stream_id)
        if attachment_id is None:
            return
        row = get_or_new(session, AttachmentView, attachment_id, id=attachment_id)
        row.district_id = as_uuid(payload.get("district_id")) or as_uuid(event.district_id)
        row.process_id = as_uuid(payload.get("process_id"))
        row.parent_kind = text(payload.get("parent_kind"), 40) or "workshop"
        row.parent_id = as_uuid(payload.get("parent_id"))
        row.workshop_id = as_uuid(payload.get("workshop_id"))
        row.invention_id = as_uuid(payload.get("invention_id"))
        row.title = text(payload.get("title"))
        row.media_type = text(payload.get("media_type"), 100)
        row.size_bytes = max(as_int(payload.get("size_bytes")) or 0, 0)
        row.sha256 = text(payload.get("sha256"), 64)
        row.licence = text(payload.get("licence"), 64) or None
        row.personal = bool(payload.get("personal"))
        row.removed = False
        row.created_at = event.occurred_at

    def removed(self, session: Session, event: RecordedEvent) -> None:
        """A file taken away: kept as removed, left out of every report."""
        attachment_id = as_uuid(event.payload.get("attachment_id")) or as_uuid(event.stream_id)
        row = cached_for_update(session, AttachmentView, attachment_id) if attachment_id else None
        if row is not None:
            row.removed = True
