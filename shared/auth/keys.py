"""API keys: random, shown once, stored as HMAC-SHA256 with the server secret, revocable, expiring."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
import time
import uuid
from collections import OrderedDict
from collections.abc import Callable
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
    KEY_CACHE.forget(key_id)  # the old secret stops working here at once (elsewhere within the cache's TTL)
    return IssuedKey(key, key_id, row.actor_id, Role(row.role), list(row.district_ids or []), new_expiry)


def revoke_key(conn: Connection, key_id: str) -> None:
    """Revoke a key at once (this process forgets it now; others within ``api_key_cache_seconds``)."""
    result = conn.execute(update(api_keys).where(api_keys.c.key_id == key_id).values(revoked_at=utcnow()))
    if result.rowcount == 0:
        raise NotFoundError(f"no API key {key_id}")
    KEY_CACHE.forget(key_id)


def authenticate(conn: Connection, key: str, *, secret: str) -> tuple[Principal, bool]:
    """Resolve a presented key to a Principal; the flag says whether last_used_at is due an update."""
    principal, due, _ = authenticate_with_expiry(conn, key, secret=secret)
    return principal, due


def authenticate_with_expiry(
    conn: Connection, key: str, *, secret: str
) -> tuple[Principal, bool, datetime | None]:
    """``authenticate``, plus the key's expiry (so a cache never serves it past that)."""
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
    return principal, due, row.expires_at


def touch_key(conn: Connection, key_id: str) -> None:
    """Record that a key was used just now."""
    conn.execute(update(api_keys).where(api_keys.c.key_id == key_id).values(last_used_at=utcnow()))


@dataclass(frozen=True)
class _CachedKey:
    principal: Principal
    key_expires_at: datetime | None
    fresh_until: float


class KeyCache:
    """Keys that authenticated recently, so a request with a known key needs no lookup (and no thread hop).

    Entries live ``ttl`` seconds (``Settings.api_key_cache_seconds``) and never past the key's own expiry. A
    revocation in this process (``revoke_key``) applies at once; one made by another process (another
    instance, the ``revoke-key`` command) applies here within ``ttl``. Only successful lookups are kept:
    unknown, revoked and expired keys are looked up every time. Entries are keyed by the database and the
    key's HMAC, never by the key itself.
    """

    def __init__(self, max_entries: int = 10_000, clock: Callable[[], float] = time.monotonic) -> None:
        self.max_entries = max_entries
        self.clock = clock
        self._entries: OrderedDict[tuple[str, str], _CachedKey] = OrderedDict()
        self._lock = threading.Lock()

    @staticmethod
    def cache_key(scope: str, key: str, secret: str) -> tuple[str, str]:
        """The entry's key: the database it came from and the key's HMAC."""
        return scope, hash_key(key, secret)

    def get(self, entry: tuple[str, str]) -> Principal | None:
        """The cached principal, or None when absent, stale or past the key's expiry."""
        cached = self._entries.get(entry)
        if cached is None:
            return None
        if cached.fresh_until <= self.clock() or (
            cached.key_expires_at is not None and cached.key_expires_at <= utcnow()
        ):
            with self._lock:
                self._entries.pop(entry, None)
            return None
        return cached.principal

    def put(
        self, entry: tuple[str, str], principal: Principal, key_expires_at: datetime | None, ttl: float
    ) -> None:
        """Remember a principal that just authenticated (no-op when ``ttl`` is 0)."""
        if ttl <= 0:
            return
        with self._lock:
            self._entries[entry] = _CachedKey(principal, key_expires_at, self.clock() + ttl)
            self._entries.move_to_end(entry)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)

    def forget(self, key_id: str) -> None:
        """Drop every entry of one key (it was revoked here)."""
        with self._lock:
            for entry in [e for e, c in self._entries.items() if c.principal.key_id == key_id]:
                del self._entries[entry]

    def clear(self) -> None:
        """Drop everything."""
        with self._lock:
            self._entries.clear()


KEY_CACHE = KeyCache()
"""The process's cache of recently authenticated keys (shared by every app of the process)."""
