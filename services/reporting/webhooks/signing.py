"""Standard Webhooks signatures: ``whsec_`` secrets and ``v1,<base64 HMAC-SHA256>`` over ``id.timestamp.body``."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from collections.abc import Iterable

SECRET_PREFIX = "whsec_"
SECRET_BYTES = 32


def new_secret() -> str:
    """A fresh signing secret, ``whsec_`` followed by the base64 of 32 random bytes."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode()


def _key(secret: str) -> bytes:
    return base64.b64decode(secret.removeprefix(SECRET_PREFIX))


def sign(secret: str, *, message_id: str, timestamp: int, body: str) -> str:
    """One ``v1,<signature>`` entry for ``body`` sent as ``message_id`` at ``timestamp`` (Unix seconds)."""
    digest = hmac.new(_key(secret), f"{message_id}.{timestamp}.{body}".encode(), hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def signature_header(secrets_in_use: Iterable[str], *, message_id: str, timestamp: int, body: str) -> str:
    """The ``webhook-signature`` value: one space-separated entry per secret (two while rotating)."""
    return " ".join(
        sign(secret, message_id=message_id, timestamp=timestamp, body=body) for secret in secrets_in_use
    )


def delivery_headers(
    secrets_in_use: Iterable[str], *, message_id: str, timestamp: int, body: str
) -> dict[str, str]:
    """The headers of one delivery attempt."""
    return {
        "content-type": "application/json",
        "user-agent": "communitylab-webhooks/1",
        "webhook-id": message_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": signature_header(
            secrets_in_use, message_id=message_id, timestamp=timestamp, body=body
        ),
    }
