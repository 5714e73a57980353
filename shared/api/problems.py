"""FastAPI exception handlers rendering every error as RFC 9457 ``application/problem+json``.

The errors themselves (``shared.errors``) import no web framework; only app factories install these handlers.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from starlette.exceptions import HTTPException as StarletteHTTPException

from shared.api.openapi_polish import polish_openapi
from shared.context import current_request_id
from shared.errors import PROBLEM_BASE, PROBLEM_MEDIA_TYPE, AppError, FieldError, Problem, validation_errors

logger = logging.getLogger("communitylab.errors")


def problem_response(
    request: Request,
    *,
    status: int,
    slug: str,
    title: str,
    detail: str | None = None,
    errors: list[FieldError] | None = None,
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> JSONResponse:
    """Build one problem+json response."""
    body = Problem(
        type=PROBLEM_BASE + slug,
        title=title,
        status=status,
        detail=detail,
        instance=str(request.url.path),
        request_id=current_request_id(),
        errors=errors,
        **extra,
    ).model_dump(mode="json", exclude_none=True)
    return JSONResponse(body, status_code=status, media_type=PROBLEM_MEDIA_TYPE, headers=headers)


async def _app_error_handler(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, AppError)
    return problem_response(
        request,
        status=exc.status,
        slug=exc.slug,
        title=exc.title,
        detail=exc.detail,
        errors=exc.errors,
        headers=exc.headers or None,
        **exc.extra,
    )


JSON_MEDIA_TYPE = "application/json"


def _is_json_media_type(content_type: str) -> bool:
    media = content_type.split(";", 1)[0].strip().lower()
    return media == JSON_MEDIA_TYPE or (media.startswith("application/") and media.endswith("+json"))


def _line_and_column(text: str, position: int) -> tuple[int, int]:
    """1-based line and column of a character offset, as ``json.JSONDecodeError`` counts them."""
    line = text.count("\n", 0, position) + 1
    return line, position - (text.rfind("\n", 0, position) + 1) + 1


async def _malformed_json_error(request: Request, error: dict[str, Any]) -> FieldError:
    """Where the JSON text breaks (line, column) and why, at path ``body`` (never a character offset)."""
    position = error["loc"][1] if len(error.get("loc", ())) > 1 else None
    reason = str((error.get("ctx") or {}).get("error") or "invalid JSON")
    where = ""
    if isinstance(position, int):
        try:
            text = (await request.body()).decode("utf-8", errors="replace")
        except RuntimeError:  # the body stream is gone: report the offset only
            where = f"at character {position + 1}: "
        else:
            line, column = _line_and_column(text, position)
            where = f"line {line}, column {column} (character {position + 1}): "
    return FieldError(path="body", message=f"malformed JSON, {where}{reason}", type="json_invalid")


async def _validation_handler(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    raw = list(exc.errors())
    content_type = request.headers.get("content-type", "")
    if (
        content_type
        and not _is_json_media_type(content_type)
        and any(e.get("loc", ())[:1] == ("body",) for e in raw)
    ):
        # curl -d sends application/x-www-form-urlencoded: say what to send instead of "not a dictionary".
        return problem_response(
            request,
            status=415,
            slug="unsupported-media-type",
            title="Unsupported Media Type",
            detail=f"This operation takes a JSON body: send it with `Content-Type: {JSON_MEDIA_TYPE}` "
            f"(the request said `{content_type}`).",
            errors=[
                FieldError(
                    path="header.Content-Type",
                    message=f"expected {JSON_MEDIA_TYPE}, got {content_type}",
                    type="unsupported_media_type",
                )
            ],
        )
    malformed = [e for e in raw if e.get("type") == "json_invalid"]
    if malformed:
        return problem_response(
            request,
            status=422,
            slug="validation-error",
            title="Request validation failed",
            detail="The request body is not valid JSON; see errors for where and why.",
            errors=[await _malformed_json_error(request, malformed[0])],
        )
    return problem_response(
        request,
        status=422,
        slug="validation-error",
        title="Request validation failed",
        detail="The request does not match the expected schema; see errors.",
        errors=validation_errors(raw),
    )


# FastAPI raises this 400 when a JSON body is not even decodable (bytes that are not UTF-8); it is a payload
# problem like malformed JSON (which FastAPI already answers 422), so it gets the same documented 422.
_BODY_PARSE_ERROR = "There was an error parsing the body"


async def _http_handler(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    if exc.status_code == 400 and exc.detail == _BODY_PARSE_ERROR:
        return problem_response(
            request,
            status=422,
            slug="validation-error",
            title="Request validation failed",
            detail="The request body is not valid JSON text (UTF-8).",
            errors=[
                FieldError(path="body", message="the body could not be decoded as JSON", type="json_invalid")
            ],
        )
    slug = {
        404: "not-found",
        405: "method-not-allowed",
        406: "not-acceptable",
        415: "unsupported-media-type",
    }.get(exc.status_code, "http-error")
    return problem_response(
        request,
        status=exc.status_code,
        slug=slug,
        title=str(exc.detail) if isinstance(exc.detail, str) else "HTTP error",
        detail=str(exc.detail) if isinstance(exc.detail, str) else None,
        headers=dict(exc.headers) if exc.headers else None,
    )


async def _database_unavailable_handler(request: Request, exc: Exception) -> JSONResponse:
    logger.error("database unavailable", extra={"path": request.url.path, "error": str(exc)[:500]})
    return problem_response(
        request,
        status=503,
        slug="database-unavailable",
        title="The database is unavailable",
        detail="The database could not be reached; retry shortly.",
        headers={"Retry-After": "2"},
    )


async def _unexpected_handler(request: Request, exc: Exception) -> JSONResponse:
    logger.exception("unhandled error", extra={"path": request.url.path})
    return problem_response(
        request,
        status=500,
        slug="internal-error",
        title="Internal server error",
        detail="An unexpected error occurred.",
    )


def problem_openapi_responses(document: dict[str, Any]) -> dict[str, Any]:
    """Document every 4xx/5xx response as what the handlers really send: ``application/problem+json`` Problem.

    FastAPI documents its automatic 422 as ``HTTPValidationError`` in ``application/json`` and ``model=``
    responses as ``application/json``; the handlers above answer problem+json, so the document says so.
    """
    components = document.setdefault("components", {}).setdefault("schemas", {})
    if "Problem" not in components:
        schema = Problem.model_json_schema(ref_template="#/components/schemas/{model}")
        components.update(schema.pop("$defs", {}))
        components["Problem"] = schema
    problem_content = {PROBLEM_MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}}
    for item in document.get("paths", {}).values():
        for operation in item.values():
            if not isinstance(operation, dict):
                continue
            if "requestBody" in operation:
                responses = operation.setdefault("responses", {})
                responses.setdefault("413", {"description": "The request body exceeds the size limit"})
                responses.setdefault(
                    "415", {"description": "The body is not sent as `Content-Type: application/json`"}
                )
            for code, response in operation.get("responses", {}).items():
                if str(code)[:1] in ("4", "5") and isinstance(response, dict):
                    response["content"] = dict(problem_content)
                    if response.get("description") == "Validation Error":
                        response["description"] = "Validation failed (field paths in `errors`)"
    return document


def install_problem_openapi(app: FastAPI) -> None:
    """Post-process the app's OpenAPI document (once, then cached): security and media types declared for
    generators (``shared.api.openapi_polish``), then every error documented by ``problem_openapi_responses``."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = problem_openapi_responses(polish_openapi(generate()))
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def install_error_handlers(app: FastAPI) -> None:
    """Render every error of the app as problem+json (and document them so in OpenAPI)."""
    install_problem_openapi(app)
    app.add_exception_handler(AppError, _app_error_handler)
    app.add_exception_handler(RequestValidationError, _validation_handler)
    app.add_exception_handler(StarletteHTTPException, _http_handler)
    app.add_exception_handler(OperationalError, _database_unavailable_handler)
    app.add_exception_handler(InterfaceError, _database_unavailable_handler)
    app.add_exception_handler(PoolTimeoutError, _database_unavailable_handler)
    app.add_exception_handler(Exception, _unexpected_handler)
