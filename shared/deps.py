"""FastAPI dependencies shared by the services, as ``Annotated`` aliases.

``get_session`` owns the transaction: the route and the services it calls only flush; the session commits
once the route returned without error, so a state change and its events commit together, and rolls back
otherwise. It commits *before* the response is sent, so a client that got a 2xx has a committed write.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

import anyio
from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from shared.auth.keys import authenticate, touch_key
from shared.auth.principal import ANONYMOUS, Principal
from shared.config import Settings
from shared.context import actor_id_var
from shared.db import Database
from shared.errors import ConflictError, UnauthorizedError

READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

bearer = HTTPBearer(auto_error=False, description="An API key: `Authorization: Bearer clk_...`")


def get_settings_dep(request: Request) -> Settings:
    """The settings the app was created with."""
    settings: Settings = request.app.state.settings
    return settings


def get_database(request: Request) -> Database:
    """The app's database."""
    database: Database = request.app.state.database
    return database


def get_session(request: Request) -> Iterator[Session]:
    """One session per request, committed after the route succeeds, rolled back on any error.

    Used with ``scope="function"`` so the commit runs before the response is sent: a failed commit becomes
    an error response instead of a 2xx for a write that did not happen.
    """
    database: Database = request.app.state.database
    with database.session(write=request.method not in READ_METHODS) as session:
        try:
            yield session
            session.commit()
        except IntegrityError as exc:
            session.rollback()
            raise ConflictError(
                "the change conflicts with existing data (duplicate or missing reference)"
            ) from exc
        except BaseException:
            session.rollback()
            raise


SettingsDep = Annotated[Settings, Depends(get_settings_dep)]
DatabaseDep = Annotated[Database, Depends(get_database)]
SessionDep = Annotated[Session, Depends(get_session, scope="function")]


def _resolve_key(database: Database, key: str, secret: str) -> Principal:
    with database.session(write=False) as session:
        principal, due = authenticate(session.connection(), key, secret=secret)
        session.rollback()
    if due and principal.key_id:
        # Recorded in its own short transaction so a read request never holds a write transaction.
        with database.transaction() as session:
            touch_key(session.connection(), principal.key_id)
    return principal


async def get_principal(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> Principal:
    """Resolve the bearer key (401 when bad); anonymous when no key is sent.

    Anonymous callers may only read: a write without a key is a 401 before the route looks anything up, so
    anonymous callers cannot probe which ids exist. Async so the actor id it puts in the context reaches the
    route and the events it appends.
    """
    if credentials is None:
        actor_id_var.set(None)
        if request.method not in READ_METHODS:
            raise UnauthorizedError("Changes need an API key (Authorization: Bearer <key>).")
        return ANONYMOUS
    database: Database = request.app.state.database
    settings: Settings = request.app.state.settings
    principal = await anyio.to_thread.run_sync(
        _resolve_key, database, credentials.credentials, settings.secret_key
    )
    actor_id_var.set(principal.actor_id)
    return principal


PrincipalDep = Annotated[Principal, Depends(get_principal)]
