"""Idempotency keys on creating POSTs.

The same key with the same body replays the first response; the same key with a different body is a 422.
The record is written in the request's own transaction, so it exists exactly when the creation committed.
"""

from __future__ import annotations

import hashlib
import json
from datetime import timedelta
from typing import Annotated, Any

from fastapi import Depends, Header, Request, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy import delete, select
from sqlmodel import Session

from shared.auth.principal import Principal
from shared.db import utcnow
from shared.deps import PrincipalDep, SessionDep
from shared.errors import FieldError, ValidationFailed
from shared.platform.tables import idempotency_keys

IdempotencyKeyHeader = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        max_length=200,
        description="Any unique string; retrying with the same key and body returns the first response.",
    ),
]


class Idempotency:
    """The idempotency context of one creating request."""

    def __init__(
        self, session: Session, request: Request, principal: Principal, key: str | None, ttl: timedelta
    ):
        self.session = session
        self.request = request
        self.scope = principal.actor_id or "anonymous"
        self.key = key
        self.ttl = ttl
        self._hash: str | None = None

    def _request_hash(self, payload: BaseModel | dict[str, Any] | None) -> str:
        body = payload.model_dump(mode="json") if isinstance(payload, BaseModel) else payload
        text = json.dumps([self.request.method, self.request.url.path, body], sort_keys=True, default=str)
        return hashlib.sha256(text.encode()).hexdigest()

    def replay(self, payload: BaseModel | dict[str, Any] | None) -> JSONResponse | None:
        """The stored response when this key was used before with the same request; 422 if with another."""
        if not self.key:
            return None
        self._hash = self._request_hash(payload)
        row = (
            self.session.connection()
            .execute(
                select(idempotency_keys).where(
                    idempotency_keys.c.scope == self.scope,
                    idempotency_keys.c.key == self.key,
                    idempotency_keys.c.expires_at > utcnow(),
                )
            )
            .one_or_none()
        )
        if row is None:
            return None
        if row.request_hash != self._hash:
            raise ValidationFailed(
                "this Idempotency-Key was already used with a different request",
                errors=[FieldError(path="header.Idempotency-Key", message="reused with a different body")],
            )
        headers = dict(row.response_headers or {})
        headers["Idempotent-Replayed"] = "true"
        return JSONResponse(json.loads(row.response_body), status_code=row.status_code, headers=headers)

    def created(
        self, response: Response, body: BaseModel, *, location: str, etag: str | None = None
    ) -> BaseModel:
        """Set 201's Location (and ETag) and remember the response under the key, if one was sent."""
        response.status_code = 201
        response.headers["Location"] = location
        headers = {"Location": location}
        if etag:
            response.headers["ETag"] = etag
            headers["ETag"] = etag
        self.remember(201, body, headers)
        return body

    def remember(self, status_code: int, body: BaseModel, headers: dict[str, str]) -> None:
        """Store the response for replays."""
        if not self.key:
            return
        conn = self.session.connection()
        now = utcnow()
        conn.execute(
            delete(idempotency_keys).where(
                idempotency_keys.c.scope == self.scope,
                idempotency_keys.c.key == self.key,
                idempotency_keys.c.expires_at <= now,
            )
        )
        conn.execute(
            idempotency_keys.insert().values(
                scope=self.scope,
                key=self.key,
                request_hash=self._hash or "",
                status_code=status_code,
                response_body=body.model_dump_json(),
                response_headers=headers,
                created_at=now,
                expires_at=now + self.ttl,
            )
        )


async def get_idempotency(
    request: Request, session: SessionDep, principal: PrincipalDep, key: IdempotencyKeyHeader = None
) -> Idempotency:
    """The request's idempotency context (async: it reads nothing, so it needs no worker thread)."""
    hours = request.app.state.settings.idempotency_ttl_hours
    return Idempotency(session, request, principal, key, timedelta(hours=hours))


IdempotencyDep = Annotated[Idempotency, Depends(get_idempotency)]
