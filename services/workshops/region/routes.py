"""HTTP routes of the lists across the region: ``GET /workshops`` and ``GET /priorities``.

They read like the process and district lists (public, cursor-paginated, the same item schemas); a filter on
an unknown district or edition gives an empty page, as ``GET /processes?district_id=`` does.
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Query

from services.workshops.outcomes.models import Priority, PriorityState
from services.workshops.outcomes.priorities.schemas import PriorityPublic
from services.workshops.outcomes.priorities.service import priority_view
from services.workshops.processes.models import Workshop, WorkshopMethod, WorkshopStatus
from services.workshops.processes.scheduling.schemas import WorkshopPublic
from services.workshops.region import queries
from shared.api.pagination import Page, Paging, paginate
from shared.api.schemas import ApiDateTime
from shared.deps import SessionDep
from shared.errors import problem_responses

router = APIRouter()

DistrictsQuery = Annotated[
    list[uuid.UUID] | None,
    Query(alias="district_id", max_length=50, description="Only these districts (repeatable)."),
]
EditionQuery = Annotated[uuid.UUID | None, Query(description="Only this edition of a programme.")]
ProcessQuery = Annotated[uuid.UUID | None, Query(description="Only this process.")]


@router.get(
    "/workshops",
    response_model=Page[WorkshopPublic],
    summary="List workshops across the region",
    tags=["workshops"],
    responses=problem_responses(422),
)
def list_workshops(
    session: SessionDep,
    paging: Paging,
    district_ids: DistrictsQuery = None,
    edition_id: EditionQuery = None,
    process_id: ProcessQuery = None,
    status: Annotated[
        list[WorkshopStatus] | None, Query(max_length=10, description="Only these statuses (repeatable).")
    ] = None,
    method: Annotated[
        list[WorkshopMethod] | None, Query(max_length=10, description="Only these methods (repeatable).")
    ] = None,
    year: Annotated[
        int | None, Query(ge=2000, le=2100, description="Only workshops starting in this year (Europe/Rome).")
    ] = None,
    starts_from: Annotated[
        ApiDateTime | None, Query(alias="from", description="Only workshops ending after this.")
    ] = None,
    starts_before: Annotated[
        ApiDateTime | None, Query(alias="to", description="Only workshops starting before this.")
    ] = None,
) -> Any:
    """Workshops of every district by start time, e.g. `?district_id=...&method=world_cafe&year=2018`."""
    statement = queries.workshops_statement(
        district_ids=district_ids or [],
        edition_id=edition_id,
        process_id=process_id,
        statuses=status or [],
        methods=method or [],
        year=year,
        starts_from=starts_from,
        starts_before=starts_before,
    )
    rows, next_cursor = paginate(
        session,
        statement,
        sort=Workshop.starts_at,  # type: ignore[arg-type]
        tiebreak=Workshop.id,  # type: ignore[arg-type]
        limit=paging.limit,
        cursor=paging.cursor,
    )
    return paging.page([WorkshopPublic.model_validate(w) for w in rows], next_cursor)


@router.get(
    "/priorities",
    response_model=Page[PriorityPublic],
    summary="List priorities across the region",
    tags=["priorities"],
    responses=problem_responses(422),
)
def list_priorities(
    session: SessionDep,
    paging: Paging,
    district_ids: DistrictsQuery = None,
    edition_id: EditionQuery = None,
    process_id: ProcessQuery = None,
    state: Annotated[
        list[PriorityState] | None, Query(max_length=10, description="Only these states (repeatable).")
    ] = None,
    year: Annotated[
        int | None, Query(ge=2000, le=2100, description="The year they were submitted for.")
    ] = None,
    recorded_from: Annotated[
        ApiDateTime | None, Query(alias="from", description="Only priorities recorded at or after this.")
    ] = None,
    recorded_before: Annotated[
        ApiDateTime | None, Query(alias="to", description="Only priorities recorded before this.")
    ] = None,
) -> Any:
    """Priorities of every district by the time they were recorded, e.g. `?year=2026&state=validated`."""
    statement = queries.priorities_statement(
        district_ids=district_ids or [],
        edition_id=edition_id,
        process_id=process_id,
        states=state or [],
        year=year,
        recorded_from=recorded_from,
        recorded_before=recorded_before,
    )
    rows, next_cursor = paginate(
        session,
        statement,
        sort=Priority.created_at,  # type: ignore[arg-type]
        tiebreak=Priority.id,  # type: ignore[arg-type]
        limit=paging.limit,
        cursor=paging.cursor,
    )
    return paging.page([PriorityPublic.model_validate(priority_view(row)) for row in rows], next_cursor)
