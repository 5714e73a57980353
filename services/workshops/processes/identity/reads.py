"""Core reads of processes for the hot GET routes: plain row values, no ORM objects.

Loading ``Process`` and ``ProcessPhase`` objects costs identity-map and attribute instrumentation work that a
read which only serialises the values does not need; these select the columns and return mappings shaped like
``ProcessPublic`` (the route validates and serialises them once).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, Select, select

from services.workshops.processes.models import Process, ProcessPhase, ProcessStatus
from shared.errors import NotFoundError
from shared.pagination import paginate_rows

_process = Process.__table__  # type: ignore[attr-defined]
_phase = ProcessPhase.__table__  # type: ignore[attr-defined]

PROCESS_COLUMNS = (
    _process.c.id,
    _process.c.district_id,
    _process.c.edition_id,
    _process.c.title,
    _process.c.purpose,
    _process.c.weight,
    _process.c.transformations,
    _process.c.methods_and_tools,
    _process.c.distinctive_marks,
    _process.c.started_on,
    _process.c.location,
    _process.c.stature,
    _process.c.contacts,
    _process.c.status,
    _process.c.closed_on,
    _process.c.version,
    _process.c.created_at,
)
PHASE_COLUMNS = (
    _phase.c.process_id,
    _phase.c.id,
    _phase.c.name,
    _phase.c.starts_on,
    _phase.c.ends_on,
    _phase.c.is_current,
    _phase.c.position,
    _phase.c.open_to_proposals,
)


def processes_statement(
    *,
    district_id: uuid.UUID | None = None,
    edition_id: uuid.UUID | None = None,
    status: ProcessStatus | None = None,
) -> Select[Any]:
    """Select the columns of processes with optional filters (the list's statement)."""
    statement = select(*PROCESS_COLUMNS)
    if district_id is not None:
        statement = statement.where(_process.c.district_id == district_id)
    if edition_id is not None:
        statement = statement.where(_process.c.edition_id == edition_id)
    if status is not None:
        statement = statement.where(_process.c.status == status)
    return statement


def phases_statement(process_ids: Sequence[uuid.UUID]) -> Select[Any]:
    """Select the phases of some processes, in order."""
    return (
        select(*PHASE_COLUMNS)
        .where(_phase.c.process_id.in_(process_ids))
        .order_by(_phase.c.process_id, _phase.c.position)
    )


def with_phases(connection: Connection, rows: Sequence[Any]) -> list[dict[str, Any]]:
    """Process rows as ``ProcessPublic`` data, the phases of all of them read in one query."""
    processes = [dict(row) for row in rows]
    phases: dict[uuid.UUID, list[dict[str, Any]]] = {}
    for process in processes:
        process["phases"] = phases.setdefault(process["id"], [])
    if processes:
        for phase in connection.execute(phases_statement(list(phases))).mappings():
            phases[phase["process_id"]].append(dict(phase))
    return processes


def process_data(connection: Connection, process_id: uuid.UUID) -> dict[str, Any]:
    """One process with its phases, or NotFoundError."""
    row = connection.execute(select(*PROCESS_COLUMNS).where(_process.c.id == process_id)).mappings().first()
    if row is None:
        raise NotFoundError(f"process {process_id} does not exist", process_id=str(process_id))
    return with_phases(connection, [row])[0]


def process_page(
    connection: Connection,
    *,
    district_id: uuid.UUID | None,
    edition_id: uuid.UUID | None,
    status: ProcessStatus | None,
    limit: int,
    cursor: str | None,
) -> tuple[list[dict[str, Any]], str | None]:
    """One page of processes by creation time with their phases, and the next page's cursor."""
    rows, next_cursor = paginate_rows(
        connection,
        processes_statement(district_id=district_id, edition_id=edition_id, status=status),
        sort=Process.created_at,  # type: ignore[arg-type]
        tiebreak=Process.id,  # type: ignore[arg-type]
        limit=limit,
        cursor=cursor,
    )
    return with_phases(connection, rows), next_cursor
