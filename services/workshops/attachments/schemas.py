"""Bodies of the attachments routes: the upload's fields, an attachment as returned, a download link."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from services.workshops.attachments.content import ALLOWED
from shared.api.schemas import ApiModel, Code, ShortText

EXAMPLE_ID = "6f1c2e4a-8b3d-4c5e-9f60-718293a4b5c6"
EXAMPLE_WORKSHOP = "3a9e1f20-5b6c-4d7e-8f90-a1b2c3d4e5f6"


class AttachmentFields(ApiModel):
    """What is said about a file besides its bytes (form fields of a multipart upload, or query parameters)."""

    model_config = ConfigDict(extra="forbid")

    title: ShortText | None = Field(
        default=None, description="What the file is; default: its file name, or `Allegato`."
    )
    licence: Code | None = Field(
        default=None,
        description="The licence it is published under, an SPDX id (`CC-BY-4.0`); none: all rights reserved.",
        examples=["CC-BY-4.0"],
    )
    personal: bool = Field(
        default=False,
        description="The file holds personal data (a signed attendance sheet, a photo of people): only callers "
        "who may see the parent's personal data get a download link, and open data leaves it out.",
    )


class AttachmentLinks(BaseModel):
    """Where to go from an attachment."""

    self: str
    download_link: str = Field(description="GET it for a download URL valid a short time.")
    parent: str


class AttachmentPublic(BaseModel):
    """A file attached to a workshop, restitution event, workshop's minutes or invention (metadata only)."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": EXAMPLE_ID,
                    "district_id": "0d4f6a8b-1c2e-4f3a-9b5c-6d7e8f9a0b1c",
                    "process_id": "9c8b7a6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d",
                    "parent_kind": "restitution_event",
                    "parent_id": EXAMPLE_WORKSHOP,
                    "workshop_id": EXAMPLE_WORKSHOP,
                    "invention_id": None,
                    "title": "Slide della restituzione",
                    "filename": "restituzione-2019.pdf",
                    "media_type": "application/pdf",
                    "size_bytes": 482113,
                    "sha256": "9f2c1b0e7d6a5f4e3d2c1b0a9f8e7d6c5b4a39281706f5e4d3c2b1a09f8e7d6c",
                    "licence": "CC-BY-4.0",
                    "personal": False,
                    "version": 1,
                    "created_at": "2019-12-18T17:05:00Z",
                    "links": {
                        "self": f"/attachments/{EXAMPLE_ID}",
                        "download_link": f"/attachments/{EXAMPLE_ID}/link",
                        "parent": f"/workshops/{EXAMPLE_WORKSHOP}",
                    },
                }
            ]
        }
    )

    id: uuid.UUID
    district_id: uuid.UUID
    process_id: uuid.UUID | None
    parent_kind: str = Field(description="`workshop`, `restitution_event`, `minutes` or `invention`.")
    parent_id: uuid.UUID = Field(
        description="The workshop (also for minutes and restitution events) or invention."
    )
    workshop_id: uuid.UUID | None
    invention_id: uuid.UUID | None
    title: str
    filename: str | None = Field(description="The name it was uploaded with, if any.")
    media_type: str = Field(description=f"Found from the content: one of {', '.join(ALLOWED)}.")
    size_bytes: int
    sha256: str = Field(description="SHA-256 of the bytes, hex: check a download against it.")
    licence: str | None
    personal: bool
    version: int
    created_at: datetime
    links: AttachmentLinks


class DownloadLink(BaseModel):
    """A URL that downloads the file until it expires (then ask for a new one)."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "url": f"http://127.0.0.1:8002/attachments/{EXAMPLE_ID}/content?expires=1765000000"
                    "&signature=5d41402abc4b2a76b9719d911017c592",
                    "expires_at": "2025-12-06T05:46:40Z",
                    "storage": "local",
                    "sha256": "9f2c1b0e7d6a5f4e3d2c1b0a9f8e7d6c5b4a39281706f5e4d3c2b1a09f8e7d6c",
                }
            ]
        }
    )

    url: str = Field(
        description="Signed link of the workshops API (local storage) or presigned URL of the bucket."
    )
    expires_at: datetime
    storage: str = Field(description="`local` or `s3`.")
    sha256: str


def public(attachment: Any) -> AttachmentPublic:
    """The response body of an attachment row."""
    parent = (
        f"/inventions/{attachment.parent_id}"
        if attachment.parent_kind == "invention"
        else f"/workshops/{attachment.parent_id}/minutes"
        if attachment.parent_kind == "minutes"
        else f"/workshops/{attachment.parent_id}"
    )
    return AttachmentPublic.model_validate(
        {
            **{name: getattr(attachment, name) for name in AttachmentPublic.model_fields if name != "links"},
            "links": {
                "self": f"/attachments/{attachment.id}",
                "download_link": f"/attachments/{attachment.id}/link",
                "parent": parent,
            },
        }
    )
