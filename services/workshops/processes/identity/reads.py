"""Core reads of processes for the hot GET routes: plain row values, no ORM objects.

Loading ``Process`` and ``ProcessPhase`` objects costs identity-map and attribute instrumentation work that a
read which only serialises the values does not need; these select the columns and return mappings shaped like
``ProcessPublic`` (the route validates and serialises them once). Each read is one statement, processes
joined to their phases: one snapshot without a transaction around it (``shared.deps.run_statement_read``).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from functools import cache
from typing import Any

from sqlalchemy import Connection, RowMapping, Select, bindparam, select

from services.workshops.processes.models import Process, ProcessPhase, ProcessStatus
from shared.errors import NotFoundError
from shared.pagination import cut_page, keyset, keyset_parameters

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
PROCESS_NAMES = tuple(column.key for column in PROCESS_COLUMNS)
PHASE_FIELDS = ("id", "name", "starts_on", "ends_on", "is_current", "position", "open_to_proposals")
PHASE_COLUMNS = tuple(_phase.c[name].label(f"phase_{name}") for name in PHASE_FIELDS)
"""A phase's columns beside its process's in one joined row, named ``phase_<field>``."""


def _grouped(rows: Iterable[RowMapping]) -> list[dict[str, Any]]:
    """Joined (process, phase) rows, in process order, as ``ProcessPublic`` data with their phases."""
    processes: list[dict[str, Any]] = []
    for row in rows:
        if not processes or processes[-1]["id"] != row["id"]:
            processes.append({name: row[name] for name in PROCESS_NAMES} | {"phases": []})
        if row["phase_id"] is not None:
            processes[-1]["phases"].append({name: row[f"phase_{name}"] for name in PHASE_FIELDS})
    return processes


# Built once: constructing a statement (and its cache key) cost more than running it on these reads.
_PROCESS_BY_ID = (
    select(*PROCESS_COLUMNS, *PHASE_COLUMNS)
    .select_from(_process.outerjoin(_phase, _phase.c.process_id == _process.c.id))
    .where(_process.c.id == bindparam("process_id"))
    .order_by(_phase.c.position)
)


def process_data(connection: Connection, process_id: uuid.UUID) -> dict[str, Any]:
    """One process with its phases (one statement, so one snapshot: the body matches its version), or 404."""
    processes = _grouped(connection.execute(_PROCESS_BY_ID, {"process_id": process_id}).mappings())
    if not processes:
        raise NotFoundError(f"process {process_id} does not exist", process_id=str(process_id))
    return processes[0]


_SORT = Process.created_at
_TIEBREAK = Process.id
FILTERS = ("district_id", "edition_id", "status")


@cache
def _page_statement(filters: frozenset[str], after: bool) -> Select[Any]:
    """The page of processes with these filters (bound parameters of their names) joined to their phases."""
    statement = select(*PROCESS_COLUMNS)
    for name in FILTERS:
        if name in filters:
            statement = statement.where(_process.c[name] == bindparam(name))
    page = keyset(statement, sort=_SORT, tiebreak=_TIEBREAK, after=after).subquery()  # type: ignore[arg-type]
    return (
        select(page, *PHASE_COLUMNS)
        .select_from(page.outerjoin(_phase, _phase.c.process_id == page.c.id))
        .order_by(page.c.created_at, page.c.id, _phase.c.position)
    )


def process_page(
    connection: Connection,
    *,
    district_id: uuid.UUID | None,
    edition_id: uuid.UUID | None,
    status: ProcessStatus | None,
    limit: int,
    cursor: str | None,
) -> tuple[list[dict[str, Any]], str | None]:
    """One page of processes by creation time with their phases, and the next page's cursor (one statement)."""
    filters = {
        name: value
        for name, value in (("district_id", district_id), ("edition_id", edition_id), ("status", status))
        if value is not None
    }
    parameters = keyset_parameters(sort=_SORT, tiebreak=_TIEBREAK, limit=limit, cursor=cursor)  # type: ignore[arg-type]
    statement = _page_statement(frozenset(filters), bool(cursor))
    processes = _grouped(connection.execute(statement, filters | parameters).mappings())
    return cut_page(processes, limit, lambda last: [last["created_at"], last["id"]])
