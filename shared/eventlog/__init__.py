"""The shared append-only event log: append, read, upcast and verify.

The names below load on first use (PEP 562), so that a submodule such as ``shared.eventlog.cli`` can be
imported (by the command line's parser) without loading SQLAlchemy.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from shared.eventlog.aggregates import append_to, every_versions
    from shared.eventlog.fold import fold_at, read_at, streams_at
    from shared.eventlog.store import (
        NewEvent,
        RecordedEvent,
        append,
        last_position,
        occurred_on,
        read_all,
        read_by_streams,
        read_stream,
        register_policy,
        stream_version,
    )
    from shared.eventlog.timepoint import TimePoint
    from shared.eventlog.upcasting import register_upcaster, upcast
    from shared.eventlog.verify import VerifyResult, verify_chain

_WHERE = {
    "NewEvent": "store",
    "RecordedEvent": "store",
    "append": "store",
    "append_to": "aggregates",
    "every_versions": "aggregates",
    "register_policy": "store",
    "last_position": "store",
    "occurred_on": "store",
    "read_all": "store",
    "read_by_streams": "store",
    "read_stream": "store",
    "stream_version": "store",
    "TimePoint": "timepoint",
    "fold_at": "fold",
    "read_at": "fold",
    "streams_at": "fold",
    "register_upcaster": "upcasting",
    "upcast": "upcasting",
    "VerifyResult": "verify",
    "verify_chain": "verify",
}

__all__ = [
    "NewEvent",
    "RecordedEvent",
    "TimePoint",
    "VerifyResult",
    "append",
    "append_to",
    "every_versions",
    "fold_at",
    "last_position",
    "occurred_on",
    "read_all",
    "read_at",
    "read_by_streams",
    "read_stream",
    "register_policy",
    "register_upcaster",
    "stream_version",
    "streams_at",
    "upcast",
    "verify_chain",
]


def __getattr__(name: str) -> Any:
    """Import the submodule that defines ``name`` the first time it is asked for."""
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"shared.eventlog.{module}"), name)
    globals()[name] = value
    return value
