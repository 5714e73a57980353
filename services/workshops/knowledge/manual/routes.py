"""HTTP routes of the collective manual: chapters, method cards, revisions, comments, publications."""

from __future__ import annotations

import uuid
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query, Request, Response
from fastapi.responses import HTMLResponse

from services.workshops.knowledge.manual import queries, service
from services.workshops.knowledge.manual.deps import CardForComment, CardForRevision, CardForWriters
from services.workshops.knowledge.manual.render import render_manual
from services.workshops.knowledge.manual.schemas import (
    ChapterCreate,
    ChapterPublic,
    CommentCreate,
    CommentPublic,
    MethodCardCreate,
    MethodCardPublic,
    PublicationCreate,
    PublicationPublic,
    PublicationSummary,
    RevisionCreate,
    RevisionPublic,
)
from services.workshops.processes.models import WorkshopMethod
from shared.api.etag import etag_for, set_etag
from shared.api.idempotency import IdempotencyDep
from shared.api.pagination import Page, Paging
from shared.auth.principal import Principal
from shared.deps import PrincipalDep, SessionDep, SignedInDep
from shared.errors import problem_responses
from shared.privacy import Scope, view

router = APIRouter()
TAG = "manual"
OPENAPI_TAGS: list[dict[str, str]] = [
    {
        "name": TAG,
        "description": "The facilitators' collective manual (manuale collettivo sulla facilitazione): chapters "
        "and method cards written and revised by facilitators, every revision kept, comments, and the version "
        "published for each programme edition, also as a printable page in Italian.",
    }
]

HTML_RESPONSE: dict[int | str, dict[str, Any]] = {
    200: {"content": {"text/html": {"schema": {"type": "string"}}}, "description": "JSON, or HTML on request"}
}
FormatQuery = Annotated[
    Literal["json", "html"] | None,
    Query(description="`html` for the printable manual; default JSON unless `Accept: text/html`."),
]
RevisionNumber = Annotated[int, Path(ge=1, le=100_000, description="The revision number.", examples=[1])]


def _wants_html(request: Request, format_: str | None) -> bool:
    if format_ is not None:
        return format_ == "html"
    accept = request.headers.get("accept", "")
    return "text/html" in accept and "application/json" not in accept.split("text/html")[0]


def _writers_scope(principal: Principal) -> Scope:
    # The manual's writers are one community: they see who wrote what; nobody else sees the person ids.
    return Scope.of(facilitator_ids=[principal.person_id] if service.is_writer(principal) else [])


def _revision(session: SessionDep, principal: Principal, revision: Any) -> RevisionPublic:
    """A revision as its reader may see it (writers see who wrote it)."""
    public = RevisionPublic.model_validate(service.revision_view(session=session, revision=revision))
    return view(public, principal, _writers_scope(principal))


def _card(session: SessionDep, principal: Principal, card_id: uuid.UUID) -> MethodCardPublic:
    card = service.get_card(session=session, card_id=card_id)
    return MethodCardPublic.model_validate(service.card_view(session=session, card=card, principal=principal))


# --- chapters -------------------------------------------------------------------------------------------


@router.post(
    "/manual/chapters",
    status_code=201,
    response_model=ChapterPublic,
    summary="Add a chapter to the manual",
    tags=[TAG],
    responses=problem_responses(401, 403, 409, 422),
)
def create_manual_chapter(
    payload: ChapterCreate,
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
    idempotency: IdempotencyDep,
) -> Any:
    """Facilitators and administrators add a chapter; 409 when its code (a slug of the title) is taken."""
    service.require_writer(principal)
    if (replay := idempotency.replay(payload)) is not None:
        return replay
    chapter = service.create_chapter(session=session, data=payload)
    return idempotency.created(
        response,
        ChapterPublic.model_validate(chapter),
        location=f"/manual/chapters/{chapter.id}",
        etag=etag_for(chapter.version),
    )


@router.get(
    "/manual/chapters",
    response_model=Page[ChapterPublic],
    summary="List the manual's chapters",
    tags=[TAG],
    responses=problem_responses(422),
)
def list_manual_chapters(
    session: SessionDep,
    paging: Paging,
) -> Any:
    """Chapters in reading order (public)."""
    rows, next_cursor = queries.page_chapters(session, limit=paging.limit, cursor=paging.cursor)
    return paging.page([ChapterPublic.model_validate(r) for r in rows], next_cursor)


# --- cards ----------------------------------------------------------------------------------------------


@router.post(
    "/method-cards",
    status_code=201,
    response_model=MethodCardPublic,
    summary="Write a method card",
    tags=[TAG],
    responses=problem_responses(401, 403, 409, 422),
)
def create_method_card(
    payload: MethodCardCreate,
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
    idempotency: IdempotencyDep,
) -> Any:
    """A facilitator writes a new card (its revision 1). 409 when the code, or the workshop method, has one."""
    service.require_writer(principal)
    if (replay := idempotency.replay(payload)) is not None:
        return replay
    card = service.create_card(session=session, data=payload, author_id=principal.person_id)
    return idempotency.created(
        response,
        _card(session, principal, card.id),
        location=f"/method-cards/{card.id}",
        etag=etag_for(card.version),
    )


@router.get(
    "/method-cards",
    response_model=Page[MethodCardPublic],
    summary="List the method cards",
    tags=[TAG],
    responses=problem_responses(422),
)
def list_method_cards(
    session: SessionDep,
    principal: PrincipalDep,
    paging: Paging,
    chapter_id: Annotated[uuid.UUID | None, Query(description="Only the cards of this chapter.")] = None,
) -> Any:
    """Facilitators and administrators list every card as it now reads; others the published cards only."""
    writer = service.is_writer(principal)
    rows, next_cursor = queries.page_cards(
        session, published_only=not writer, chapter_id=chapter_id, limit=paging.limit, cursor=paging.cursor
    )
    items = [
        MethodCardPublic.model_validate(service.card_view(session=session, card=card, principal=principal))
        for card in rows
    ]
    return paging.page(items, next_cursor)


@router.get(
    "/method-cards/{method_card_id}",
    response_model=MethodCardPublic,
    summary="Get a method card",
    tags=[TAG],
    responses=problem_responses(404),
)
def get_method_card_by_id(
    method_card_id: uuid.UUID, response: Response, session: SessionDep, principal: PrincipalDep
) -> Any:
    """The card: current revision for facilitators and administrators, latest published one for others."""
    card = _card(session, principal, method_card_id)
    set_etag(response, card.version)
    return card


@router.get(
    "/methods/{method}",
    response_model=MethodCardPublic,
    summary="Get the method card of a workshop method",
    tags=[TAG],
    responses=problem_responses(404, 422),
)
def get_method_card(
    method: WorkshopMethod, response: Response, session: SessionDep, principal: PrincipalDep
) -> Any:
    """The card a workshop's ``method_card_url`` points at (404 while the method has no card readable here)."""
    card = service.card_of_method(session=session, method=method.value)
    public = _card(session, principal, card.id)
    set_etag(response, public.version)
    return public


# --- revisions ------------------------------------------------------------------------------------------


@router.post(
    "/method-cards/{method_card_id}/revisions",
    status_code=201,
    response_model=RevisionPublic,
    summary="Revise a method card",
    tags=[TAG],
    responses=problem_responses(401, 403, 404, 409, 412, 422),
)
def revise_method_card(
    edit: CardForRevision,
    payload: RevisionCreate,
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
    idempotency: IdempotencyDep,
) -> Any:
    """A facilitator writes the card's next revision (the whole text); every earlier revision is kept.

    Send the card's ETag in If-Match: 412 when someone revised it since you read it.
    """
    card = edit.row
    if (replay := idempotency.replay(payload)) is not None:
        return replay
    revision = service.revise_card(
        session=session,
        card=card,
        data=payload,
        author_id=principal.person_id,
        expected_version=edit.expected_version,
    )
    body = _revision(session, principal, revision)
    return idempotency.created(
        response,
        body,
        location=f"/method-cards/{card.id}/revisions/{revision.number}",
        etag=etag_for(card.version),
    )


@router.get(
    "/method-cards/{method_card_id}/revisions",
    response_model=Page[RevisionPublic],
    summary="List a method card's revisions",
    tags=[TAG],
    responses=problem_responses(401, 403, 404, 422),
)
def list_card_revisions(
    card: CardForWriters, session: SessionDep, principal: SignedInDep, paging: Paging
) -> Any:
    """Every revision, oldest first, each with who wrote it, when, its note and its diff (writers only)."""
    rows, next_cursor = queries.page_revisions(
        session, card_id=card.id, limit=paging.limit, cursor=paging.cursor
    )
    return paging.page([_revision(session, principal, r) for r in rows], next_cursor)


@router.get(
    "/method-cards/{method_card_id}/revisions/{number}",
    response_model=RevisionPublic,
    summary="Get one revision of a method card",
    tags=[TAG],
    responses=problem_responses(401, 403, 404, 422),
)
def get_card_revision(
    method_card_id: uuid.UUID, number: RevisionNumber, session: SessionDep, principal: SignedInDep
) -> Any:
    """One kept revision with its diff against the previous one (writers only)."""
    service.require_writer(principal)
    card = service.get_card(session=session, card_id=method_card_id)
    revision = service.get_revision(session=session, card_id=card.id, number=number)
    return _revision(session, principal, revision)


# --- comments -------------------------------------------------------------------------------------------


@router.post(
    "/method-cards/{method_card_id}/card-comments",
    status_code=201,
    response_model=CommentPublic,
    summary="Comment on a method card",
    tags=[TAG],
    responses=problem_responses(401, 403, 404, 422),
)
def comment_method_card(
    card: CardForComment,
    payload: CommentCreate,
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
    idempotency: IdempotencyDep,
) -> Any:
    """A facilitator comments on the card's current revision (or on ``revision``)."""
    if (replay := idempotency.replay(payload)) is not None:
        return replay
    comment = service.comment_card(session=session, card=card, data=payload, author_id=principal.person_id)
    body = view(CommentPublic.model_validate(comment), principal, _writers_scope(principal))
    return idempotency.created(response, body, location=f"/method-cards/{card.id}/card-comments")


@router.get(
    "/method-cards/{method_card_id}/card-comments",
    response_model=Page[CommentPublic],
    summary="List the comments on a method card",
    tags=[TAG],
    responses=problem_responses(401, 403, 404, 422),
)
def list_card_comments(
    card: CardForWriters, session: SessionDep, principal: SignedInDep, paging: Paging
) -> Any:
    """The facilitators' comments, oldest first, each on the revision it was written on (writers only)."""
    rows, next_cursor = queries.page_comments(
        session, card_id=card.id, limit=paging.limit, cursor=paging.cursor
    )
    scope = _writers_scope(principal)
    return paging.page([view(CommentPublic.model_validate(r), principal, scope) for r in rows], next_cursor)


# --- publications ---------------------------------------------------------------------------------------


@router.post(
    "/manual/publications",
    status_code=201,
    response_model=PublicationPublic,
    summary="Publish the manual for a programme edition",
    tags=[TAG],
    responses=problem_responses(401, 403, 409, 422),
)
def publish_manual(
    payload: PublicationCreate,
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
    idempotency: IdempotencyDep,
) -> Any:
    """Pin the current revision of every card as the edition's manual; later revisions leave it unchanged.

    Once per edition (409 for a second). Facilitators and administrators publish.
    """
    service.require_writer(principal)
    if (replay := idempotency.replay(payload)) is not None:
        return replay
    publication = service.publish(session=session, data=payload, published_by=principal.person_id)
    return idempotency.created(
        response,
        PublicationPublic.model_validate(service.publication_view(session=session, publication=publication)),
        location=f"/manual/publications/{publication.id}",
        etag=etag_for(publication.version),
    )


@router.get(
    "/manual/publications",
    response_model=Page[PublicationSummary],
    summary="List the manual's publications",
    tags=[TAG],
    responses=problem_responses(422),
)
def list_manual_publications(
    session: SessionDep,
    paging: Paging,
) -> Any:
    """One publication per programme edition, oldest first (public)."""
    rows, next_cursor = queries.page_publications(session, limit=paging.limit, cursor=paging.cursor)
    return paging.page(
        [
            PublicationSummary.model_validate(service.publication_summary(session=session, publication=p))
            for p in rows
        ],
        next_cursor,
    )


@router.get(
    "/manual/publications/{publication_id}",
    response_model=PublicationPublic,
    summary="Get a published manual (JSON or printable HTML)",
    tags=[TAG],
    responses={**HTML_RESPONSE, **problem_responses(404, 422)},
)
def get_manual_publication(
    publication_id: uuid.UUID,
    request: Request,
    response: Response,
    session: SessionDep,
    format: FormatQuery = None,
) -> Any:
    """The manual as published for an edition, chapter by chapter; ``format=html`` for the printable page."""
    publication = service.get_publication(session=session, publication_id=publication_id)
    data = service.publication_view(session=session, publication=publication)
    if _wants_html(request, format):
        return HTMLResponse(render_manual(data), headers={"ETag": etag_for(publication.version)})
    set_etag(response, publication.version)
    return PublicationPublic.model_validate(data)
