"""Route-level pieces shared by the outcomes topics: the If-Match header and the write errors."""

from __future__ import annotations

from shared.errors import problem_responses

WRITE_ERRORS = problem_responses(401, 403, 404, 409, 412, 422, 503)
