"""API keys: random, shown once, stored as HMAC-SHA256 with the server secret, revocable, expiring."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Row, select, update

from shared.auth.principal import Principal, Role
from shared.db import utcnow
from shared.errors import ConflictError, NotFoundError, UnauthorizedError, ValidationFailed
from shared.platform.tables import api_keys

KEY_PREFIX = "clk"
LAST_USED_RESOLUTION = timedelta(minutes=1)


@dataclass(frozen=True)
class IssuedKey:
    """A freshly created key: the secret is only ever available here."""

    key: str
    key_id: str
    actor_id: str
    role: Role
    district_ids: list[str]
    expires_at: datetime | None


def hash_key(key: str, secret: str) -> str:
    """HMAC-SHA256 of the full key under the server secret."""
    return hmac.new(secret.encode(), key.encode(), hashlib.sha256).hexdigest()


def create_key(
    conn: Connection,
    *,
    secret: str,
    role: Role,
    district_ids: list[str] | None = None,
    person_id: str | None = None,
    label: str = "",
    expires_at: datetime | None = None,
) -> IssuedKey:
    """Store a new key and return it with its secret (never stored in clear)."""
    districts = sorted({str(d) for d in (district_ids or [])})
    if role is Role.DISTRICT_EDITOR and not districts:
        raise ValidationFailed("a district_editor key needs at least one district")
    if role is Role.FACILITATOR and not person_id:
        raise ValidationFailed("a facilitator key needs the facilitator's person id")
    key_id = secrets.token_hex(8)
    key = f"{KEY_PREFIX}_{key_id}_{secrets.token_urlsafe(32)}"
    actor_id = str(uuid.uuid4())
    conn.execute(
        api_keys.insert().values(
            key_id=key_id,
            actor_id=actor_id,
            key_hash=hash_key(key, secret),
            role=role.value,
            district_ids=districts,
            person_id=person_id,
            label=label[:200],
            created_at=utcnow(),
            expires_at=expires_at,
        )
    )
    return IssuedKey(key, key_id, actor_id, role, districts, expires_at)


def get_key(conn: Connection, key_id: str) -> Row[Any]:
    """A key's stored row (never its secret); 404 when there is none."""
    row = conn.execute(select(api_keys).where(api_keys.c.key_id == key_id)).one_or_none()
    if row is None:
        raise NotFoundError(f"no API key {key_id}")
    return row


def rotate_key(
    conn: Connection, key_id: str, *, secret: str, expires_at: datetime | None, keep_expiry: bool = True
) -> IssuedKey:
    """Give a key a new secret at once (the old one stops working); key id and actor id stay.

    Keeping the actor id keeps what the key owns (webhook subscriptions, idempotency records).
    """
    row = get_key(conn, key_id)
    if row.revoked_at is not None:
        raise ConflictError(f"API key {key_id} was revoked: create a new one")
    key = f"{KEY_PREFIX}_{key_id}_{secrets.token_urlsafe(32)}"
    new_expiry = row.expires_at if keep_expiry else expires_at
    conn.execute(
        update(api_keys)
        .where(api_keys.c.key_id == key_id)
        .values(key_hash=hash_key(key, secret), expires_at=new_expiry, last_used_at=None)
    )
    return IssuedKey(key, key_id, row.actor_id, Role(row.role), list(row.district_ids or []), new_expiry)


def revoke_key(conn: Connection, key_id: str) -> None:
    """Revoke a key at once."""
    result = conn.execute(update(api_keys).where(api_keys.c.key_id == key_id).values(revoked_at=utcnow()))
    if result.rowcount == 0:
        raise NotFoundError(f"no API key {key_id}")


def authenticate(conn: Connection, key: str, *, secret: str) -> tuple[Principal, bool]:
    """Resolve a presented key to a Principal; the flag says whether last_used_at is due an update."""
    # The random part is urlsafe base64 and may itself contain "_": split on the first two only.
    parts = key.split("_", 2)
    if len(parts) != 3 or parts[0] != KEY_PREFIX or not parts[1] or not parts[2]:
        raise UnauthorizedError("malformed API key")
    row = conn.execute(select(api_keys).where(api_keys.c.key_id == parts[1])).one_or_none()
    if row is None or not hmac.compare_digest(row.key_hash, hash_key(key, secret)):
        raise UnauthorizedError("unknown API key")
    now = utcnow()
    if row.revoked_at is not None:
        raise UnauthorizedError("this API key was revoked")
    if row.expires_at is not None and row.expires_at <= now:
        raise UnauthorizedError("this API key has expired")
    principal = Principal(
        actor_id=row.actor_id,
        role=Role(row.role),
        district_ids=frozenset(row.district_ids or []),
        person_id=row.person_id,
        key_id=row.key_id,
    )
    due = row.last_used_at is None or now - row.last_used_at > LAST_USED_RESOLUTION
    return principal, due


def touch_key(conn: Connection, key_id: str) -> None:
    """Record that a key was used just now."""
    conn.execute(update(api_keys).where(api_keys.c.key_id == key_id).values(last_used_at=utcnow()))
