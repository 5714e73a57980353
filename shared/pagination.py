"""Cursor pagination: opaque cursors over a (sort key, id) keyset and ``next_cursor``.

No web framework here, so services can paginate; the query parameters and the ``Link`` header live in
``shared.api.pagination``.

Cursors are signed: an HMAC (server secret) over the keyset values *and* the list they were issued for (the
path and its filters, every query parameter but ``cursor`` and ``limit``), so a hand-made or altered cursor,
or one reused on another list or with other filters, is a 422 instead of a silently different page.
``shared.middleware.CursorScopeMiddleware`` binds each request's list and the secret; outside a request
(service calls in scripts) cursors are signed with a per-process key and bound to no list.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
from collections.abc import Callable
from contextvars import ContextVar
from datetime import datetime
from typing import Any, Generic, TypeVar
from urllib.parse import parse_qsl
from uuid import UUID

from pydantic import BaseModel, Field
from sqlalchemy import ColumnElement, Integer, and_, bindparam, or_
from sqlalchemy.orm import InstrumentedAttribute
from sqlalchemy.types import TypeDecorator
from sqlmodel import Session, select

from shared.errors import FieldError, ValidationFailed

T = TypeVar("T")
R = TypeVar("R")


class Page(BaseModel, Generic[T]):
    """One page of a list; pass ``next_cursor`` back as ``cursor`` for the next one."""

    items: list[T]
    next_cursor: str | None = Field(
        default=None, description="Cursor of the next page; null on the last page."
    )


_PROCESS_KEY = secrets.token_bytes(32)
_cursor_scope: ContextVar[tuple[bytes, str, bytes | None] | None] = ContextVar("cursor_scope", default=None)
"""(signing key, list scope) or (signing key, path, query string), the scope then computed only when used."""
UNSCOPED_PARAMETERS = frozenset({"cursor", "limit"})


def list_scope(path: str, query_string: bytes | str) -> str:
    """The list a cursor belongs to: the path and its filters in a canonical order."""
    text = query_string.decode("latin-1") if isinstance(query_string, bytes) else query_string
    filters = sorted(
        (k, v) for k, v in parse_qsl(text, keep_blank_values=True) if k not in UNSCOPED_PARAMETERS
    )
    return path + "?" + json.dumps(filters, separators=(",", ":"))


def cursor_key(secret: str) -> bytes:
    """The key cursors are signed with, derived from the server secret."""
    return hashlib.sha256(b"cursor:" + secret.encode()).digest()


def bind_cursor_scope(secret: str, scope: str) -> None:
    """Sign and check this context's cursors with ``secret`` for the list ``scope``."""
    _cursor_scope.set((cursor_key(secret), scope, None))


def bind_cursor_request(key: bytes, path: str, query_string: bytes) -> None:
    """Sign and check this context's cursors with ``key`` for the list of this request path and query.

    The scope is worked out only when a cursor is signed or checked: most requests never need it.
    """
    _cursor_scope.set((key, path, query_string))


def _signature(payload: str) -> str:
    bound = _cursor_scope.get()
    if bound is None:
        key, scope = _PROCESS_KEY, ""
    else:
        key, scope, query_string = bound
        if query_string is not None:
            scope = list_scope(scope, query_string)
    digest = hmac.new(key, f"{scope}\n{payload}".encode(), hashlib.sha256).digest()[:18]
    return base64.urlsafe_b64encode(digest).decode()


def _refused(message: str) -> ValidationFailed:
    return ValidationFailed("malformed cursor", errors=[FieldError(path="query.cursor", message=message)])


def encode_cursor(values: list[Any]) -> str:
    """Encode the sort key of the last item of a page, signed for the list being served."""
    plain = [
        v.isoformat() if isinstance(v, datetime) else str(v) if isinstance(v, UUID) else v for v in values
    ]
    payload = base64.urlsafe_b64encode(json.dumps(plain).encode()).decode().rstrip("=")
    return f"{payload}.{_signature(payload)}"


def decode_cursor(cursor: str) -> list[Any]:
    """Decode a cursor this API issued for this list and filters; anything else is a 422 on ``cursor``."""
    payload, _, signature = cursor.rpartition(".")
    if not payload or not hmac.compare_digest(signature.encode(), _signature(payload).encode()):
        raise _refused(
            "not a cursor this API issued for this list and these filters: start again without `cursor`"
        )
    try:
        padded = payload + "=" * (-len(payload) % 4)
        values = json.loads(base64.urlsafe_b64decode(padded.encode()))
        if not isinstance(values, list):
            raise ValueError
        return values
    except (ValueError, UnicodeDecodeError) as exc:
        raise _refused("not a cursor this API issued") from exc


def _bad_cursor() -> ValidationFailed:
    return ValidationFailed(
        "malformed cursor", errors=[FieldError(path="query.cursor", message="bad cursor")]
    )


def cursor_values(cursor: str | None, *types: type) -> list[Any] | None:
    """The keyset a cursor carries, one value of each of ``types`` (int, str, datetime, UUID); None without one.

    A cursor of another length or with values of other types is a 422 on ``cursor`` (the signature already
    refuses any cursor this API did not issue for this list); integers are positions, never negative.
    """
    if not cursor:
        return None
    values = decode_cursor(cursor)
    if len(values) != len(types):
        raise _bad_cursor()
    out: list[Any] = []
    for value, kind in zip(values, types, strict=True):
        try:
            if kind is int:
                if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                    raise ValueError("not a position")
                out.append(value)
            elif kind is datetime:
                out.append(datetime.fromisoformat(value))
            elif kind is UUID:
                out.append(UUID(value))
            elif isinstance(value, kind):
                out.append(value)
            else:
                raise ValueError(f"not a {kind.__name__}")
        except (TypeError, ValueError) as exc:
            raise _bad_cursor() from exc
    return out


def split_page(rows: list[T], limit: int) -> tuple[list[T], T | None]:
    """Rows read ``limit + 1`` at a time: the page, and its last row when more follow (None on the last page)."""
    if len(rows) > limit:
        page = rows[:limit]
        return page, page[-1]
    return rows, None


AFTER_SORT = "page_after_sort"
AFTER_TIEBREAK = "page_after_tiebreak"
PAGE_LIMIT = "page_limit"


def paginate(
    session: Session,
    statement: Any,
    *,
    sort: InstrumentedAttribute[Any],
    tiebreak: InstrumentedAttribute[Any],
    limit: int,
    cursor: str | None,
    descending: bool = False,
) -> tuple[list[Any], str | None]:
    """Run ``statement`` ordered by (sort, tiebreak) from ``cursor``; return the rows and the next cursor.

    ``descending`` reads newest first (both keys in descending order).
    """
    page = keyset(statement, sort=sort, tiebreak=tiebreak, after=bool(cursor), descending=descending)
    parameters = keyset_parameters(sort=sort, tiebreak=tiebreak, limit=limit, cursor=cursor)
    rows = list(session.exec(page, params=parameters).all())
    return cut_page(rows, limit, lambda last: [getattr(last, sort.key), getattr(last, tiebreak.key)])


def keyset(
    statement: Any,
    *,
    sort: InstrumentedAttribute[Any] | ColumnElement[Any],
    tiebreak: InstrumentedAttribute[Any] | ColumnElement[Any],
    after: bool,
    descending: bool = False,
) -> Any:
    """The statement ordered by (sort, tiebreak), from after a cursor's keyset when ``after``, one row past the page.

    The keyset and the page size are bound parameters (``keyset_parameters`` gives their values), so a hot read
    can build this statement once and run it for every page; with ``cut_page`` when the page is joined to more
    rows after the limit (a subquery of this statement).
    """
    if after:
        sort_value = bindparam(AFTER_SORT, type_=sort.type)
        tie_value = bindparam(AFTER_TIEBREAK, type_=tiebreak.type)
        if descending:
            after_keyset = or_(sort < sort_value, and_(sort == sort_value, tiebreak < tie_value))
        else:
            after_keyset = or_(sort > sort_value, and_(sort == sort_value, tiebreak > tie_value))
        statement = statement.where(after_keyset)
    order = (sort.desc(), tiebreak.desc()) if descending else (sort, tiebreak)
    return statement.order_by(*order).limit(bindparam(PAGE_LIMIT, type_=Integer()))


def keyset_parameters(
    *,
    sort: InstrumentedAttribute[Any] | ColumnElement[Any],
    tiebreak: InstrumentedAttribute[Any] | ColumnElement[Any],
    limit: int,
    cursor: str | None,
) -> dict[str, Any]:
    """The values of ``keyset``'s parameters: the page size and, from ``cursor``, the keyset to start after."""
    parameters: dict[str, Any] = {PAGE_LIMIT: limit + 1}
    if cursor:
        values = decode_cursor(cursor)
        if len(values) != 2:
            raise _bad_cursor()
        parameters[AFTER_SORT] = _coerce(sort, values[0])
        parameters[AFTER_TIEBREAK] = _coerce(tiebreak, values[1])
    return parameters


def cut_page(rows: list[R], limit: int, keys: Callable[[R], list[Any]]) -> tuple[list[R], str | None]:
    """The page (at most ``limit`` rows) and the cursor of the next one when the extra row came back."""
    page, last = split_page(rows, limit)
    return page, encode_cursor(keys(last)) if last is not None else None


def _coerce(column: InstrumentedAttribute[Any] | ColumnElement[Any], value: Any) -> Any:
    column_type = column.type
    # A TypeDecorator (e.g. shared.db.UTCDateTime) reports ``object``; its impl knows the real type.
    if isinstance(column_type, TypeDecorator):
        column_type = column_type.impl_instance
    try:
        python_type = column_type.python_type
    except NotImplementedError:
        return value
    try:
        if python_type is datetime and isinstance(value, str):
            return datetime.fromisoformat(value)
        if python_type is UUID and isinstance(value, str):
            return UUID(value)
        # A forged cursor must not reach the database with the wrong type (a 500 on PostgreSQL).
        if python_type is int and (isinstance(value, bool) or not isinstance(value, int)):
            raise ValueError("not an integer")
        if python_type is str and not isinstance(value, str):
            raise ValueError("not a string")
    except ValueError as exc:
        raise ValidationFailed(
            "malformed cursor", errors=[FieldError(path="query.cursor", message="bad cursor")]
        ) from exc
    return value


__all__ = [
    "Page",
    "cursor_values",
    "cut_page",
    "decode_cursor",
    "encode_cursor",
    "keyset",
    "keyset_parameters",
    "paginate",
    "select",
    "split_page",
]
