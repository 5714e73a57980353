"""One error hierarchy for every service, and the RFC 9457 problem+json body they are rendered as.

Services raise these; this module imports no web framework, so service code stays free of FastAPI. The
handlers that turn these errors, payload validation failures and anything unexpected into
``application/problem+json`` responses live in ``shared.api.problems``.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

PROBLEM_MEDIA_TYPE = "application/problem+json"
PROBLEM_BASE = "https://communitylab.example/problems/"


class FieldError(BaseModel):
    """One invalid field of a request."""

    path: str = Field(description="JSON path of the field, e.g. `body.phases[0].starts_on`.")
    message: str
    type: str | None = None


class Problem(BaseModel):
    """RFC 9457 problem details."""

    type: str = Field(examples=[PROBLEM_BASE + "not-found"])
    title: str = Field(examples=["Not found"])
    status: int = Field(examples=[404])
    detail: str | None = Field(default=None, examples=["process 7f0c... does not exist"])
    instance: str | None = Field(default=None, examples=["/processes/7f0c..."])
    request_id: str | None = None
    errors: list[FieldError] | None = None

    model_config = {"extra": "allow"}


class AppError(Exception):
    """Base of every error a service raises on purpose."""

    status: int = 400
    slug: str = "bad-request"
    title: str = "Bad request"

    def __init__(self, detail: str | None = None, *, errors: list[FieldError] | None = None, **extra: Any):
        super().__init__(detail or self.title)
        self.detail = detail
        self.errors = errors
        self.extra = extra
        self.headers: dict[str, str] = {}


class BadRequestError(AppError):
    """The request is well-formed JSON but cannot be honoured as asked."""


class ValidationFailed(AppError):
    """The payload violates a rule; carries field paths."""

    status, slug, title = 422, "validation-error", "Request validation failed"


class UnauthorizedError(AppError):
    """No credentials or bad credentials."""

    status, slug, title = 401, "unauthorized", "Authentication required"

    def __init__(self, detail: str | None = None, **extra: Any):
        super().__init__(detail, **extra)
        self.headers = {"WWW-Authenticate": 'Bearer realm="communitylab"'}


class ForbiddenError(AppError):
    """Authenticated but not allowed here."""

    status, slug, title = 403, "forbidden", "Not allowed"


class NotFoundError(AppError):
    """The resource does not exist (or is not visible to the caller)."""

    status, slug, title = 404, "not-found", "Not found"


class ConflictError(AppError):
    """The request conflicts with the current state (a clash, an illegal transition, a duplicate)."""

    status, slug, title = 409, "conflict", "Conflict"


class ConcurrencyError(ConflictError):
    """Someone else changed the stream since the caller read it."""

    slug, title = "concurrent-modification", "The resource was changed by someone else"


class EditWindowClosedError(ConflictError):
    """The time allowed to change something (e.g. a comment) is over."""

    slug, title = "edit-window-closed", "The time to edit this is over"


class PreconditionFailedError(AppError):
    """If-Match did not match the current ETag."""

    status, slug, title = 412, "precondition-failed", "Precondition failed"


class PreconditionRequiredError(AppError):
    """An update arrived without If-Match where one is required."""

    status, slug, title = 428, "precondition-required", "If-Match required"


class PayloadTooLargeError(AppError):
    """The request body exceeds the configured limit."""

    status, slug, title = 413, "payload-too-large", "Request body too large"


class UnsupportedMediaTypeError(AppError):
    """The body's content is of a type this operation does not take (an attachment that is not an allowed file)."""

    status, slug, title = 415, "unsupported-media-type", "Unsupported Media Type"


class UpstreamUnavailableError(AppError):
    """A service this request depends on did not answer."""

    status, slug, title = 503, "upstream-unavailable", "A service this request needs is unavailable"

    def __init__(self, detail: str | None = None, **extra: Any):
        super().__init__(detail, **extra)
        self.headers = {"Retry-After": "5"}


class BusyError(AppError):
    """Too many writes are already waiting their turn: retry after ``Retry-After`` seconds."""

    status, slug, title = 503, "busy", "Too many changes are waiting; retry shortly"

    def __init__(self, detail: str | None = None, *, retry_after: int = 1, **extra: Any):
        super().__init__(detail, **extra)
        self.headers = {"Retry-After": str(retry_after)}


class FieldRule(ValueError):
    """A cross-field rule broken in a model validator, reported at the field that must change.

    ``raise FieldRule("workshop_id", "a priority proposed by a workshop needs workshop_id")`` in a
    ``model_validator`` gives ``errors[].path`` ``body.workshop_id`` instead of ``body``.
    """

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


def _loc_to_path(loc: tuple[Any, ...] | list[Any]) -> str:
    path = ""
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            path += ("." if path else "") + str(part)
    return path


def validation_errors(raw: list[Any]) -> list[FieldError]:
    """Pydantic error dicts as FieldErrors with dotted paths."""
    errors = []
    for err in raw:
        loc = list(err.get("loc", ()))
        message = str(err.get("msg", ""))
        cause = (err.get("ctx") or {}).get("error")
        if isinstance(cause, FieldRule):
            loc.extend(cause.field.split("."))
            message = str(cause)
        errors.append(FieldError(path=_loc_to_path(loc), message=message, type=err.get("type")))
    return errors


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses`` entries for the given error statuses, all typed as Problem."""
    descriptions = {
        400: "Bad request",
        401: "Missing or invalid API key",
        403: "The key may not do this here",
        404: "Not found",
        409: "Conflict with the current state",
        412: "If-Match does not match the current ETag",
        413: "Request body too large",
        415: "The body's type is not accepted here",
        422: "Validation failed (field paths in `errors`)",
        428: "If-Match required",
        503: "A service this request needs is unavailable",
    }
    return {
        status: {
            "model": Problem,
            "description": descriptions.get(status, "Error"),
            "content": {PROBLEM_MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}},
        }
        for status in statuses
    }
