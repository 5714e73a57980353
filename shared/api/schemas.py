"""Base schema and bounded field types: every string and list in the API has a length limit."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints


def _no_nul(value: str) -> str:
    if "\x00" in value:
        raise ValueError("text must not contain NUL characters")
    return value


ShortText = Annotated[
    str, StringConstraints(min_length=1, max_length=200, strip_whitespace=True), AfterValidator(_no_nul)
]
OptionalText = Annotated[str, StringConstraints(max_length=200), AfterValidator(_no_nul)]
LongText = Annotated[str, StringConstraints(max_length=20_000), AfterValidator(_no_nul)]
Code = Annotated[str, StringConstraints(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.:-]+$")]
Url = Annotated[str, StringConstraints(min_length=1, max_length=2000, pattern=r"^https?://\S+$")]
Email = Annotated[
    str,
    StringConstraints(
        max_length=254, pattern=r"^[^@\s\x00]+@[^@\s\x00]+\.[^@\s\x00]+$", strip_whitespace=True
    ),
]
Phone = Annotated[str, StringConstraints(max_length=40, pattern=r"^[0-9+() .-]{3,40}$")]


def bounded_list(max_length: int = 100) -> Any:
    """A Field for a list with at most ``max_length`` items."""
    return Field(default_factory=list, max_length=max_length)


class ApiModel(BaseModel):
    """Base of request and response bodies: unknown fields are refused."""

    model_config = ConfigDict(extra="forbid", str_max_length=20_000)


class PublicModel(BaseModel):
    """Base of response bodies built from ORM rows."""

    model_config = ConfigDict(from_attributes=True)
