"""Event types and payloads of the attachments domain: metadata only, never the file nor personal data.

Stream type ``attachment``, stream id the attachment's id. ``personal`` says the file holds personal data
(a signed attendance sheet, a photo of people): reports list such a file by its metadata and open data
leaves it out.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict

ATTACHMENT = "attachment"

ATTACHMENT_ADDED = "attachment.added"
ATTACHMENT_REMOVED = "attachment.removed"

EVENT_TYPES = (ATTACHMENT_ADDED, ATTACHMENT_REMOVED)
"""Every event type of this domain (webhooks and the catalogue list them)."""


class _Payload(BaseModel):
    model_config = ConfigDict(extra="forbid")

    def dump(self) -> dict[str, Any]:
        """JSON-native payload."""
        return self.model_dump(mode="json")


class AttachmentRef(_Payload):
    """Which attachment, and what it hangs on."""

    attachment_id: str
    district_id: str
    process_id: str | None
    parent_kind: str
    parent_id: str
    workshop_id: str | None
    invention_id: str | None


class AttachmentAdded(AttachmentRef):
    """A file was attached: its title, type (checked by content), size, SHA-256, licence and personal flag."""

    title: str
    media_type: str
    size_bytes: int
    sha256: str
    licence: str | None
    personal: bool


class AttachmentRemoved(AttachmentRef):
    """An attachment was removed (its file deleted)."""


# The payload model of every event type this domain writes (the webhooks' OpenAPI is generated from it).
PAYLOADS: dict[str, type[BaseModel]] = {
    ATTACHMENT_ADDED: AttachmentAdded,
    ATTACHMENT_REMOVED: AttachmentRemoved,
}
