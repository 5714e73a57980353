"""Base schema and bounded field types: every string and list in the API has a length limit."""

from __future__ import annotations

from typing import Annotated, Any, ClassVar

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    GetJsonSchemaHandler,
    StringConstraints,
    ValidationInfo,
    field_validator,
)
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import core_schema as cs


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
Count = Annotated[int, Field(ge=0, le=1_000_000)]
"""A head count (people in a steering group, anonymous attendees of a category)."""


def bounded_list(max_length: int = 100) -> Any:
    """A Field for a list with at most ``max_length`` items."""
    return Field(default_factory=list, max_length=max_length)


class ApiModel(BaseModel):
    """Base of request and response bodies: unknown fields are refused."""

    model_config = ConfigDict(extra="forbid", str_max_length=20_000)


class PatchModel(ApiModel):
    """Base of PATCH bodies: absent fields stay as they are; ``null`` is refused (422 with the field's path)
    except on the fields in ``nullable_fields``, where it clears the value. The OpenAPI schema says the same.
    """

    nullable_fields: ClassVar[frozenset[str]] = frozenset()

    @field_validator("*", mode="before")
    @classmethod
    def _refuse_null(cls, value: Any, info: ValidationInfo) -> Any:
        if value is None and info.field_name not in cls.nullable_fields:
            raise ValueError("may not be null: leave the field out to keep its value")
        return value

    @classmethod
    def __get_pydantic_json_schema__(
        cls, core_schema: cs.CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        schema = handler(core_schema)
        target = handler.resolve_ref_schema(schema)
        for name, prop in target.get("properties", {}).items():
            if name in cls.nullable_fields or "anyOf" not in prop:
                continue
            options = [option for option in prop.pop("anyOf") if option.get("type") != "null"]
            if len(options) == 1:
                prop.update(options[0])
            else:
                prop["anyOf"] = options
            if prop.get("default", 0) is None:
                del prop["default"]
        return schema


class PublicModel(BaseModel):
    """Base of response bodies built from ORM rows."""

    model_config = ConfigDict(from_attributes=True)
