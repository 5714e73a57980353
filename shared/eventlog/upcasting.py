"""Upcasters: functions that lift an old event payload to the next schema version, applied on read.

Register one per (type, schema_version); reading applies them in a chain until no upcaster is left, so
stored events never change and consumers always see today's shape.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Payload = dict[str, Any]
Upcaster = Callable[[Payload], Payload]

_UPCASTERS: dict[tuple[str, int], Upcaster] = {}


def register_upcaster(event_type: str, from_version: int) -> Callable[[Upcaster], Upcaster]:
    """Decorate a function that turns a ``from_version`` payload into a ``from_version + 1`` payload."""

    def decorator(function: Upcaster) -> Upcaster:
        key = (event_type, from_version)
        if key in _UPCASTERS and _UPCASTERS[key] is not function:
            raise ValueError(f"an upcaster for {event_type} v{from_version} is already registered")
        _UPCASTERS[key] = function
        return function

    return decorator


def unregister_upcaster(event_type: str, from_version: int) -> None:
    """Remove an upcaster (used by tests)."""
    _UPCASTERS.pop((event_type, from_version), None)


def upcast(event_type: str, schema_version: int, payload: Payload) -> tuple[int, Payload]:
    """Apply every registered upcaster from ``schema_version`` on; return the final version and payload."""
    while (function := _UPCASTERS.get((event_type, schema_version))) is not None:
        payload = function(dict(payload))
        schema_version += 1
    return schema_version, payload
