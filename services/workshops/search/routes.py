"""HTTP route of the search across processes, workshops, inventions, priorities and proposals."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response

from services.workshops.search import service
from services.workshops.search.schemas import SearchHit, SearchKind
from shared.api.pagination import CursorQuery, Page, set_link_header
from shared.deps import SessionDep
from shared.errors import problem_responses

OPENAPI_TAGS: list[dict[str, str]] = [
    {
        "name": "search",
        "description": "Search across processes, workshops, inventions, priorities and proposals "
        "(accents and Italian word endings aside).",
    }
]
router = APIRouter()

EXAMPLE_PAGE = {
    "items": [SearchHit.model_json_schema()["examples"][0]],
    "next_cursor": None,
}


@router.get(
    "/search",
    response_model=Page[SearchHit],
    summary="Search processes, workshops, inventions, priorities and proposals",
    tags=["search"],
    responses={
        200: {"content": {"application/json": {"example": EXAMPLE_PAGE}}},
        **problem_responses(422),
    },
)
def search(
    request: Request,
    response: Response,
    session: SessionDep,
    q: Annotated[
        str,
        Query(
            min_length=1,
            max_length=200,
            description="Words to find, all of them: accents, case and Italian endings do not matter "
            "(`partecipare` finds `partecipazione`, `citta` finds `città`).",
            examples=["partecipazione città"],
        ),
    ],
    kind: Annotated[
        list[SearchKind] | None, Query(max_length=5, description="Only these kinds (repeatable).")
    ] = None,
    district_ids: Annotated[
        list[uuid.UUID] | None,
        Query(alias="district_id", max_length=50, description="Only these districts (repeatable)."),
    ] = None,
    process_id: Annotated[
        uuid.UUID | None, Query(description="Only this process and what belongs to it.")
    ] = None,
    edition_id: Annotated[uuid.UUID | None, Query(description="Only this edition of a programme.")] = None,
    limit: Annotated[int, Query(ge=1, le=100, description="Page size (1-100).")] = 20,
    cursor: CursorQuery = None,
) -> Any:
    """Hits in relevance order: those with every word in the title first, then by score.

    Public like the lists of each kind: what they show is found (withdrawn proposals are not), with no
    personal data (people's names are not indexed). A query of only articles and prepositions is a 422.
    """
    hits, next_cursor = service.search(
        session=session,
        q=q,
        kinds=kind or [],
        district_ids=district_ids or [],
        process_id=process_id,
        edition_id=edition_id,
        limit=limit,
        cursor=cursor,
    )
    set_link_header(request, response, next_cursor)
    return Page[SearchHit](items=hits, next_cursor=next_cursor)
