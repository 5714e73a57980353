"""The one privacy policy: which response fields are personal, who may see them, and a model's view for a caller.

Personal fields (names, emails, phones, fiscal codes, and the person ids that tie a person to a workshop) are
marked once on the response schema, ``given_name: Annotated[str | None, Personal] = None``; the marker also
puts ``"x-personal": true`` in the OpenAPI document, so clients and the access tests can find them.

Who sees them depends on whose work needs them, described by a ``Scope``:

- regional administrators: everything;
- district editors: data of the districts on their key (``scope.district_ids``);
- facilitators: data of the workshops they facilitate (``scope.facilitator_ids``), e.g. the people registered
  to or attending them;
- integration keys and anonymous callers: never.

Routes call ``view(model, principal, scope)``; a list filters first with ``may_see`` where an item outside
the scope must not even be listed (people), and redacts otherwise (attendance counts stay public).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from typing import Any, TypeVar, get_origin

from pydantic import BaseModel, GetJsonSchemaHandler
from pydantic.fields import FieldInfo
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema, PydanticUndefined

from shared.auth.principal import Principal, Role

M = TypeVar("M", bound=BaseModel)

PERSONAL_SCHEMA_KEY = "x-personal"


class _PersonalMarker:
    """``Annotated`` metadata marking a field as personal data (see the module docstring)."""

    def __get_pydantic_json_schema__(
        self, core_schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        schema = dict(handler(core_schema))
        schema[PERSONAL_SCHEMA_KEY] = True
        return schema

    def __repr__(self) -> str:
        return "Personal"


Personal = _PersonalMarker()


@dataclass(frozen=True)
class Scope:
    """Whose work needs a piece of personal data: the districts it belongs to and the facilitators involved."""

    district_ids: frozenset[str] = field(default_factory=frozenset)
    facilitator_ids: frozenset[str] = field(default_factory=frozenset)

    @classmethod
    def of(cls, district_ids: Iterable[object] = (), facilitator_ids: Iterable[object] = ()) -> Scope:
        """A scope from ids of any type (UUIDs or strings)."""
        return cls(frozenset(str(d) for d in district_ids), frozenset(str(f) for f in facilitator_ids))


def may_see(principal: Principal, scope: Scope) -> bool:
    """True when this caller may see the personal data of ``scope``."""
    if principal.is_admin:
        return True
    if principal.role is Role.DISTRICT_EDITOR:
        return not principal.district_ids.isdisjoint(scope.district_ids)
    if principal.role is Role.FACILITATOR:
        return principal.person_id is not None and principal.person_id in scope.facilitator_ids
    return False


@cache
def personal_fields(model_type: type[BaseModel]) -> frozenset[str]:
    """Names of the fields marked ``Personal`` on a model."""
    return frozenset(
        name
        for name, info in model_type.model_fields.items()
        if any(isinstance(m, _PersonalMarker) for m in info.metadata)
    )


def view(model: M, principal: Principal, scope: Scope) -> M:
    """The model as this principal may see it: personal fields (also of nested models) emptied outside scope."""
    return model if may_see(principal, scope) else redacted(model)


def redacted(model: M) -> M:
    """A copy of the model with every personal field (also of nested models) set to its empty value."""
    marked = personal_fields(type(model))
    updates: dict[str, Any] = {}
    for name, info in type(model).model_fields.items():
        value = getattr(model, name)
        if name in marked:
            updates[name] = _empty(info)
        elif isinstance(value, BaseModel):
            updates[name] = redacted(value)
        elif isinstance(value, list) and any(isinstance(v, BaseModel) for v in value):
            updates[name] = [redacted(v) if isinstance(v, BaseModel) else v for v in value]
    return model.model_copy(update=updates)


def _empty(info: FieldInfo) -> Any:
    if info.default_factory is not None:
        return info.default_factory()  # type: ignore[call-arg]
    if info.default is not PydanticUndefined:
        return info.default
    return [] if get_origin(info.annotation) is list else None
