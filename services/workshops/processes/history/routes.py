"""HTTP routes of a process's history (people ids only to staff)."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Request, Response

from services.workshops.processes.history import service
from services.workshops.processes.history.schemas import HistoryEvent
from shared.api.pagination import (
    CursorQuery,
    LimitQuery,
    Page,
    decode_cursor,
    encode_cursor,
    set_link_header,
)
from shared.deps import PrincipalDep, SessionDep
from shared.errors import FieldError, ValidationFailed, problem_responses
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
    process_id: uuid.UUID,
    request: Request,
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
    limit: LimitQuery = 100,
    cursor: CursorQuery = None,
) -> Any:
    """The events of the process, its workshops and related streams in log order (people ids only to staff)."""
    after = 0
    if cursor:
        values = decode_cursor(cursor)
        if len(values) != 1 or not isinstance(values[0], int) or values[0] < 0:
            raise ValidationFailed(
                "malformed cursor", errors=[FieldError(path="query.cursor", message="bad cursor")]
            )
        after = values[0]
    page, more = service.process_history(session=session, process_id=process_id, after=after, limit=limit)
    next_cursor = encode_cursor([page[-1].position]) if more and page else None
    set_link_header(request, response, next_cursor)
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
    return Page[HistoryEvent](items=items, next_cursor=next_cursor)
