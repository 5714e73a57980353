"""The append's fast paths against their plain formulations: the hash text, timestamps, stored values, privacy.

``compute_hash`` writes the canonical JSON key by key and the append stores through the DB-API connection;
both must give exactly what the dict's canonical JSON and SQLAlchemy's column types give, or old chains stop
verifying and range filters stop matching.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import bindparam, func, select
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from shared.db import UTCDateTime
from shared.eventlog import NewEvent, append, last_position, read_stream
from shared.eventlog.store import FORBIDDEN_PAYLOAD_KEYS, compute_hash, format_timestamp
from shared.eventlog.tables import events

text = st.text(max_size=10)
scalars = (
    st.none()
    | st.booleans()
    | st.integers(-(2**60), 2**60)
    | st.floats(allow_nan=False, allow_infinity=False)
    | text
)
documents = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(text, inner, max_size=3),
    max_leaves=8,
)
moments = st.datetimes(
    min_value=datetime(1, 1, 1), max_value=datetime(9999, 12, 30), timezones=st.just(UTC)
) | st.datetimes(min_value=datetime(1900, 1, 1), max_value=datetime(2200, 1, 1), timezones=st.timezones())
optional_text = st.none() | text


def _reference_hash(row: dict[str, Any]) -> str:
    """The hash as first defined: the content dict's canonical JSON (sorted keys, compact, UTF-8)."""
    content = {
        "position": int(row["position"]),
        "event_id": str(row["event_id"]),
        "stream_type": row["stream_type"],
        "stream_id": row["stream_id"],
        "version": int(row["version"]),
        "type": row["type"],
        "schema_version": int(row["schema_version"]),
        "occurred_at": row["occurred_at"].astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        "recorded_at": row["recorded_at"].astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        "actor_id": row["actor_id"],
        "correlation_id": row["correlation_id"],
        "causation_id": row["causation_id"],
        "district_id": row["district_id"],
        "payload": row["payload"],
        "metadata": row["metadata"],
    }
    canonical = json.dumps(
        content, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    )
    return hashlib.sha256((row["prev_hash"] + canonical).encode()).hexdigest()


@settings(max_examples=300, deadline=None)
@given(
    position=st.integers(1, 2**62),
    version=st.integers(1, 2**31),
    schema_version=st.integers(1, 9),
    names=st.tuples(text, text, text),
    ids=st.tuples(optional_text, optional_text, optional_text, optional_text),
    payload=st.dictionaries(text, documents, max_size=4),
    metadata=st.dictionaries(text, documents, max_size=2),
    occurred=moments,
    recorded=moments,
    prev_hash=st.text("0123456789abcdef", min_size=64, max_size=64),
)
def test_compute_hash_is_the_canonical_json_of_the_content(
    position: int,
    version: int,
    schema_version: int,
    names: tuple[str, str, str],
    ids: tuple[str | None, str | None, str | None, str | None],
    payload: dict[str, Any],
    metadata: dict[str, Any],
    occurred: datetime,
    recorded: datetime,
    prev_hash: str,
) -> None:
    row = {
        "position": position,
        "event_id": uuid.uuid4(),
        "stream_type": names[0],
        "stream_id": names[1],
        "version": version,
        "type": names[2],
        "schema_version": schema_version,
        "occurred_at": occurred,
        "recorded_at": recorded,
        "actor_id": ids[0],
        "correlation_id": ids[1],
        "causation_id": ids[2],
        "district_id": ids[3],
        "payload": payload,
        "metadata": metadata,
        "prev_hash": prev_hash,
    }
    assert compute_hash(row) == _reference_hash(row)


@settings(max_examples=300, deadline=None)
@given(moment=moments)
def test_format_timestamp_matches_strftime(moment: datetime) -> None:
    assert format_timestamp(moment) == moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def test_stored_values_are_what_the_column_types_write(session: Session) -> None:
    stream = str(uuid.uuid4())
    # A past business time with zero microseconds and a non-UTC zone: the edge cases of the timestamp text.
    when = datetime(2024, 3, 5, 10, 0, 0, tzinfo=UTC).astimezone(ZoneInfo("Europe/Rome"))
    payload = {"città": "Forlì", "n": 1, "nested": {"b": [1, 2.5, None, True], "a": 'x"y\\z\n'}}
    [event] = append(
        session,
        stream_type="process",
        stream_id=stream,
        expected_version=0,
        events_to_append=[NewEvent("process.created", payload, metadata={"source": "test"})],
        district_id="d1",
        actor_id="actor-1",
        correlation_id="req-1",
        occurred_at=when,
    )
    assert event.occurred_at == when.astimezone(UTC)
    # Each stored value equals the same value bound through SQLAlchemy's column types (string equality on
    # SQLite): a different timestamp or UUID text would not match, nor would range filters.
    typed = (
        select(func.count())
        .select_from(events)
        .where(
            events.c.position == event.position,
            events.c.event_id == bindparam("event_id", event.event_id, type_=events.c.event_id.type),
            events.c.occurred_at == bindparam("occurred_at", when, type_=UTCDateTime),
            events.c.recorded_at == bindparam("recorded_at", event.recorded_at, type_=UTCDateTime),
            events.c.occurred_at < bindparam("later", when + timedelta(microseconds=1), type_=UTCDateTime),
        )
    )
    assert session.connection().execute(typed).scalar_one() == 1
    [stored] = read_stream(session, "process", stream)
    assert stored == event
    assert stored.payload == payload and stored.metadata == {"source": "test"}
    assert compute_hash({**stored.__dict__, "event_id": str(stored.event_id)}) == stored.hash


@pytest.mark.parametrize("key", sorted(FORBIDDEN_PAYLOAD_KEYS))
@pytest.mark.parametrize(
    "shape", [lambda k: {k: "x"}, lambda k: {"a": [{"b": {k: 1}}]}, lambda k: {"list": [[{k: None}]]}]
)
def test_personal_data_keys_are_refused_at_any_depth(session: Session, key: str, shape: Any) -> None:
    with pytest.raises(ValueError, match="personal data"):
        append(
            session,
            stream_type="person",
            stream_id=str(uuid.uuid4()),
            expected_version=0,
            events_to_append=[NewEvent("person.x", {"ok": 1}), NewEvent("person.registered", shape(key))],
        )


def test_keys_and_values_that_only_look_like_personal_data_are_kept(session: Session) -> None:
    payload = {'a"email': 1, "note": '"email":', "emails": "email", "kind": ["phone", "address"]}
    [event] = append(
        session,
        stream_type="person",
        stream_id=str(uuid.uuid4()),
        expected_version=0,
        events_to_append=[NewEvent("person.noted", payload)],
    )
    assert event.payload == payload


def test_a_driver_error_in_the_append_is_raised_as_sqlalchemy_raises_it(session: Session) -> None:
    # A row at the head's next position that did not move the head: the append's INSERT breaks the key.
    taken = last_position(session) + 1
    now = datetime.now(UTC)
    session.connection().execute(
        events.insert().values(
            position=taken,
            event_id=uuid.uuid4(),
            stream_type="process",
            stream_id=str(uuid.uuid4()),
            version=1,
            type="process.created",
            schema_version=1,
            occurred_at=now,
            recorded_at=now,
            payload={},
            metadata={},
            prev_hash="0" * 64,
            hash="0" * 64,
        )
    )
    with pytest.raises(IntegrityError):
        append(
            session,
            stream_type="process",
            stream_id=str(uuid.uuid4()),
            expected_version=0,
            events_to_append=[NewEvent("process.created", {})],
        )
