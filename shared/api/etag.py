"""ETags from stream versions, and If-Match checks for concurrent edits (412 on mismatch)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Header, Response

from shared.errors import PreconditionFailedError

IF_MATCH_DESCRIPTION = "The ETag you read; 412 if the resource changed since."
IfMatch = Annotated[str | None, Header(alias="If-Match", max_length=200, description=IF_MATCH_DESCRIPTION)]
"""The ``If-Match`` request header of every edit route (the one definition; parse it with
``expected_version_from_if_match`` or through a resource dependency, ``shared.api.resources``)."""


def etag_for(version: int) -> str:
    """A strong ETag for a resource version."""
    return f'"{version}"'


def set_etag(response: Response, version: int) -> None:
    """Send the resource's ETag."""
    response.headers["ETag"] = etag_for(version)


def expected_version_from_if_match(if_match: str | None, current_version: int) -> int:
    """Check If-Match against the current version; return the version the caller edits.

    Without If-Match the caller edits the current version (last writer wins is then the caller's choice).
    """
    if if_match is None or if_match.strip() == "*":
        return current_version
    candidates = [tag.strip().removeprefix("W/") for tag in if_match.split(",")]
    if etag_for(current_version) not in candidates:
        raise PreconditionFailedError(
            f"If-Match {if_match} does not match the current ETag {etag_for(current_version)}",
            current_etag=etag_for(current_version),
        )
    return current_version
