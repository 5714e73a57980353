"""Signed, expiring download links of attachments kept in local storage.

A link is ``/attachments/{id}/content?expires=<unix time>&signature=<hex>``, the signature an HMAC-SHA256
over the id and the expiry under ``attachment_link_secret`` (or a key derived from ``secret_key``). Anyone
holding the link may download until it expires; changing the id, the expiry or the signature, or waiting past
the expiry, makes it a 403.
"""

from __future__ import annotations

import hashlib
import hmac
import time
import uuid
from datetime import UTC, datetime

from shared.config import Settings
from shared.errors import ForbiddenError


def _secret(settings: Settings) -> bytes:
    if settings.attachment_link_secret:
        return settings.attachment_link_secret.encode()
    # A key of its own, so a link signature can never stand in for another use of the server secret.
    return hmac.new(settings.secret_key.encode(), b"communitylab attachment links", hashlib.sha256).digest()


def signature(settings: Settings, attachment_id: uuid.UUID, expires: int) -> str:
    """The link signature of one attachment and expiry."""
    message = f"{attachment_id}:{expires}".encode()
    return hmac.new(_secret(settings), message, hashlib.sha256).hexdigest()


def signed_path(
    settings: Settings, attachment_id: uuid.UUID, *, now: float | None = None
) -> tuple[str, datetime]:
    """The download path of an attachment, valid ``attachment_link_seconds`` from now, and when it expires."""
    expires = int(now if now is not None else time.time()) + settings.attachment_link_seconds
    sig = signature(settings, attachment_id, expires)
    return (
        f"/attachments/{attachment_id}/content?expires={expires}&signature={sig}",
        datetime.fromtimestamp(expires, UTC),
    )


def check_link(
    settings: Settings, attachment_id: uuid.UUID, *, expires: int, sig: str, now: float | None = None
) -> None:
    """ForbiddenError unless the signature is ours for this id and expiry, and the expiry is not past."""
    expected = signature(settings, attachment_id, expires)
    # Bytes, not str: compare_digest refuses non-ASCII strings, and a link can be altered into anything.
    if not hmac.compare_digest(expected.encode(), sig.lower().encode("utf-8", "replace")):
        raise ForbiddenError(
            "this download link is not valid (altered or not issued here); ask for a new one"
        )
    if expires < (now if now is not None else time.time()):
        raise ForbiddenError("this download link has expired; ask for a new one", expired_at=expires)
