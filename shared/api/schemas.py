"""Base schema and bounded field types: every string and list in the API has a length limit."""

from __future__ import annotations

from datetime import date, datetime
from types import UnionType
from typing import Annotated, Any, ClassVar, Union, get_args, get_origin

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    GetJsonSchemaHandler,
    StringConstraints,
    ValidationInfo,
    ValidatorFunctionWrapHandler,
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


EARLIEST = date(1900, 1, 1)
LATEST = date(2200, 12, 31)
_NUMBER_TYPES = (int, float)
_numeric_fields: dict[tuple[type, str], bool] = {}


def _is_numeric(annotation: Any) -> bool:
    """True for ``int``, ``float``, their ``Annotated`` and optional forms."""
    if get_origin(annotation) is Annotated:
        return _is_numeric(get_args(annotation)[0])
    if annotation in _NUMBER_TYPES:
        return True
    if get_origin(annotation) not in (Union, UnionType):
        return False
    options = [arg for arg in get_args(annotation) if arg is not type(None)]
    return bool(options) and all(_is_numeric(option) for option in options)


def check_date_range(value: Any) -> Any:
    """Refuse dates and times outside 1900-2200: nothing the programme records lies there, and beyond them
    time zone conversions overflow."""
    day = value.date() if isinstance(value, datetime) else value
    if isinstance(day, date) and not EARLIEST <= day <= LATEST:
        raise ValueError(f"must be between {EARLIEST.isoformat()} and {LATEST.isoformat()}")
    return value


class ApiModel(BaseModel):
    """Base of request bodies: unknown fields are refused, numbers are strict, dates are in a sane range."""

    model_config = ConfigDict(extra="forbid", str_max_length=20_000)

    @field_validator("*", mode="before")
    @classmethod
    def _strict_numbers(cls, value: Any, info: ValidationInfo) -> Any:
        if isinstance(value, (str, bool)) and info.field_name is not None:
            key = (cls, info.field_name)
            numeric = _numeric_fields.get(key)
            if numeric is None:
                field = cls.model_fields.get(info.field_name)
                numeric = _numeric_fields[key] = field is not None and _is_numeric(field.annotation)
            if numeric:
                raise ValueError("must be a JSON number, not a string or a boolean")
        return value

    @field_validator("*", mode="wrap")
    @classmethod
    def _sane_dates(cls, value: Any, handler: ValidatorFunctionWrapHandler) -> Any:
        result = handler(value)
        # Only what the caller sent as text is checked: values built in code are the service's own.
        if isinstance(value, str):
            check_date_range(result)
        elif isinstance(value, list) and isinstance(result, list):
            for raw, item in zip(value, result, strict=False):
                if isinstance(raw, str):
                    check_date_range(item)
        return result


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


ApiDateTime = Annotated[AwareDatetime, AfterValidator(check_date_range)]
"""A timezone-aware date and time between 1900 and 2200 (query parameters; bodies check it on ApiModel)."""
ApiDate = Annotated[date, AfterValidator(check_date_range)]
"""A date between 1900 and 2200 (query parameters; bodies check it on ApiModel)."""
