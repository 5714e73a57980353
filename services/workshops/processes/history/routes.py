"""HTTP routes of a process's history (people ids only to staff)."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter

from services.workshops.processes.history import service
from services.workshops.processes.history.schemas import HistoryEvent
from shared.api.pagination import Page, Paging100
from shared.deps import PrincipalDep, SessionDep
from shared.errors import problem_responses
from shared.privacy import Scope, may_see

router = APIRouter()


# Keys whose values identify people: shown only to callers who may see personal data.
PERSONAL_KEYS = frozenset({"person_id", "person_ids", "present", "absent", "member_ids"})


def _mask(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: (None if k in PERSONAL_KEYS else _mask(v)) for k, v in value.items()}
    if isinstance(value, list):
        return [_mask(v) for v in value]
    return value


@router.get(
    "/processes/{process_id}/history",
    response_model=Page[HistoryEvent],
    summary="A process's history: its events and its workshops', in order",
    tags=["processes"],
    responses=problem_responses(404, 422),
)
def get_process_history(
    process_id: uuid.UUID, session: SessionDep, principal: PrincipalDep, paging: Paging100
) -> Any:
    """The events of the process, its workshops and related streams in log order (people ids only to staff)."""
    page, next_cursor = service.process_history(
        session=session, process_id=process_id, cursor=paging.cursor, limit=paging.limit
    )
    items = [
        HistoryEvent(
            position=e.position,
            event_id=e.event_id,
            stream_type=e.stream_type,
            stream_id=e.stream_id,
            version=e.version,
            type=e.type,
            occurred_at=e.occurred_at,
            recorded_at=e.recorded_at,
            actor_id=e.actor_id
            if may_see(principal, Scope.of([e.district_id] if e.district_id else []))
            else None,
            district_id=e.district_id,
            payload=e.payload
            if may_see(principal, Scope.of([e.district_id] if e.district_id else []))
            else _mask(e.payload),
        )
        for e in page
    ]
    return paging.page(items, next_cursor)
