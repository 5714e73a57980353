"""Property tests of the event log: random append sequences keep its invariants on both databases.

Each example runs in its own savepoint (rolled back at the end), drives a few streams with random batches and
random expected versions against a simple model, then checks: versions 1..n per stream without gaps,
positions strictly increasing and gap-free, stored payloads equal what was appended, the hash chain links
and verifies, stale expectations raise ConcurrencyError and write nothing, and ``read_all`` paged in
random page sizes returns exactly the appended events.
"""

from __future__ import annotations

import itertools
import uuid
from dataclasses import dataclass
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import Session

from shared.errors import ConcurrencyError
from shared.eventlog import (
    NewEvent,
    RecordedEvent,
    append,
    last_position,
    read_all,
    read_stream,
    stream_version,
    verify_chain,
)
from shared.eventlog.store import FORBIDDEN_PAYLOAD_KEYS, compute_hash
from tests.conftest import TestDatabase

PROPERTY_SETTINGS = settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

STREAM_TYPES = ("process", "workshop", "priority")

# Text the databases store faithfully: no NUL (PostgreSQL's jsonb refuses \u0000) and no lone surrogates.
json_text = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=12)
json_keys = json_text.filter(lambda key: key not in FORBIDDEN_PAYLOAD_KEYS)
json_scalars = st.none() | st.booleans() | st.integers(-(2**53), 2**53) | json_text
json_values = st.recursive(
    json_scalars,
    lambda children: st.lists(children, max_size=3) | st.dictionaries(json_keys, children, max_size=3),
    max_leaves=8,
)
payloads = st.dictionaries(json_keys, json_values, max_size=4)


@dataclass(frozen=True)
class Op:
    """One append attempt: which stream, how many events, and how the expectation is chosen."""

    stream: int
    payloads: list[dict[str, Any]]
    expectation: str  # "current" | "any" (None) | "stale"
    stale_offset: int


ops = st.builds(
    Op,
    stream=st.integers(0, 3),
    payloads=st.lists(payloads, min_size=1, max_size=3),
    expectation=st.sampled_from(["current", "current", "any", "stale"]),
    stale_offset=st.sampled_from([-3, -1, 1, 2, 7]),
)


def _check_chain(events: list[RecordedEvent]) -> None:
    for previous, event in itertools.pairwise(events):
        assert event.prev_hash == previous.hash
    for event in events:
        row = {**event.__dict__, "event_id": str(event.event_id)}
        assert compute_hash(row) == event.hash


@PROPERTY_SETTINGS
@given(sequence=st.lists(ops, min_size=1, max_size=12), page_sizes=st.lists(st.integers(1, 7), min_size=1))
def test_random_append_sequences_keep_the_invariants(
    db: TestDatabase, sequence: list[Op], page_sizes: list[int]
) -> None:
    with db.session() as session:
        try:
            _run_sequence(session, sequence, page_sizes)
        finally:
            session.rollback()


def _run_sequence(session: Session, sequence: list[Op], page_sizes: list[int]) -> None:
    start = last_position(session)
    stream_ids = [(STREAM_TYPES[i % len(STREAM_TYPES)], str(uuid.uuid4())) for i in range(4)]
    model: dict[int, list[tuple[str, dict[str, Any]]]] = {i: [] for i in range(4)}
    appended: list[RecordedEvent] = []

    for op_index, op in enumerate(sequence):
        stream_type, stream_id = stream_ids[op.stream]
        current = len(model[op.stream])
        new_events = [
            NewEvent(f"{stream_type}.changed_{op_index}_{n}", payload)
            for n, payload in enumerate(op.payloads)
        ]
        if op.expectation == "stale":
            before = last_position(session)
            with pytest.raises(ConcurrencyError) as raised:
                append(
                    session,
                    stream_type=stream_type,
                    stream_id=stream_id,
                    expected_version=current + op.stale_offset,
                    events_to_append=new_events,
                    district_id="district-a",
                )
            assert raised.value.extra["current_version"] == current
            assert last_position(session) == before
            assert stream_version(session, stream_type, stream_id) == current
            continue
        expected = current if op.expectation == "current" else None
        recorded = append(
            session,
            stream_type=stream_type,
            stream_id=stream_id,
            expected_version=expected,
            events_to_append=new_events,
            district_id="district-a",
        )
        assert [e.version for e in recorded] == list(range(current + 1, current + 1 + len(new_events)))
        model[op.stream].extend((e.type, dict(e.payload)) for e in new_events)
        appended.extend(recorded)

    # Positions: strictly increasing and gap-free from where this example started.
    assert [e.position for e in appended] == list(range(start + 1, start + 1 + len(appended)))
    assert last_position(session) == start + len(appended)

    # Each stream: versions 1..n, types and payloads exactly as appended.
    for index, (stream_type, stream_id) in enumerate(stream_ids):
        stored = read_stream(session, stream_type, stream_id)
        assert [e.version for e in stored] == list(range(1, len(model[index]) + 1))
        assert [(e.type, e.payload) for e in stored] == model[index]
        assert stream_version(session, stream_type, stream_id) == len(model[index])

    # read_all in random page sizes returns exactly the appended events, in order, once each.
    paged: list[RecordedEvent] = []
    after, turn = start, 0
    while True:
        page = read_all(session, after=after, limit=page_sizes[turn % len(page_sizes)])
        turn += 1
        if not page:
            break
        assert len(page) <= page_sizes[(turn - 1) % len(page_sizes)]
        paged.extend(page)
        after = page[-1].position
    assert [e.event_id for e in paged] == [e.event_id for e in appended]
    assert [(e.type, e.payload, e.hash) for e in paged] == [(e.type, e.payload, e.hash) for e in appended]

    # The chain links through what this example wrote, and the whole log verifies.
    _check_chain(paged)
    result = verify_chain(session.connection(), batch_size=max(page_sizes))
    assert result.ok, result
    assert result.verified == start + len(appended)
