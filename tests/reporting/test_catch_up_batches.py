"""The batched consumer: rows are kept in memory for a batch and written in bulk, so what the read models say
must not depend on where batches start and end, every row a batch reads must be prefetched (no SELECT per
event), ORM copies a caller holds must not go stale, and the lean page reader must agree with read_all."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from sqlalchemy import select
from sqlmodel import Session

from services.reporting import consumer
from services.reporting.consumer import catch_up, clear, read_for_projections
from services.reporting.models import AttendanceAnonymous, AttendancePresence, DistrictView, ProcessView
from services.reporting.projections import PROJECTIONS
from services.reporting.projections import base as projection_base
from shared.eventlog import read_all, register_upcaster
from shared.eventlog.upcasting import unregister_upcaster
from tests.reporting.conftest import EventScript
from tests.reporting.scripted import build


def snapshot(session: Session) -> dict[str, list[tuple[Any, ...]]]:
    """Every read-model row, table by table, in a stable order."""
    connection = session.connection()
    tables: dict[str, list[tuple[Any, ...]]] = {}
    for projection in PROJECTIONS:
        for model in projection.tables:
            table = model.__table__  # type: ignore[attr-defined]
            rows = [tuple(row) for row in connection.execute(select(table))]
            tables[table.name] = sorted(rows, key=repr)
    return tables


def extra_events(script: EventScript, ids: dict[str, str]) -> tuple[str, str]:
    """A district without boundary and a workshop whose attendance is recorded twice (the second wins)."""
    district = script.district("Distretto senza confini", code="D09")
    workshop = script.workshop(
        ids["PA"], ids["A"], method="world_cafe", title="Doppio appello", starts_at="2019-03-01T09:00:00Z"
    )
    for present, anonymous in (([ids["p1"], ids["p2"]], {"citizen": 3}), ([ids["p3"]], {"third_sector": 2})):
        script.emit(
            "workshop",
            workshop,
            "workshop.attendance_recorded",
            {
                "workshop_id": workshop,
                "process_id": ids["PA"],
                "district_id": ids["A"],
                "present": present,
                "absent": [],
                "anonymous_counts": anonymous,
            },
        )
    return district, workshop


def test_batch_boundaries_do_not_change_the_read_models(session: Session, script: EventScript) -> None:
    ids = build(script).ids
    district, workshop = extra_events(script, ids)
    clear(session)
    one_by_one = catch_up(session, batch_size=1)
    small = snapshot(session)
    clear(session)
    whole = catch_up(session, batch_size=5000)
    assert one_by_one.applied == whole.applied > 40
    assert whole.batches == 1
    assert snapshot(session) == small
    assert len(small["report_timeline_entries"]) > 30
    # Within one batch the second attendance record replaced the first one.
    presences = session.connection().execute(
        select(AttendancePresence.person_id).where(AttendancePresence.workshop_id == uuid.UUID(workshop))
    )
    assert [row[0] for row in presences] == [ids["p3"]]
    anonymous = session.connection().execute(
        select(AttendanceAnonymous.actor_category, AttendanceAnonymous.count).where(
            AttendanceAnonymous.workshop_id == uuid.UUID(workshop)
        )
    )
    assert [tuple(row) for row in anonymous] == [("third_sector", 2)]
    # No boundary reads back as None (JSON columns written in bulk keep the ORM's None).
    geometry = session.connection().execute(
        select(DistrictView.geometry).where(DistrictView.id == uuid.UUID(district))
    )
    assert geometry.scalar_one() is None
    # ... stored as JSON null, as the ORM stored it (not SQL NULL).
    sql_null = session.connection().execute(
        select(DistrictView.geometry.is_(None)).where(DistrictView.id == uuid.UUID(district))
    )
    assert sql_null.scalar_one() in (False, 0)


def test_every_row_a_batch_reads_is_prefetched(
    session: Session, script: EventScript, monkeypatch: pytest.MonkeyPatch
) -> None:
    ids = build(script).ids
    extra_events(script, ids)
    clear(session)
    lookups: list[int] = []
    flush = projection_base.BatchStore.flush

    def counting_flush(self: projection_base.BatchStore) -> None:
        lookups.append(self.lookups)
        flush(self)

    monkeypatch.setattr(projection_base.BatchStore, "flush", counting_flush)
    result = catch_up(session, batch_size=5000)
    assert result.batches == 1
    # One SELECT a table (or a few) before the batch, none per event.
    assert lookups == [0]


def test_rows_the_caller_already_loaded_are_not_stale(session: Session, script: EventScript) -> None:
    ids = build(script).ids
    catch_up(session)
    process = session.get(ProcessView, uuid.UUID(ids["PA"]))
    assert process is not None and process.title == "Aggiungi un posto al tavolo"
    script.emit(
        "process",
        ids["PA"],
        "process.updated",
        {"process_id": ids["PA"], "district_id": ids["A"], "changes": {"title": "Un posto in più"}},
    )
    catch_up(session)
    again = session.get(ProcessView, uuid.UUID(ids["PA"]))
    assert again is not None and again.title == "Un posto in più"


def test_the_lean_reader_returns_what_read_all_returns(session: Session, script: EventScript) -> None:
    build(script)

    @register_upcaster("priority.proposed", 1)
    def add_flag(payload: dict[str, Any]) -> dict[str, Any]:
        return {**payload, "upcast_flag": True}

    try:
        lean = read_for_projections(session, after=0, limit=10_000)
        full = read_all(session, after=0, limit=10_000)
    finally:
        unregister_upcaster("priority.proposed", 1)
    fields = (
        "position",
        "event_id",
        "stream_type",
        "stream_id",
        "version",
        "type",
        "schema_version",
        "occurred_at",
        "recorded_at",
        "actor_id",
        "correlation_id",
        "causation_id",
        "district_id",
        "payload",
    )
    assert len(lean) == len(full) > 40
    for mine, theirs in zip(lean, full, strict=True):
        assert [getattr(mine, f) for f in fields] == [getattr(theirs, f) for f in fields]
    assert any(e.payload.get("upcast_flag") for e in lean if e.type == "priority.proposed")
    assert consumer.DEFAULT_BATCH_SIZE >= 1000
