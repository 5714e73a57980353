"""Rules of World Café (tables, rounds, notes, harvest)."""

from __future__ import annotations

import uuid

from sqlmodel import Session, select

from services.workshops.processes.models import Workshop
from services.workshops.sessions import events as ev
from services.workshops.sessions.base import (
    WORLD_CAFE,
    append_events,
    ids_of,
    invalid,
    normalised,
    person_str,
    require_method,
)
from services.workshops.sessions.models import (
    CafeHarvest,
    CafeNote,
    CafeRound,
    CafeTable,
)
from services.workshops.sessions.world_cafe.schemas import (
    CafeHarvestIn,
    CafeNoteCreate,
    CafeRoundCreate,
    CafeTableCreate,
)
from shared.db import utcnow
from shared.errors import ConflictError, NotFoundError
from shared.eventlog import NewEvent


def add_table(*, session: Session, workshop: Workshop, data: CafeTableCreate) -> CafeTable:
    """Set up a café table (names are unique within the workshop)."""
    require_method(workshop, WORLD_CAFE)
    for other in list_tables(session=session, workshop_id=workshop.id):
        if normalised(other.name) == normalised(data.name):
            raise ConflictError(
                f"table {other.name!r} already exists ({other.id})", conflicting_table_id=str(other.id)
            )
    table = CafeTable(
        workshop_id=workshop.id, name=data.name, host_id=person_str(data.host_id), theme=data.theme
    )
    session.add(table)
    session.flush()
    payload = ev.CafeTableAdded(
        **ids_of(workshop), table_id=str(table.id), name=table.name, host_id=table.host_id, theme=table.theme
    )
    append_events(session, workshop, [NewEvent(ev.CAFE_TABLE_ADDED, payload.dump())])
    return table


def list_tables(*, session: Session, workshop_id: uuid.UUID) -> list[CafeTable]:
    """The café tables in the order they were set up."""
    return list(
        session.exec(
            select(CafeTable)
            .where(CafeTable.workshop_id == workshop_id)
            .order_by(CafeTable.created_at, CafeTable.id)  # type: ignore[arg-type]
        ).all()
    )


def add_round(*, session: Session, workshop: Workshop, data: CafeRoundCreate) -> CafeRound:
    """Add a round (numbered next unless given; a taken number is a 409)."""
    require_method(workshop, WORLD_CAFE)
    rounds = list_rounds(session=session, workshop_id=workshop.id)
    number = data.number or (max((r.number for r in rounds), default=0) + 1)
    for other in rounds:
        if other.number == number:
            raise ConflictError(
                f"round {number} already exists ({other.id})", conflicting_round_id=str(other.id)
            )
    cafe_round = CafeRound(
        workshop_id=workshop.id, number=number, question=data.question, duration_minutes=data.duration_minutes
    )
    session.add(cafe_round)
    session.flush()
    payload = ev.CafeRoundAdded(
        **ids_of(workshop),
        round_id=str(cafe_round.id),
        number=number,
        question=cafe_round.question,
        duration_minutes=cafe_round.duration_minutes,
    )
    append_events(session, workshop, [NewEvent(ev.CAFE_ROUND_ADDED, payload.dump())])
    return cafe_round


def list_rounds(*, session: Session, workshop_id: uuid.UUID) -> list[CafeRound]:
    """The rounds by number."""
    return list(
        session.exec(
            select(CafeRound).where(CafeRound.workshop_id == workshop_id).order_by(CafeRound.number)
        ).all()  # type: ignore[arg-type]
    )


def add_note(*, session: Session, workshop: Workshop, data: CafeNoteCreate) -> CafeNote:
    """Record a table's notes for a round (both must belong to the workshop)."""
    require_method(workshop, WORLD_CAFE)
    table = session.get(CafeTable, data.table_id)
    if table is None or table.workshop_id != workshop.id:
        raise invalid("body.table_id", "no such table in this workshop")
    cafe_round = session.get(CafeRound, data.round_id)
    if cafe_round is None or cafe_round.workshop_id != workshop.id:
        raise invalid("body.round_id", "no such round in this workshop")
    note = CafeNote(
        workshop_id=workshop.id,
        table_id=table.id,
        round_id=cafe_round.id,
        text=data.text,
        key_ideas=list(data.key_ideas),
    )
    session.add(note)
    session.flush()
    payload = ev.CafeNoteAdded(
        **ids_of(workshop),
        note_id=str(note.id),
        table_id=str(table.id),
        round_id=str(cafe_round.id),
        text=note.text,
        key_ideas=list(note.key_ideas),
    )
    append_events(session, workshop, [NewEvent(ev.CAFE_NOTE_ADDED, payload.dump())])
    return note


def list_notes(
    *,
    session: Session,
    workshop_id: uuid.UUID,
    table_id: uuid.UUID | None = None,
    round_id: uuid.UUID | None = None,
) -> list[CafeNote]:
    """The notes of the workshop, optionally of one table and/or one round."""
    statement = select(CafeNote).where(CafeNote.workshop_id == workshop_id)
    if table_id is not None:
        statement = statement.where(CafeNote.table_id == table_id)
    if round_id is not None:
        statement = statement.where(CafeNote.round_id == round_id)
    return list(session.exec(statement.order_by(CafeNote.created_at, CafeNote.id)).all())  # type: ignore[arg-type]


def record_harvest(
    *, session: Session, workshop: Workshop, data: CafeHarvestIn, expected_version: int
) -> CafeHarvest:
    """Record (or replace) the plenary harvest."""
    require_method(workshop, WORLD_CAFE)
    harvest = session.get(CafeHarvest, workshop.id) or CafeHarvest(workshop_id=workshop.id, text="")
    harvest.text = data.text
    harvest.key_ideas = list(data.key_ideas)
    harvest.themes = list(data.themes)
    harvest.recorded_at = utcnow()
    session.add(harvest)
    session.flush()
    payload = ev.CafeHarvestRecorded(
        **ids_of(workshop), text=harvest.text, key_ideas=list(harvest.key_ideas), themes=list(harvest.themes)
    )
    append_events(
        session,
        workshop,
        [NewEvent(ev.CAFE_HARVEST_RECORDED, payload.dump())],
        expected_version=expected_version,
    )
    return harvest


def get_harvest(*, session: Session, workshop_id: uuid.UUID) -> CafeHarvest:
    """The harvest, or NotFoundError when none was recorded yet."""
    harvest = session.get(CafeHarvest, workshop_id)
    if harvest is None:
        raise NotFoundError(f"workshop {workshop_id} has no harvest yet")
    return harvest
