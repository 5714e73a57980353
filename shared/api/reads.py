"""Responses of the hot read routes, serialised once.

A route that returns a model lets FastAPI dump it to Python objects, validate them again against the
``response_model`` and encode the result: three passes over the body. These helpers validate the row data once
and encode it with pydantic's serializer straight to bytes; the route keeps its ``response_model`` so the
OpenAPI document is unchanged, and FastAPI passes the ``Response`` through untouched.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from fastapi import Request, Response
from pydantic import BaseModel

from shared.api.etag import etag_for
from shared.api.pagination import link_headers
from shared.pagination import Page

M = TypeVar("M", bound=BaseModel)
JSON_MEDIA_TYPE = "application/json"


def model_response(
    body: BaseModel, *, version: int | None = None, headers: Mapping[str, str] | None = None
) -> Response:
    """The model as a JSON response, with the ETag of ``version`` when given."""
    all_headers = dict(headers or {})
    if version is not None:
        all_headers["ETag"] = etag_for(version)
    content = type(body).__pydantic_serializer__.to_json(body)
    return Response(content=content, media_type=JSON_MEDIA_TYPE, headers=all_headers)


def validated_response(
    model: type[M],
    data: Mapping[str, Any],
    *,
    version: int | None = None,
    headers: Mapping[str, str] | None = None,
) -> Response:
    """``data`` (row values) validated as ``model`` and sent as JSON, with the ETag of ``version`` when given."""
    return model_response(model.model_validate(data), version=version, headers=headers)


def page_response(
    request: Request, item_model: type[BaseModel], items: list[Any], next_cursor: str | None
) -> Response:
    """One page of a list (``Page[item_model]``) as JSON, with the ``Link`` header of the next page."""
    return validated_response(
        Page[item_model],  # type: ignore[valid-type]
        {"items": items, "next_cursor": next_cursor},
        headers=link_headers(request, next_cursor),
    )
