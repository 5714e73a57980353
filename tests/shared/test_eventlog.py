"""The event log's guarantees: versions, optimistic concurrency, append-only triggers, hash chain, upcasting."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Connection, text
from sqlalchemy.exc import DatabaseError
from sqlmodel import Session

from shared.errors import ConcurrencyError
from shared.eventlog import (
    NewEvent,
    append,
    last_position,
    read_all,
    read_stream,
    register_upcaster,
    stream_version,
    verify_chain,
)
from shared.eventlog.upcasting import unregister_upcaster


def _stream() -> str:
    return str(uuid.uuid4())


def test_append_assigns_versions_and_positions_in_order(session: Session) -> None:
    stream = _stream()
    before = last_position(session)
    first = append(
        session,
        stream_type="process",
        stream_id=stream,
        expected_version=0,
        events_to_append=[
            NewEvent("process.created", {"title": "A"}),
            NewEvent("process.renamed", {"title": "B"}),
        ],
        district_id="d1",
        actor_id="actor-1",
    )
    second = append(
        session,
        stream_type="process",
        stream_id=stream,
        expected_version=2,
        events_to_append=[NewEvent("process.closed", {})],
    )
    assert [e.version for e in first + second] == [1, 2, 3]
    assert [e.position for e in first + second] == [before + 1, before + 2, before + 3]
    assert first[1].prev_hash == first[0].hash and second[0].prev_hash == first[1].hash
    assert stream_version(session, "process", stream) == 3
    assert last_position(session) == before + 3
    stored = read_stream(session, "process", stream)
    assert [e.type for e in stored] == ["process.created", "process.renamed", "process.closed"]
    assert stored[0].actor_id == "actor-1" and stored[0].district_id == "d1"
    assert stored[0].occurred_at.tzinfo is not None


def test_stale_expected_version_raises_and_writes_nothing(session: Session) -> None:
    stream = _stream()
    append(
        session,
        stream_type="process",
        stream_id=stream,
        expected_version=0,
        events_to_append=[NewEvent("a", {})],
    )
    position = last_position(session)
    with pytest.raises(ConcurrencyError) as raised:
        append(
            session,
            stream_type="process",
            stream_id=stream,
            expected_version=0,
            events_to_append=[NewEvent("b", {})],
        )
    assert raised.value.status == 409
    assert raised.value.extra["current_version"] == 1
    assert last_position(session) == position
    assert len(read_stream(session, "process", stream)) == 1


def test_read_stream_up_to_version_and_as_of(session: Session) -> None:
    stream = _stream()
    events = append(
        session,
        stream_type="workshop",
        stream_id=stream,
        expected_version=0,
        events_to_append=[NewEvent("w.a", {"n": 1}), NewEvent("w.b", {"n": 2})],
    )
    assert [e.version for e in read_stream(session, "workshop", stream, up_to_version=1)] == [1]
    before = events[0].recorded_at - timedelta(seconds=1)
    assert read_stream(session, "workshop", stream, as_of=before) == []
    assert len(read_stream(session, "workshop", stream, as_of=events[0].recorded_at)) == 2


def test_read_all_pages_by_position(session: Session) -> None:
    start = last_position(session)
    for index in range(5):
        append(
            session,
            stream_type="t",
            stream_id=_stream(),
            expected_version=0,
            events_to_append=[NewEvent("t.x", {"i": index})],
        )
    page1 = read_all(session, after=start, limit=3)
    page2 = read_all(session, after=page1[-1].position, limit=3)
    assert [e.payload["i"] for e in page1 + page2] == [0, 1, 2, 3, 4]
    assert read_all(session, after=start, limit=10, types=["nope"]) == []


def test_personal_data_keys_are_refused_in_payloads(session: Session) -> None:
    with pytest.raises(ValueError, match="personal data"):
        append(
            session,
            stream_type="person",
            stream_id=_stream(),
            expected_version=0,
            events_to_append=[NewEvent("person.registered", {"contacts": {"email": "x@example.org"}})],
        )


@pytest.mark.parametrize("statement", ["UPDATE {events} SET type = 'tampered'", "DELETE FROM {events}"])
def test_update_and_delete_are_refused_by_the_database(
    session: Session, connection: Connection, dialect: str, statement: str
) -> None:
    append(
        session,
        stream_type="t",
        stream_id=_stream(),
        expected_version=0,
        events_to_append=[NewEvent("t.x", {})],
    )
    session.flush()
    table = "events" if dialect == "sqlite" else "eventlog.events"
    nested = connection.begin_nested()
    with pytest.raises(DatabaseError, match="append-only"):
        connection.execute(text(statement.format(events=table)))
    nested.rollback()


def test_truncate_is_refused_on_postgresql(session: Session, connection: Connection, dialect: str) -> None:
    if dialect != "postgresql":
        pytest.skip("SQLite has no TRUNCATE")
    nested = connection.begin_nested()
    with pytest.raises(DatabaseError, match="append-only"):
        connection.execute(text("TRUNCATE eventlog.events"))
    nested.rollback()


def _disable_append_only(connection: Connection, dialect: str) -> None:
    """Only a person with direct database access can do this; the test plays that person."""
    if dialect == "postgresql":
        connection.execute(text("ALTER TABLE eventlog.events DISABLE TRIGGER events_append_only"))
    else:
        connection.execute(text("DROP TRIGGER events_no_update"))


def test_verify_reports_the_first_tampered_position(
    session: Session, connection: Connection, dialect: str
) -> None:
    stream = _stream()
    recorded = append(
        session,
        stream_type="priority",
        stream_id=stream,
        expected_version=0,
        events_to_append=[
            NewEvent("priority.proposed", {"title": "Casa della salute"}),
            NewEvent("priority.submitted", {"year": 2019}),
        ],
    )
    session.flush()
    assert verify_chain(connection).ok
    _disable_append_only(connection, dialect)
    target = recorded[1].position
    payload = '{"year": 2020}'
    if dialect == "postgresql":
        connection.execute(
            text("UPDATE eventlog.events SET payload = CAST(:p AS jsonb) WHERE position = :pos"),
            {"p": payload, "pos": target},
        )
    else:
        connection.execute(
            text("UPDATE events SET payload = :p WHERE position = :pos"), {"p": payload, "pos": target}
        )
    result = verify_chain(connection)
    assert not result.ok
    assert result.broken_position == target
    assert result.verified == target - 1


def test_upcasters_apply_on_read(session: Session) -> None:
    stream = _stream()
    append(
        session,
        stream_type="workshop",
        stream_id=stream,
        expected_version=0,
        events_to_append=[NewEvent("test.venue_set", {"venue": "Sala Civica"}, schema_version=1)],
    )

    @register_upcaster("test.venue_set", 1)
    def _v1_to_v2(payload: dict) -> dict:
        return {"venue": {"name": payload["venue"], "online_url": None}}

    @register_upcaster("test.venue_set", 2)
    def _v2_to_v3(payload: dict) -> dict:
        return {**payload, "capacity": None}

    try:
        event = read_stream(session, "workshop", stream)[0]
        assert event.schema_version == 3
        assert event.payload == {"venue": {"name": "Sala Civica", "online_url": None}, "capacity": None}
        assert verify_chain(session.connection()).ok, "upcasting must never change what is stored"
    finally:
        unregister_upcaster("test.venue_set", 1)
        unregister_upcaster("test.venue_set", 2)
    assert read_stream(session, "workshop", stream)[0].payload == {"venue": "Sala Civica"}


def test_read_stream_separates_valid_time_from_transaction_time(session: Session) -> None:
    stream = _stream()
    sitting = datetime(2014, 2, 11, 23, tzinfo=UTC)
    recorded = append(
        session,
        stream_type="priority",
        stream_id=stream,
        expected_version=0,
        events_to_append=[NewEvent("priority.validated", {"sitting_date": "2014-02-12"})],
        occurred_at=sitting,
    )[0]
    assert recorded.occurred_at == sitting and recorded.recorded_at > sitting
    assert len(read_stream(session, "priority", stream, as_of=datetime(2014, 6, 30, tzinfo=UTC))) == 1
    assert read_stream(session, "priority", stream, as_of=datetime(2014, 1, 1, tzinfo=UTC)) == []
    before = recorded.recorded_at - timedelta(seconds=1)
    assert read_stream(session, "priority", stream, known_at=before) == []
    assert len(read_stream(session, "priority", stream, known_at=recorded.recorded_at)) == 1
    # Valid time is never after transaction time (a date in the future is recorded as now).
    future = append(
        session,
        stream_type="priority",
        stream_id=stream,
        expected_version=1,
        events_to_append=[NewEvent("priority.updated", {})],
        occurred_at=datetime(2199, 1, 1, tzinfo=UTC),
    )[0]
    assert future.occurred_at == future.recorded_at
    assert verify_chain(session.connection()).ok
