"""The projection contract and the payload readers every projection uses.

A projection turns events into rows. ``apply`` must be idempotent: rows are upserted by the natural ids the
events carry and whole-state events (attendance) replace what they describe, so a replayed event changes
nothing. The consumer never hands a projection an event at or below its checkpoint.
"""

from __future__ import annotations

import json
import operator
import uuid
from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime
from typing import Any, ClassVar, TypeVar

import sqlalchemy as sa
from psycopg.types.json import Jsonb
from pydantic_core import PydanticUndefined
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.dialects.postgresql import dialect as pg_dialect
from sqlmodel import Session, SQLModel

from shared.db import UTCDateTime
from shared.dbapi import sqlite_timestamp, translated
from shared.eventlog import RecordedEvent

Handler = Callable[[Session, RecordedEvent], None]
M = TypeVar("M", bound=SQLModel)
_PG = pg_dialect()


class Projection:
    """A named read model: the tables it owns and one handler per event type it reads."""

    name: ClassVar[str]
    tables: ClassVar[tuple[type[SQLModel], ...]]

    def handlers(self) -> dict[str, Handler]:
        """Event type -> handler."""
        raise NotImplementedError

    def handler_map(self) -> dict[str, Handler]:
        """``handlers()`` built once (it is asked for every event)."""
        found: dict[str, Handler] | None = self.__dict__.get("_handler_map")
        if found is None:
            found = self.__dict__["_handler_map"] = self.handlers()
        return found

    def wants(self, event: RecordedEvent) -> bool:
        """Whether ``apply`` does anything with this event (a cheap filter before it)."""
        return event.type in self.handler_map()

    def keys(self, event: RecordedEvent) -> Iterable[tuple[type[SQLModel], Any]]:
        """The (table, primary key) rows applying ``event`` will read, for prefetching; none by default."""
        return ()

    def prepare(self, session: Session, events: list[RecordedEvent]) -> None:
        """Called once before a batch is applied: load every row the batch will read, a few statements a table."""
        wanted: dict[type[SQLModel], set[Any]] = {}
        for event in events:
            for model, key in self.keys(event):
                if key is not None:
                    wanted.setdefault(model, set()).add(key)
        store = batch_store(session)
        for model, keys in wanted.items():
            store.prefetch(model, keys)

    def apply(self, session: Session, event: RecordedEvent) -> None:
        """Apply one event (events this projection does not read are ignored)."""
        handler = self.handler_map().get(event.type)
        if handler is not None:
            handler(session, event)


_UUIDS: dict[str, uuid.UUID | None] = {}


def as_uuid(value: Any) -> uuid.UUID | None:
    """A UUID from a payload value, or None when absent or malformed."""
    if value is None or value == "":
        return None
    if isinstance(value, uuid.UUID):
        return value
    if type(value) is str:
        # The same ids come back event after event: parse each once (bounded memo).
        if value in _UUIDS:
            return _UUIDS[value]
        if len(_UUIDS) > 50_000:
            _UUIDS.clear()
    try:
        parsed = uuid.UUID(str(value))
    except (ValueError, AttributeError):
        parsed = None
    if type(value) is str:
        _UUIDS[value] = parsed
    return parsed


def as_date(value: Any) -> date | None:
    """A date from an ISO date or datetime string."""
    if not value:
        return None
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    try:
        text = str(value)
        return date.fromisoformat(text[:10])
    except ValueError:
        return None


def as_datetime(value: Any) -> datetime | None:
    """An aware UTC datetime from an ISO string (naive values are taken as UTC)."""
    if not value:
        return None
    try:
        parsed = (
            value
            if isinstance(value, datetime)
            else datetime.fromisoformat(str(value).replace("Z", "+00:00"))
        )
    except ValueError:
        return None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def as_int(value: Any) -> int | None:
    """An int from a payload value, or None."""
    if value is None or isinstance(value, bool):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def as_dict(value: Any) -> dict[str, Any]:
    """A payload value that should be an object, or an empty dict."""
    return value if isinstance(value, dict) else {}


def text(value: Any, limit: int = 200) -> str:
    """A bounded string for a column."""
    if value is None:
        return ""
    return str(value)[:limit]


def entity_id(event: RecordedEvent, key: str) -> uuid.UUID | None:
    """The aggregate id: from the payload key, else the stream id."""
    return as_uuid(event.payload.get(key)) or as_uuid(event.stream_id)


ROW_CACHE = "reporting_rows"
# SQLite limits bound parameters per statement; PostgreSQL is happy with the same chunks.
CHUNK = 500


class Row:
    """A read-model row held in memory during a batch: one attribute per column, no ORM bookkeeping."""

    def __init__(self, values: dict[str, Any]):
        self.__dict__.update(values)


def _defaults(model: type[SQLModel]) -> dict[str, Any]:
    """Column -> default value or factory, from the model's fields."""
    out: dict[str, Any] = {}
    for name, field in model.model_fields.items():
        if field.default_factory is not None:
            out[name] = field.default_factory
        elif field.default is PydanticUndefined:
            out[name] = None
        else:
            out[name] = field.default
    return out


class _TableInfo:
    """What the store needs to know about one read-model table."""

    def __init__(self, model: type[SQLModel]):
        self.table: sa.Table = model.__table__  # type: ignore[attr-defined]
        self.pk = [c.name for c in self.table.primary_key.columns]
        self.columns = [c.name for c in self.table.columns]
        defaults = _defaults(model)
        self.static = {name: value for name, value in defaults.items() if not callable(value)}
        self.factories = [(name, value) for name, value in defaults.items() if callable(value)]
        self.single = self.pk[0] if len(self.pk) == 1 else None
        # A row's values in column order, as a tuple (picked in C).
        getter = operator.itemgetter(*self.columns)
        self.pick: Callable[[Any], tuple[Any, ...]] = (
            getter if len(self.columns) > 1 else lambda values: (getter(values),)
        )

    def key_of(self, values: Any) -> Any:
        if self.single is not None:
            return values[self.single]
        return tuple(values[name] for name in self.pk)

    def new_row(self, overrides: dict[str, Any]) -> Row:
        if len(overrides) == len(self.columns):
            return Row(overrides)  # a whole row: no defaults to fill in
        values = dict(self.static)
        for name, factory in self.factories:
            values[name] = factory()
        values.update(overrides)
        return Row(values)


_TABLES: dict[type[SQLModel], _TableInfo] = {}


def table_info(model: type[SQLModel]) -> _TableInfo:
    """Cached column facts of a read-model table."""
    info = _TABLES.get(model)
    if info is None:
        info = _TABLES[model] = _TableInfo(model)
    return info


class BatchStore:
    """The rows one batch reads and writes, kept in memory and written with one upsert per table.

    Rows are loaded in bulk before the batch (``prefetch``), changed in place by the handlers, and written at
    the end of the batch with ``INSERT ... ON CONFLICT DO UPDATE`` (executemany), in the batch's transaction.
    A key that was neither prefetched nor known to be absent is read with one SELECT (a safe fallback).
    """

    def __init__(self, session: Session):
        self.connection = session.connection()
        self.rows: dict[type[SQLModel], dict[Any, Row]] = {}
        self.absent: dict[type[SQLModel], set[Any]] = {}
        self.dirty: dict[type[SQLModel], dict[Any, Row]] = {}
        # (models, column) -> group key -> rows replacing every stored row of that group.
        self.whole: dict[type[SQLModel], dict[Any, dict[str, Any]]] = {}
        self.replacements: dict[
            tuple[tuple[type[SQLModel], ...], str], dict[Any, list[tuple[type, dict]]]
        ] = {}
        self.lookups = 0

    def prefetch(self, model: type[SQLModel], keys: set[Any]) -> None:
        """Load the rows of ``keys`` in a few statements and remember which do not exist."""
        known = self.rows.setdefault(model, {})
        absent = self.absent.setdefault(model, set())
        wanted = [k for k in keys if k not in known and k not in absent]
        if not wanted:
            return
        info = table_info(model)
        wanted.sort(key=str)
        wanted_set = set(wanted)
        if self.connection.dialect.name == "postgresql":
            # One statement whatever the count: each key column against one array parameter (constant SQL,
            # so psycopg parses and prepares it once; 500-key IN lists were new SQL text each time).
            arrays = [wanted] if info.single is not None else list(zip(*wanted, strict=True))
            params = {
                f"k{i}": sorted({None if v is None else str(v) for v in array}, key=str)
                for i, array in enumerate(arrays)
            }
            for values in self.connection.execute(_any_select(info), params).mappings():
                key = info.key_of(values)
                if key in wanted_set:
                    known[key] = Row(dict(values))
            absent.update(k for k in wanted if k not in known)
            return
        for start in range(0, len(wanted), CHUNK):
            chunk = wanted[start : start + CHUNK]
            if info.single is not None:
                condition = info.table.c[info.single].in_(chunk)
            else:
                # Every key column bounded, so the primary key index serves composite keys too.
                condition = sa.and_(
                    *[
                        info.table.c[name].in_(sorted({k[i] for k in chunk}, key=str))
                        for i, name in enumerate(info.pk)
                    ]
                )
            for values in self.connection.execute(sa.select(info.table).where(condition)).mappings():
                key = info.key_of(values)
                if key in wanted_set:
                    known[key] = Row(dict(values))
        absent.update(k for k in wanted if k not in known)

    def get(self, model: type[SQLModel], key: Any) -> Row | None:
        """The row of ``key`` (from the batch, else the database), or None."""
        known = self.rows.setdefault(model, {})
        row = known.get(key)
        if row is not None or key in self.absent.get(model, ()):
            return row
        self.lookups += 1
        info = table_info(model)
        parts = key if isinstance(key, tuple) else (key,)
        condition = sa.and_(*[info.table.c[name] == part for name, part in zip(info.pk, parts, strict=True)])
        values = self.connection.execute(sa.select(info.table).where(condition)).mappings().first()
        if values is None:
            self.absent.setdefault(model, set()).add(key)
            return None
        row = known[key] = Row(dict(values))
        return row

    def touch(self, model: type[SQLModel], key: Any, row: Row) -> None:
        """Mark a row as changed: it is written at the end of the batch."""
        self.dirty.setdefault(model, {})[key] = row

    def get_or_new(self, model: type[SQLModel], key: Any, defaults: dict[str, Any]) -> Row:
        """The row of ``key`` or a new one with the model's defaults, marked as changed."""
        row = self.get(model, key)
        if row is None:
            row = table_info(model).new_row(defaults)
            self.rows[model][key] = row
            self.absent[model].discard(key)
        self.touch(model, key, row)
        return row

    def put(self, model: type[SQLModel], values: dict[str, Any]) -> None:
        """Write a whole row (every column), replacing any stored one with the same key (no lookup)."""
        key = table_info(model).key_of(values)
        self.rows.get(model, {}).pop(key, None)
        self.dirty.get(model, {}).pop(key, None)
        self.whole.setdefault(model, {})[key] = values

    def replace_group(
        self, models: tuple[type[SQLModel], ...], column: str, group: Any, rows: list[tuple[type, dict]]
    ) -> None:
        """Replace every stored row whose ``column`` equals ``group`` in ``models`` by ``rows``."""
        self.replacements.setdefault((models, column), {})[group] = rows

    def flush(self) -> None:
        """Write the batch's changes: group replacements, then one upsert per table."""
        for (models, column), groups in self.replacements.items():
            keys = list(groups)
            for model in models:
                table = table_info(model).table
                for start in range(0, len(keys), CHUNK):
                    chunk = keys[start : start + CHUNK]
                    self.connection.execute(sa.delete(table).where(table.c[column].in_(chunk)))
            by_model: dict[type, list[dict[str, Any]]] = {}
            for rows in groups.values():
                for model, values in rows:
                    by_model.setdefault(model, []).append(values)
            for model, values_list in by_model.items():
                self._write(table_info(model), values_list, upsert=False)
        self.replacements = {}
        for model, dirty in self.dirty.items():
            if dirty:
                self._write(table_info(model), [row.__dict__ for row in dirty.values()])
        self.dirty = {}
        for model, whole in self.whole.items():
            if whole:
                self._write(table_info(model), list(whole.values()))
        self.whole = {}

    def _write(self, info: _TableInfo, rows: list[dict[str, Any]], *, upsert: bool = True) -> None:
        if self.connection.dialect.name == "postgresql":
            self._copy(info, rows, upsert)
            return
        # SQLite: the driver's executemany of plain tuples (the row's columns picked in C), each value that
        # needs it converted as its column type would, SQL built once a table.
        statement, convert = _sqlite_insert(info, upsert, self.connection.dialect)
        pick = info.pick
        if not convert:
            params = [pick(row) for row in rows]
        else:
            params: list[tuple[Any, ...]] = []
            for row in rows:
                values = list(pick(row))
                for index, process in convert:
                    values[index] = process(values[index])
                params.append(tuple(values))
        self.connection.exec_driver_sql(statement, params)

    def _copy(self, info: _TableInfo, rows: list[dict[str, Any]], upsert: bool) -> None:
        """PostgreSQL: COPY the rows into a temporary twin of the table, then one INSERT ... SELECT from it.

        COPY's text rows cost the server about half of what parsing the same rows out of one JSON document
        did (json_populate_recordset, measured 44-60 against 80-98 us a row on a loaded machine), and the
        client no longer encodes ids and timestamps as JSON. The twin is per connection and transaction
        scoped: created when missing (a rolled-back batch takes its creation with it), emptied after use.
        """
        create, copy_sql, insert, empty = _pg_statements(info, upsert)
        connection = self.connection
        connection.exec_driver_sql(create)
        pick, convert = info.pick, _pg_conversions(info)
        cursor = connection.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
        try:
            with cursor.copy(copy_sql) as copy:
                for row in rows:
                    values = pick(row)
                    if convert:
                        values = list(values)  # type: ignore[assignment]
                        for index, process in convert:
                            values[index] = process(values[index])  # type: ignore[index]
                    copy.write_row(values)
        except connection.dialect.loaded_dbapi.Error as exc:
            raise translated(connection, copy_sql, None, exc) from exc
        finally:
            cursor.close()
        connection.exec_driver_sql(insert)
        connection.exec_driver_sql(empty)


_SQLITE_SQL: dict[tuple[str, bool], tuple[str, list[tuple[int, Callable[[Any], Any]]]]] = {}


def sqlite_utc_datetime(value: datetime | None) -> str | None:
    """``UTCDateTime``'s SQLite bind processing in one step: naive UTC text with microseconds (or None)."""
    if value is None:
        return None
    if value.tzinfo is None:
        raise ValueError("timestamps must be timezone-aware")
    return sqlite_timestamp(value)


def _sqlite_processor(column: sa.Column[Any], dialect: sa.Dialect) -> Callable[[Any], Any] | None:
    """What a value of ``column`` becomes for SQLite: the column type's bind processor, or a faster equal."""
    if isinstance(column.type, UTCDateTime):
        # The TypeDecorator's processor runs process_bind_param, then DATETIME's own string formatting.
        return sqlite_utc_datetime
    processor: Callable[[Any], Any] | None = column.type.dialect_impl(dialect).bind_processor(dialect)
    return processor


def _sqlite_insert(
    info: _TableInfo, upsert: bool, dialect: sa.Dialect
) -> tuple[str, list[tuple[int, Callable[[Any], Any]]]]:
    """INSERT ... VALUES (?, ...) [ON CONFLICT DO UPDATE] and the columns' value conversions, cached per table.

    The table is named without its schema: on SQLite every schema is mapped to the main database.
    """
    cache_key = (info.table.fullname, upsert)
    found = _SQLITE_SQL.get(cache_key)
    if found is None:
        columns = ", ".join(f'"{name}"' for name in info.columns)
        marks = ", ".join("?" for _ in info.columns)
        sql = f'INSERT INTO "{info.table.name}" ({columns}) VALUES ({marks})'
        if upsert:
            keys = ", ".join(f'"{name}"' for name in info.pk)
            updates = ", ".join(
                f'"{name}" = excluded."{name}"' for name in info.columns if name not in info.pk
            )
            sql += f" ON CONFLICT ({keys}) " + (f"DO UPDATE SET {updates}" if updates else "DO NOTHING")
        processors = [_sqlite_processor(column, dialect) for column in info.table.columns]
        convert = [(index, process) for index, process in enumerate(processors) if process is not None]
        found = _SQLITE_SQL[cache_key] = (sql, convert)
    return found


def _plain(value: Any) -> Any:
    """JSON form of the column values json.dumps does not know (ids, dates and timestamps)."""
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise ValueError("timestamps must be timezone-aware")
        return value.astimezone(UTC).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(f"cannot store {type(value).__name__} in a read model")


_ANY_SELECT: dict[str, sa.Select[Any]] = {}


def _any_select(info: _TableInfo) -> sa.Select[Any]:
    """SELECT the table's rows whose key columns are each in an array of texts (``k0``, ``k1``...), cached."""
    statement = _ANY_SELECT.get(info.table.fullname)
    if statement is None:
        conditions = [
            info.table.c[name]
            == sa.any_(sa.cast(sa.bindparam(f"k{i}", type_=ARRAY(sa.Text)), ARRAY(info.table.c[name].type)))
            for i, name in enumerate(info.pk)
        ]
        statement = _ANY_SELECT[info.table.fullname] = sa.select(info.table).where(sa.and_(*conditions))
    return statement


def _json_text(value: Any) -> str:
    return json.dumps(value, default=_plain)


def _aware(value: datetime | None) -> datetime | None:
    if value is not None and value.tzinfo is None:
        raise ValueError("timestamps must be timezone-aware")
    return value


_PG_CONVERSIONS: dict[str, list[tuple[int, Callable[[Any], Any]]]] = {}


def _pg_conversions(info: _TableInfo) -> list[tuple[int, Callable[[Any], Any]]]:
    """The values COPY cannot take as they are: JSON documents (Python None is JSON null, as SQLAlchemy
    stores it), and timestamps, which must be timezone-aware."""
    found = _PG_CONVERSIONS.get(info.table.fullname)
    if found is None:
        found = []
        for index, column in enumerate(info.table.columns):
            if isinstance(column.type.dialect_impl(_PG), JSONB):
                found.append((index, lambda value: Jsonb(value, dumps=_json_text)))
            elif isinstance(column.type, UTCDateTime):
                found.append((index, _aware))
        _PG_CONVERSIONS[info.table.fullname] = found
    return found


_PG_SQL: dict[tuple[str, bool], tuple[str, str, str, str]] = {}


def _pg_statements(info: _TableInfo, upsert: bool) -> tuple[str, str, str, str]:
    """CREATE the temporary twin, COPY into it, INSERT ... SELECT [ON CONFLICT DO UPDATE], empty it; cached."""
    cache_key = (info.table.fullname, upsert)
    found = _PG_SQL.get(cache_key)
    if found is None:
        table = f'"{info.table.schema}"."{info.table.name}"' if info.table.schema else f'"{info.table.name}"'
        twin = f'"pg_temp"."copy_{info.table.name}"'
        columns = ", ".join(f'"{name}"' for name in info.columns)
        insert = f"INSERT INTO {table} ({columns}) SELECT {columns} FROM {twin}"
        if upsert:
            keys = ", ".join(f'"{name}"' for name in info.pk)
            updates = ", ".join(
                f'"{name}" = EXCLUDED."{name}"' for name in info.columns if name not in info.pk
            )
            insert += f" ON CONFLICT ({keys}) " + (f"DO UPDATE SET {updates}" if updates else "DO NOTHING")
        found = _PG_SQL[cache_key] = (
            f"CREATE TEMPORARY TABLE IF NOT EXISTS {twin} (LIKE {table}) ON COMMIT DELETE ROWS",
            f"COPY {twin} ({columns}) FROM STDIN",
            insert,
            f"DELETE FROM {twin}",
        )
    return found


def batch_store(session: Session) -> BatchStore:
    """The store of the batch being applied in this session (created on first use)."""
    store = session.info.get(ROW_CACHE)
    if store is None:
        store = session.info[ROW_CACHE] = BatchStore(session)
    return store  # type: ignore[no-any-return]


def get_or_new(session: Session, model: type[M], key: Any, **defaults: Any) -> Any:
    """The row with primary key ``key``, or a new one: the upsert every handler uses (written at batch end)."""
    return batch_store(session).get_or_new(model, key, defaults)


def cached(session: Session, model: type[M], key: Any) -> Any:
    """A row by primary key for reading, including rows changed earlier in the batch."""
    return batch_store(session).get(model, key)


def cached_for_update(session: Session, model: type[M], key: Any) -> Any:
    """A row by primary key that the caller changes (written at batch end), or None."""
    store = batch_store(session)
    row = store.get(model, key)
    if row is not None:
        store.touch(model, key, row)
    return row


def flush_rows(session: Session) -> None:
    """Write the batch's pending rows (called by the consumer before it advances the checkpoints)."""
    store = session.info.get(ROW_CACHE)
    if store is not None:
        store.flush()


def forget_rows(session: Session) -> None:
    """Drop the batch's store, and expire ORM copies of read-model rows the session may hold (they were
    changed by Core statements behind the identity map's back)."""
    session.info.pop(ROW_CACHE, None)
    tables = {table for table in SQLModel.metadata.tables.values() if table.schema == "reporting"}
    stale = [obj for obj in session.identity_map.values() if getattr(obj, "__table__", None) in tables]
    for obj in stale:
        session.expire(obj)


def category(value: Any) -> str:
    """A normalised actor category code."""
    return text(value, 64).strip().lower() or "other"
