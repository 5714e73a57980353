"""Cursor pagination over HTTP: the ``limit``/``cursor`` query parameters and the ``Link`` header.

The keyset logic itself is in ``shared.pagination`` (no FastAPI, usable from services); it is re-exported here
for routes.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Query, Request, Response

from shared.pagination import Page, decode_cursor, encode_cursor, paginate, select

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


__all__ = [
    "CursorQuery",
    "LimitQuery",
    "Page",
    "decode_cursor",
    "encode_cursor",
    "link_headers",
    "paginate",
    "select",
    "set_link_header",
]
