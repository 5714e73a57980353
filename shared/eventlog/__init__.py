"""The shared append-only event log: append, read, upcast and verify."""

from shared.eventlog.store import (
    NewEvent,
    RecordedEvent,
    append,
    last_position,
    read_all,
    read_by_streams,
    read_stream,
    stream_version,
)
from shared.eventlog.upcasting import register_upcaster, upcast
from shared.eventlog.verify import VerifyResult, verify_chain

__all__ = [
    "NewEvent",
    "RecordedEvent",
    "VerifyResult",
    "append",
    "last_position",
    "read_all",
    "read_by_streams",
    "read_stream",
    "register_upcaster",
    "stream_version",
    "upcast",
    "verify_chain",
]
