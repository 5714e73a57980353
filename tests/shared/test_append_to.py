"""One append helper for every aggregate, and the policies the store runs after an append (issue 15.3)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

import pytest
from sqlmodel import Session

from shared.errors import ConcurrencyError
from shared.eventlog import (
    NewEvent,
    RecordedEvent,
    append,
    append_to,
    every_versions,
    read_stream,
    register_policy,
)
from shared.eventlog.store import unregister_policy


@dataclass
class Row:
    """Stands for a table row: an id, a version and an updated_at (``session.add`` is given a real row below)."""

    id: uuid.UUID = field(default_factory=uuid.uuid4)
    version: int = 0
    updated_at: datetime = datetime(2000, 1, 1, tzinfo=UTC)


class _Session:
    """The caller's session with add/flush recorded, everything else passed to the real one."""

    def __init__(self, real: Session) -> None:
        self._real = real
        self.added: list[object] = []

    def add(self, row: object) -> None:
        self.added.append(row)

    def flush(self) -> None:
        self._real.flush()

    def __getattr__(self, name: str) -> object:
        return getattr(self._real, name)


def _events(n: int) -> list[NewEvent]:
    return [NewEvent("thing.changed", {"n": i}) for i in range(n)]


def test_append_to_keeps_the_rows_version_and_updated_at_in_step_with_its_stream(session: Session) -> None:
    row = Row()
    wrapped = _Session(session)
    first = append_to(wrapped, row=row, stream_type="thing", new_events=_events(2), expected_version=0)  # type: ignore[arg-type]
    assert row.version == 2 == first[-1].version
    assert row.updated_at == first[-1].recorded_at
    assert wrapped.added == [row]
    append_to(wrapped, row=row, stream_type="thing", new_events=_events(1), expected_version=row.version)  # type: ignore[arg-type]
    assert row.version == 3
    assert [e.version for e in read_stream(session, "thing", str(row.id))] == [1, 2, 3]
    with pytest.raises(ConcurrencyError):
        append_to(wrapped, row=row, stream_type="thing", new_events=_events(1), expected_version=1)  # type: ignore[arg-type]
    assert row.version == 3, "a refused append leaves the row as it was"


def test_a_registered_policy_runs_after_every_append_to_its_stream_type_only(session: Session) -> None:
    crossings: list[tuple[str, int]] = []
    policy = every_versions(lambda: 3, lambda _s, stream_id, version: crossings.append((stream_id, version)))
    seen: list[tuple[str, Sequence[RecordedEvent]]] = []

    def spy(_session: Session, stream_id: str, recorded: Sequence[RecordedEvent]) -> None:
        seen.append((stream_id, recorded))

    register_policy("counted", policy)
    register_policy("counted", spy)
    register_policy("counted", spy)  # registering twice runs it once
    try:
        stream = str(uuid.uuid4())
        for size in (1, 1, 2, 1, 4):  # versions 1, 2, 3-4, 5, 6-9: multiples of 3 crossed at 4 and 9
            append(
                session,
                stream_type="counted",
                stream_id=stream,
                expected_version=None,
                events_to_append=_events(size),
            )
        append(
            session, stream_type="other", stream_id=stream, expected_version=None, events_to_append=_events(5)
        )
    finally:
        unregister_policy("counted", policy)
        unregister_policy("counted", spy)
    assert crossings == [(stream, 4), (stream, 9)]
    assert [[e.version for e in recorded] for _, recorded in seen] == [[1], [2], [3, 4], [5], [6, 7, 8, 9]]
