"""Route-level pieces shared by the outcomes topics: the If-Match header and the write errors."""

from __future__ import annotations

from typing import Annotated

from fastapi import Header

from shared.errors import problem_responses

IfMatch = Annotated[
    str | None,
    Header(alias="If-Match", max_length=200, description="The ETag you read; 412 if it changed since."),
]

WRITE_ERRORS = problem_responses(401, 403, 404, 409, 412, 422, 503)
