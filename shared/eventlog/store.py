"""The append-only event store shared by every service.

Ordering guarantee
------------------
Consumers page through the log with "all events after position P". That is only safe if no event can
become visible later with a position lower than one a reader has already seen. We get it by *serialising
appends*: every append first locks the single row of ``eventlog.head`` (``SELECT ... FOR UPDATE`` on
PostgreSQL; on SQLite the write lock taken by ``BEGIN IMMEDIATE``/the first write, SQLite being a single
writer). The lock is held until the appending transaction commits or rolls back, and positions are taken
from the head row (``head.position + 1``) under it. So positions are handed out in lock order, the lock is
released at commit, and a transaction holding position N+1 can only start appending after the holder of N
has finished: insert order equals commit order, positions are gap-free, and whatever a reader sees is
always a contiguous prefix of the log. The price is that appends from all services queue on one row; the
benchmark (``bench/eventlog.py``) measures it against raw inserts under the same lock and with none.

The head row also keeps the last hash, so each new event's ``prev_hash`` is read in O(1); ``hash`` is
SHA-256 over the canonical JSON of the event (position included) prefixed by ``prev_hash``: editing any
stored event breaks the chain at that position (see ``verify``).

Callers append inside their own transaction (the request's session), so a state change and its events
commit or roll back together. Nothing here commits.
"""

from __future__ import annotations

import hashlib
import json
import re
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import bindparam, func, select, text
from sqlalchemy.engine import RowMapping
from sqlalchemy.orm import Session

from shared.context import current_actor_id, current_request_id
from shared.db import utcnow
from shared.errors import ConcurrencyError
from shared.eventlog import appending
from shared.eventlog.tables import events, head
from shared.eventlog.upcasting import upcast
from shared.metrics import EVENTS_APPENDED

# Keys that would mean personal data went into an event payload; events reference people by id only.
FORBIDDEN_PAYLOAD_KEYS = frozenset(
    {
        "email",
        "phone",
        "first_name",
        "last_name",
        "full_name",
        "given_name",
        "family_name",
        "address",
        "tax_code",
    }
)


@dataclass(frozen=True)
class NewEvent:
    """An event to append: its type, payload (JSON-native) and optional metadata."""

    type: str
    payload: Mapping[str, Any]
    schema_version: int = 1
    metadata: Mapping[str, Any] = field(default_factory=dict)
    causation_id: str | None = None


@dataclass(frozen=True)
class RecordedEvent:
    """An event as stored (payload already upcast to today's schema version)."""

    position: int
    event_id: uuid.UUID
    stream_type: str
    stream_id: str
    version: int
    type: str
    schema_version: int
    occurred_at: datetime
    recorded_at: datetime
    actor_id: str | None
    correlation_id: str | None
    causation_id: str | None
    district_id: str | None
    payload: dict[str, Any]
    metadata: dict[str, Any]
    prev_hash: str
    hash: str


PLANNING_TIMEZONE = ZoneInfo("Europe/Rome")


def occurred_on(day: date | datetime | None) -> datetime | None:
    """The valid time of an event dated by the domain (a sitting date, a hand-over day, a workshop's start).

    A calendar day is its start in Europe/Rome, except today, which is now (so the day's events keep the
    order they were recorded in); a datetime is kept. None (no business date) means "now" to ``append``.
    """
    if day is None:
        return None
    if isinstance(day, datetime):
        return day.astimezone(UTC)
    now = utcnow()
    if day >= now.astimezone(PLANNING_TIMEZONE).date():
        return now
    return datetime.combine(day, time.min, tzinfo=PLANNING_TIMEZONE).astimezone(UTC)


def format_timestamp(value: datetime) -> str:
    """The canonical text of a timestamp inside the hash: UTC, microseconds, ``Z``."""
    value = value.astimezone(UTC)
    if value.year < 1000:  # isoformat pads the year to four digits, strftime's %Y does not
        return value.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    # isoformat is the same text as the strftime above for these years, at a fifth of its cost.
    return value.isoformat(timespec="microseconds")[:-6] + "Z"


_CANONICAL = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
_encode_string = json.encoder.encode_basestring  # what _CANONICAL does with a str (ensure_ascii=False)


def canonical_json(value: Any) -> str:
    """Sorted keys, no whitespace, UTF-8 characters kept: the form that is hashed."""
    return _CANONICAL.encode(value)


def _scalar(value: Any) -> str:
    if value is None:
        return "null"
    if type(value) is str:
        return _encode_string(value)
    return _CANONICAL.encode(value)


def _content_hash(
    prev_hash: str,
    *,
    position: int,
    event_id: str,
    stream_type: Any,
    stream_id: Any,
    version: int,
    type_: Any,
    schema_version: int,
    occurred_at: str,
    recorded_at: str,
    actor_id: Any,
    correlation_id: Any,
    causation_id: Any,
    district_id: Any,
    payload_json: str,
    metadata_json: str,
) -> str:
    """The hash of one event from its fields, the timestamps and JSON documents already in canonical text.

    The text is ``canonical_json`` of the content dict written out key by key in sorted order, so that an
    append encodes each payload once (the same text is stored) instead of once for the hash and once more
    for the database; tests/shared/test_eventlog_hash.py checks it against the dict's canonical JSON.
    """
    text = (
        f'{prev_hash}{{"actor_id":{_scalar(actor_id)},"causation_id":{_scalar(causation_id)},'
        f'"correlation_id":{_scalar(correlation_id)},"district_id":{_scalar(district_id)},'
        f'"event_id":{_encode_string(event_id)},"metadata":{metadata_json},"occurred_at":"{occurred_at}",'
        f'"payload":{payload_json},"position":{position},"recorded_at":"{recorded_at}",'
        f'"schema_version":{schema_version},"stream_id":{_scalar(stream_id)},'
        f'"stream_type":{_scalar(stream_type)},"type":{_scalar(type_)},"version":{version}}}'
    )
    return hashlib.sha256(text.encode()).hexdigest()


def compute_hash(row: Mapping[str, Any] | RowMapping) -> str:
    """SHA-256 of ``prev_hash`` followed by the canonical JSON of the event's content."""
    return _content_hash(
        row["prev_hash"],
        position=int(row["position"]),
        event_id=str(row["event_id"]),
        stream_type=row["stream_type"],
        stream_id=row["stream_id"],
        version=int(row["version"]),
        type_=row["type"],
        schema_version=int(row["schema_version"]),
        occurred_at=format_timestamp(row["occurred_at"]),
        recorded_at=format_timestamp(row["recorded_at"]),
        actor_id=row["actor_id"],
        correlation_id=row["correlation_id"],
        causation_id=row["causation_id"],
        district_id=row["district_id"],
        payload_json=canonical_json(row["payload"]),
        metadata_json=canonical_json(row["metadata"]),
    )


# A forbidden key always shows in a payload's canonical JSON as ``"key":`` (keys need no escaping, and a
# string value is never followed by a colon), so text without any of these needs no walk of the payload.
_FORBIDDEN_MARKS = re.compile("|".join(f'"{key}":' for key in sorted(FORBIDDEN_PAYLOAD_KEYS)))


def _check_payload(payload: Any, path: str = "payload") -> None:
    if isinstance(payload, Mapping):
        for key, value in payload.items():
            if key in FORBIDDEN_PAYLOAD_KEYS:
                raise ValueError(f"{path}.{key}: personal data must not be written to the event log")
            _check_payload(value, f"{path}.{key}")
    elif isinstance(payload, list):
        for index, item in enumerate(payload):
            _check_payload(item, f"{path}[{index}]")


_STREAM_VERSION = (
    select(func.coalesce(func.max(events.c.version), 0))
    .where(events.c.stream_type == bindparam("stream_type"), events.c.stream_id == bindparam("stream_id"))
    .scalar_subquery()
)
_READ_STREAM_VERSION = select(_STREAM_VERSION)


def stream_version(session: Session, stream_type: str, stream_id: str) -> int:
    """The current version of a stream (0 when it has no events)."""
    value = (
        session.connection()
        .execute(_READ_STREAM_VERSION, {"stream_type": stream_type, "stream_id": str(stream_id)})
        .scalar()
    )
    return int(value or 0)


AfterAppend = Callable[[Session, str, Sequence["RecordedEvent"]], None]
"""Work that follows an append to one stream type, in the same transaction: ``(session, stream_id, events)``."""

_POLICIES: dict[str, list[AfterAppend]] = {}


def register_policy(stream_type: str, policy: AfterAppend) -> None:
    """Run ``policy`` after every append to a stream of ``stream_type`` (a snapshot every N versions).

    Registered once by the domain that owns the stream type (idempotent), so no service special-cases its own
    streams in its append path.
    """
    policies = _POLICIES.setdefault(stream_type, [])
    if policy not in policies:
        policies.append(policy)


def unregister_policy(stream_type: str, policy: AfterAppend) -> None:
    """Stop running ``policy`` (tests register their own)."""
    if policy in _POLICIES.get(stream_type, []):
        _POLICIES[stream_type].remove(policy)


def append(
    session: Session,
    *,
    stream_type: str,
    stream_id: str | uuid.UUID,
    expected_version: int | None,
    events_to_append: Sequence[NewEvent],
    district_id: str | uuid.UUID | None = None,
    actor_id: str | None = None,
    correlation_id: str | None = None,
    occurred_at: datetime | None = None,
) -> list[RecordedEvent]:
    """Append events to one stream inside the caller's transaction.

    ``expected_version`` is the stream version the caller based its decision on (0 for a new stream);
    ``None`` appends whatever the version. A stale expectation raises ``ConcurrencyError``.
    ``occurred_at`` is the business time of the events (valid time, see ``occurred_on``); ``recorded_at``
    is always now (transaction time). Both are covered by the hash.
    """
    if not events_to_append:
        return []
    # Each payload is encoded once: the canonical text is checked for personal data, hashed and stored.
    encoded: list[tuple[NewEvent, dict[str, Any], str, dict[str, Any], str]] = []
    for new in events_to_append:
        payload = dict(new.payload)
        payload_json = canonical_json(payload)
        if _FORBIDDEN_MARKS.search(payload_json):
            _check_payload(payload)  # raises with the key's path (the text test can only over-report)
        metadata = dict(new.metadata)
        encoded.append((new, payload, payload_json, metadata, canonical_json(metadata) if metadata else "{}"))
    stream = str(stream_id)
    district = str(district_id) if district_id is not None else None
    conn = session.connection()
    position, prev_hash, current = appending.lock_head(conn, stream_type, stream)
    if expected_version is not None and expected_version != current:
        raise ConcurrencyError(
            f"{stream_type} {stream_id} is at version {current}, not {expected_version}",
            current_version=current,
            expected_version=expected_version,
        )
    recorded_at = utcnow()
    # Valid time: when it happened (a sitting, a hand-over), never after it was recorded; default now.
    when = recorded_at if occurred_at is None else min(occurred_at.astimezone(UTC), recorded_at)
    when_text, recorded_text = format_timestamp(when), format_timestamp(recorded_at)
    actor = actor_id if actor_id is not None else current_actor_id()
    correlation = correlation_id if correlation_id is not None else current_request_id()
    rows: list[appending.Row] = []
    recorded: list[RecordedEvent] = []
    for offset, (new, payload, payload_json, metadata, metadata_json) in enumerate(encoded, start=1):
        event_id = uuid.uuid4()
        event_hash = _content_hash(
            prev_hash,
            position=position + offset,
            event_id=str(event_id),
            stream_type=stream_type,
            stream_id=stream,
            version=current + offset,
            type_=new.type,
            schema_version=new.schema_version,
            occurred_at=when_text,
            recorded_at=recorded_text,
            actor_id=actor,
            correlation_id=correlation,
            causation_id=new.causation_id,
            district_id=district,
            payload_json=payload_json,
            metadata_json=metadata_json,
        )
        rows.append(
            (
                position + offset,
                event_id,
                stream_type,
                stream,
                current + offset,
                new.type,
                new.schema_version,
                when,
                recorded_at,
                actor,
                correlation,
                new.causation_id,
                district,
                payload_json,
                metadata_json,
                prev_hash,
                event_hash,
            )
        )
        schema_version, payload = upcast(new.type, new.schema_version, payload)
        recorded.append(
            RecordedEvent(
                position=position + offset,
                event_id=event_id,
                stream_type=stream_type,
                stream_id=stream,
                version=current + offset,
                type=new.type,
                schema_version=schema_version,
                occurred_at=when,
                recorded_at=recorded_at,
                actor_id=actor,
                correlation_id=correlation,
                causation_id=new.causation_id,
                district_id=district,
                payload=payload,
                metadata=metadata,
                prev_hash=prev_hash,
                hash=event_hash,
            )
        )
        prev_hash = event_hash
    appending.insert(conn, rows)
    _appended_counter(stream_type).inc(len(rows))
    for policy in _POLICIES.get(stream_type, ()):
        policy(session, stream, recorded)
    return recorded


_COUNTERS: dict[str, Any] = {}


def _appended_counter(stream_type: str) -> Any:
    """The appended-events counter of one stream type (``labels`` takes a lock and builds a key each call)."""
    counter = _COUNTERS.get(stream_type)
    if counter is None:
        counter = _COUNTERS[stream_type] = EVENTS_APPENDED.labels(stream_type)
    return counter


def _to_recorded(row: Mapping[str, Any] | RowMapping) -> RecordedEvent:
    event_type = row["type"]
    schema_version, payload = upcast(event_type, int(row["schema_version"]), dict(row["payload"]))
    return RecordedEvent(
        position=int(row["position"]),
        event_id=row["event_id"]
        if isinstance(row["event_id"], uuid.UUID)
        else uuid.UUID(str(row["event_id"])),
        stream_type=row["stream_type"],
        stream_id=row["stream_id"],
        version=int(row["version"]),
        type=event_type,
        schema_version=schema_version,
        occurred_at=row["occurred_at"],
        recorded_at=row["recorded_at"],
        actor_id=row["actor_id"],
        correlation_id=row["correlation_id"],
        causation_id=row["causation_id"],
        district_id=row["district_id"],
        payload=payload,
        metadata=dict(row["metadata"] or {}),
        prev_hash=row["prev_hash"],
        hash=row["hash"],
    )


def read_stream(
    session: Session,
    stream_type: str,
    stream_id: str | uuid.UUID,
    *,
    after_version: int = 0,
    up_to_version: int | None = None,
    as_of: datetime | None = None,
    known_at: datetime | None = None,
    limit: int | None = None,
) -> list[RecordedEvent]:
    """One stream's events in version order, optionally bounded by version or by a point in time.

    ``as_of`` keeps the events that had happened by then (``occurred_at``, valid time), ``known_at`` those
    recorded by then (``recorded_at``, transaction time).
    """
    query = select(events).where(events.c.stream_type == stream_type, events.c.stream_id == str(stream_id))
    if after_version:
        query = query.where(events.c.version > after_version)
    if up_to_version is not None:
        query = query.where(events.c.version <= up_to_version)
    if as_of is not None:
        query = query.where(events.c.occurred_at <= as_of)
    if known_at is not None:
        query = query.where(events.c.recorded_at <= known_at)
    query = query.order_by(events.c.version)
    if limit is not None:
        query = query.limit(limit)
    return [_to_recorded(row._mapping) for row in session.connection().execute(query)]


def read_all(
    session: Session,
    *,
    after: int = 0,
    limit: int = 1000,
    types: Sequence[str] | None = None,
    stream_types: Sequence[str] | None = None,
    district_id: str | None = None,
) -> list[RecordedEvent]:
    """At most ``limit`` events with position greater than ``after``, in position order (for consumers)."""
    query = select(events).where(events.c.position > after)
    if types:
        query = query.where(events.c.type.in_(list(types)))
    if stream_types:
        query = query.where(events.c.stream_type.in_(list(stream_types)))
    if district_id is not None:
        query = query.where(events.c.district_id == district_id)
    query = query.order_by(events.c.position).limit(limit)
    return [_to_recorded(row._mapping) for row in session.connection().execute(query)]


# SQLite keeps every schema in one file (tables unprefixed); PostgreSQL has the ``eventlog`` schema.
_STREAMS_PAGE_SQLITE = text(
    """
    WITH wanted(stream_type, stream_id) AS (
        SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]') FROM json_each(:streams)
    )
    SELECT e.position FROM wanted
    JOIN events AS e ON e.stream_type = wanted.stream_type AND e.stream_id = wanted.stream_id
    WHERE e.position > :after
    ORDER BY e.position
    LIMIT :limit
    """
)
_STREAMS_PAGE_POSTGRESQL = text(
    """
    SELECT page.position
    FROM unnest(CAST(:stream_types AS text[]), CAST(:stream_ids AS text[])) AS wanted(stream_type, stream_id)
    CROSS JOIN LATERAL (
        SELECT e.position FROM eventlog.events AS e
        WHERE e.stream_type = wanted.stream_type AND e.stream_id = wanted.stream_id AND e.position > :after
        ORDER BY e.position
        LIMIT :limit
    ) AS page
    ORDER BY page.position
    LIMIT :limit
    """
)


def read_by_streams(
    session: Session, streams: Sequence[tuple[str, str]], *, after: int = 0, limit: int = 1000
) -> list[RecordedEvent]:
    """Events of several streams merged in position order (for histories that span streams).

    Each stream is read through ``ix_events_stream_position`` from ``after`` onwards, at most ``limit``
    positions each (PostgreSQL: a LATERAL subquery per stream; SQLite stops each stream's index scan once
    the sorted page is full), so a page costs about the same whether a stream holds 10 events or 1 million.
    """
    if not streams:
        return []
    conn = session.connection()
    pairs = [(stream_type, str(stream_id)) for stream_type, stream_id in dict.fromkeys(streams)]
    if conn.dialect.name == "postgresql":
        params: dict[str, Any] = {
            "stream_types": [t for t, _ in pairs],
            "stream_ids": [i for _, i in pairs],
            "after": after,
            "limit": limit,
        }
        statement = _STREAMS_PAGE_POSTGRESQL
    else:
        params = {"streams": json.dumps(pairs), "after": after, "limit": limit}
        statement = _STREAMS_PAGE_SQLITE
    positions = [int(row[0]) for row in conn.execute(statement, params)]
    if not positions:
        return []
    query = select(events).where(events.c.position.in_(positions)).order_by(events.c.position)
    return [_to_recorded(row._mapping) for row in conn.execute(query)]


def last_position(session: Session) -> int:
    """The position of the newest committed event (0 for an empty log)."""
    value = session.connection().execute(select(head.c.position).where(head.c.id == 1)).scalar()
    return int(value or 0)
