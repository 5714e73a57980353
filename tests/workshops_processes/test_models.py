"""The migrations create exactly the tables the models describe."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from sqlalchemy import Engine, inspect
from sqlmodel import Session

from services.workshops.processes import base
from services.workshops.processes.history import service as history_service
from services.workshops.processes.models import (
    Attendance,
    Edition,
    Process,
    ProcessPhase,
    Programme,
    Registration,
    Workshop,
    WorkshopMethod,
)
from shared.errors import NotFoundError


def test_process_and_workshop_round_trip(session: Session) -> None:
    process = Process(district_id=uuid.uuid4(), title="Aggiungi un posto al tavolo", stature={"core": 6})
    session.add(process)
    session.flush()
    workshop = Workshop(
        process_id=process.id,
        district_id=process.district_id,
        method=WorkshopMethod.WORLD_CAFE,
        title="World Café",
        starts_at=datetime(2019, 3, 30, 9, tzinfo=UTC),
        ends_at=datetime(2019, 3, 30, 12, tzinfo=UTC),
        facilitator_ids=["a"],
    )
    session.add(workshop)
    session.flush()
    session.expire_all()
    assert base.get_process(session=session, process_id=process.id).stature == {"core": 6}
    loaded = base.get_workshop(session=session, workshop_id=workshop.id)
    assert loaded.starts_at == datetime(2019, 3, 30, 9, tzinfo=UTC)
    assert loaded.method is WorkshopMethod.WORLD_CAFE
    assert history_service.history_streams(session=session, process_id=process.id) == [
        ("process", str(process.id)),
        ("workshop", str(workshop.id)),
    ]


def test_unknown_ids_are_not_found(session: Session) -> None:
    missing = uuid.uuid4()
    try:
        base.get_process(session=session, process_id=missing)
    except NotFoundError as exc:
        assert str(missing) in str(exc)
    else:
        raise AssertionError("expected NotFoundError")


def test_migrations_match_models(engine: Engine) -> None:
    """Every processes model's columns, nullability and indexes exist in the migrated database."""
    inspector = inspect(engine)
    schema = "workshops" if engine.dialect.name == "postgresql" else None
    for model in (Programme, Edition, Process, ProcessPhase, Workshop, Registration, Attendance):
        table = model.__table__  # type: ignore[attr-defined]
        live = {c["name"]: c for c in inspector.get_columns(table.name, schema=schema)}
        assert set(live) == {c.name for c in table.columns}, table.name
        for column in table.columns:
            assert live[column.name]["nullable"] == column.nullable, (table.name, column.name)
        live_indexes = {i["name"] for i in inspector.get_indexes(table.name, schema=schema)}
        assert {i.name for i in table.indexes} <= live_indexes, table.name
