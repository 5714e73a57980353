"""Dependencies shared by the processes domain's routes."""

from __future__ import annotations

from typing import Annotated

from fastapi import Header

IfMatch = Annotated[
    str | None,
    Header(alias="If-Match", max_length=200, description="The ETag you last read; 412 if it changed."),
]
