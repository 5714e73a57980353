"""Cursor pagination over HTTP: the ``limit``/``cursor`` query parameters and the ``Link`` header.

The keyset logic itself is in ``shared.pagination`` (no FastAPI, usable from services); it is re-exported here
for routes.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Query, Request, Response
from sqlalchemy.orm import InstrumentedAttribute
from sqlmodel import Session

from shared.pagination import Page, decode_cursor, encode_cursor, paginate, select

T = TypeVar("T")

LimitQuery = Annotated[int, Query(ge=1, le=500, description="Page size (1-500).")]
CursorQuery = Annotated[
    str | None, Query(max_length=500, description="Opaque cursor from the previous page's `next_cursor`.")
]


def link_headers(request: Request, next_cursor: str | None) -> dict[str, str]:
    """``Link: <...>; rel="next"`` when there is a next page, else nothing."""
    if not next_cursor:
        return {}
    url = request.url.include_query_params(cursor=next_cursor)
    return {"Link": f'<{url}>; rel="next"'}


def set_link_header(request: Request, response: Response, next_cursor: str | None) -> None:
    """Add ``Link: <...>; rel="next"`` when there is a next page."""
    response.headers.update(link_headers(request, next_cursor))


def page_of(request: Request, response: Response, items: list[T], next_cursor: str | None) -> Page[T]:
    """The page a list route answers, its ``Link`` header set (the route's ``response_model`` types it)."""
    set_link_header(request, response, next_cursor)
    return Page(items=items, next_cursor=next_cursor)


@dataclass(frozen=True)
class PageRequest:
    """What a list route was asked for (``limit``, ``cursor``) and where its page goes (``page``)."""

    request: Request
    response: Response
    limit: int
    cursor: str | None

    def rows(
        self,
        session: Session,
        statement: Any,
        *,
        sort: InstrumentedAttribute[Any],
        tiebreak: InstrumentedAttribute[Any],
    ) -> tuple[list[Any], str | None]:
        """``shared.pagination.paginate`` of ``statement`` over this request's window: the rows, the next cursor."""
        return paginate(
            session, statement, sort=sort, tiebreak=tiebreak, limit=self.limit, cursor=self.cursor
        )

    def page(self, items: list[T], next_cursor: str | None) -> Page[T]:
        """The page of ``items``, with the ``Link`` header of the next one."""
        return page_of(self.request, self.response, items, next_cursor)


def paging(default: int = 50) -> Callable[..., Awaitable[PageRequest]]:
    """A dependency reading ``limit`` (``default`` when absent) and ``cursor``, the query of every list."""

    # async: it only reads the query, so FastAPI need not hop to a worker thread for it.
    async def dependency(
        request: Request, response: Response, limit: LimitQuery = default, cursor: CursorQuery = None
    ) -> PageRequest:
        return PageRequest(request=request, response=response, limit=limit, cursor=cursor)

    return dependency


Paging = Annotated[PageRequest, Depends(paging())]
"""``limit`` (50 by default, 1-500) and ``cursor`` of a list route, with ``.page(items, next_cursor)``."""
Paging100 = Annotated[PageRequest, Depends(paging(100))]
"""The same, 100 items by default."""

__all__ = [
    "CursorQuery",
    "LimitQuery",
    "Page",
    "PageRequest",
    "Paging",
    "Paging100",
    "decode_cursor",
    "encode_cursor",
    "link_headers",
    "page_of",
    "paginate",
    "paging",
    "select",
    "set_link_header",
]
