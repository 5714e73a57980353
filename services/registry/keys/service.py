"""The rules of API keys: who may hold which role, rotation keeps the actor, each change an event."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Row, Select, select
from sqlmodel import Session

from services.registry.keys import events as ev
from services.registry.keys.schemas import ApiKeyCreate, KeyStatus
from shared.auth import keys
from shared.auth.principal import Role
from shared.db import utcnow
from shared.errors import ConflictError, FieldError, ValidationFailed
from shared.eventlog import NewEvent, append, stream_version
from shared.platform.tables import api_keys


def status_of(row: Row[Any], now: datetime | None = None) -> KeyStatus:
    """Active, expired or revoked, now."""
    if row.revoked_at is not None:
        return KeyStatus.REVOKED
    if row.expires_at is not None and row.expires_at <= (now or utcnow()):
        return KeyStatus.EXPIRED
    return KeyStatus.ACTIVE


def describe(row: Row[Any]) -> dict[str, Any]:
    """The listed fields of a stored key (no hash)."""
    fields = {
        name: getattr(row, name)
        for name in (
            "key_id",
            "actor_id",
            "role",
            "district_ids",
            "person_id",
            "label",
            "created_at",
            "expires_at",
            "revoked_at",
            "last_used_at",
        )
    }
    return {**fields, "status": status_of(row)}


def _future(expires_at: datetime | None, path: str) -> None:
    if expires_at is not None and expires_at <= utcnow():
        raise ValidationFailed(
            "expires_at must be in the future", errors=[FieldError(path=path, message="in the past")]
        )


def _event(event_type: str, row: Row[Any] | keys.IssuedKey, person_id: str | None) -> NewEvent:
    payload = ev.ApiKeyChanged(
        key_id=row.key_id,
        actor_id=row.actor_id,
        role=str(row.role.value if isinstance(row.role, Role) else row.role),
        district_ids=list(row.district_ids or []),
        person_id=person_id,
        expires_at=row.expires_at.isoformat() if row.expires_at else None,
    )
    return NewEvent(event_type, payload.dump())


def _emit(session: Session, actor_id: str, event: NewEvent, district_ids: list[str]) -> None:
    version = stream_version(session, ev.API_KEY, actor_id)  # CLI-made keys have no events yet: version 0
    append(
        session,
        stream_type=ev.API_KEY,
        stream_id=actor_id,
        expected_version=version,
        events_to_append=[event],
        district_id=district_ids[0] if len(district_ids) == 1 else None,
    )


def create_key(*, session: Session, secret: str, data: ApiKeyCreate) -> tuple[keys.IssuedKey, Row[Any]]:
    """Store a new key (api_key.created) and return it with its secret, once."""
    _future(data.expires_at, "body.expires_at")
    issued = keys.create_key(
        session.connection(),
        secret=secret,
        role=Role(data.role),
        district_ids=[str(d) for d in data.district_ids],
        person_id=str(data.person_id) if data.person_id else None,
        label=data.label,
        expires_at=data.expires_at,
    )
    row = keys.get_key(session.connection(), issued.key_id)
    _emit(session, issued.actor_id, _event(ev.API_KEY_CREATED, row, row.person_id), issued.district_ids)
    return issued, row


def rotate_key(
    *, session: Session, secret: str, key_id: str, expires_at: datetime | None
) -> tuple[keys.IssuedKey, Row[Any]]:
    """A new secret at once, the same key id and actor (api_key.rotated); a revoked key is a 409."""
    _future(expires_at, "body.expires_at")
    issued = keys.rotate_key(
        session.connection(), key_id, secret=secret, expires_at=expires_at, keep_expiry=expires_at is None
    )
    row = keys.get_key(session.connection(), key_id)
    _emit(session, row.actor_id, _event(ev.API_KEY_ROTATED, row, row.person_id), list(row.district_ids or []))
    return issued, row


def revoke_key(*, session: Session, key_id: str) -> Row[Any]:
    """Revoke a key at once (api_key.revoked); revoking twice is a 409."""
    row = keys.get_key(session.connection(), key_id)
    if row.revoked_at is not None:
        raise ConflictError(f"API key {key_id} was already revoked", key_id=key_id)
    keys.revoke_key(session.connection(), key_id)
    row = keys.get_key(session.connection(), key_id)
    _emit(session, row.actor_id, _event(ev.API_KEY_REVOKED, row, row.person_id), list(row.district_ids or []))
    return row


def list_keys_query(*, role: str | None = None, status: KeyStatus | None = None) -> Select[Any]:
    """Keys, optionally of one role or status."""
    statement = select(api_keys)
    if role is not None:
        statement = statement.where(api_keys.c.role == role)
    now = utcnow()
    if status is KeyStatus.REVOKED:
        statement = statement.where(api_keys.c.revoked_at.is_not(None))
    elif status is KeyStatus.EXPIRED:
        statement = statement.where(api_keys.c.revoked_at.is_(None), api_keys.c.expires_at <= now)
    elif status is KeyStatus.ACTIVE:
        statement = statement.where(
            api_keys.c.revoked_at.is_(None), (api_keys.c.expires_at.is_(None)) | (api_keys.c.expires_at > now)
        )
    return statement
