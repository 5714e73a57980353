"""HTTP routes of comments on proposals: comment, reply, edit, flag, and the moderators' queue."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Query, Response

from services.workshops.participation import service as participation
from services.workshops.participation.comments import queries, service
from services.workshops.participation.comments.models import Comment
from services.workshops.participation.comments.queries import QueueFilter
from services.workshops.participation.comments.schemas import (
    CommentCreate,
    CommentModerationPublic,
    CommentPublic,
    CommentUpdate,
    FlagCreate,
    FlagPublic,
    HideRequest,
    RestoreRequest,
)
from services.workshops.participation.deps import CommentForAuthor, CommentForModerator
from shared.api.etag import etag_for, set_etag
from shared.api.idempotency import IdempotencyDep
from shared.api.pagination import Page, Paging
from shared.auth.principal import Principal
from shared.deps import PrincipalDep, SessionDep, SignedInDep
from shared.errors import problem_responses
from shared.privacy import Scope, view

router = APIRouter()
TAG = "comments"
OPENAPI_TAGS: list[dict[str, str]] = [
    {
        "name": TAG,
        "description": "Comments on proposals (one reply level, an edit window), participants' flags, and the "
        "moderation queue of the district's editors and the process's facilitators.",
    }
]


def _public(session: SessionDep, principal: Principal, comments: list[Comment]) -> list[CommentPublic]:
    out = []
    for data in service.comment_views(session=session, comments=comments, person_id=principal.person_id):
        model = CommentPublic.model_validate(data)
        # The author sees themselves; others see the author's id only as the privacy policy allows.
        out.append(model if model.mine else view(model, principal, Scope.of([model.district_id])))
    return out


def _moderated(
    session: SessionDep, principal: Principal, comments: list[Comment]
) -> list[CommentModerationPublic]:
    facilitators: dict[uuid.UUID, set[str]] = {}
    out = []
    for data in service.moderation_views(session=session, comments=comments):
        model = CommentModerationPublic.model_validate(data)
        if model.process_id not in facilitators:
            facilitators[model.process_id] = participation.facilitator_ids(
                session=session, process_id=model.process_id
            )
        out.append(view(model, principal, Scope.of([model.district_id], facilitators[model.process_id])))
    return out


@router.post(
    "/proposals/{proposal_id}/comments",
    status_code=201,
    response_model=CommentPublic,
    summary="Comment on a proposal",
    tags=[TAG],
    responses=problem_responses(401, 403, 404, 409, 422),
)
def create_comment(
    proposal_id: uuid.UUID,
    payload: CommentCreate,
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
    idempotency: IdempotencyDep,
) -> Any:
    """A signed-in participant comments, or replies to a comment (``parent_id``; a reply takes no replies).

    The first comment locks the proposal's editing. 409 on a withdrawn or merged proposal.
    """
    person_id = participation.require_participant(principal)
    if (replay := idempotency.replay(payload)) is not None:
        return replay
    comment = service.create_comment(
        session=session, proposal_id=proposal_id, person_id=person_id, data=payload
    )
    return idempotency.created(
        response,
        _public(session, principal, [comment])[0],
        location=f"/comments/{comment.id}",
        etag=etag_for(comment.version),
    )


@router.get(
    "/proposals/{proposal_id}/comments",
    response_model=Page[CommentPublic],
    summary="List a proposal's comments",
    tags=[TAG],
    responses=problem_responses(404, 422),
)
def list_comments(
    proposal_id: uuid.UUID,
    session: SessionDep,
    principal: PrincipalDep,
    paging: Paging,
) -> Any:
    """Comments and replies, oldest first; a hidden one is a placeholder (no text, no author) for everybody."""
    proposal = participation.get_proposal(session=session, proposal_id=proposal_id)
    rows, next_cursor = queries.page_comments(
        session, proposal_id=proposal.id, limit=paging.limit, cursor=paging.cursor
    )
    return paging.page(_public(session, principal, rows), next_cursor)


@router.get(
    "/comments/{comment_id}",
    response_model=CommentPublic,
    summary="Get a comment",
    tags=[TAG],
    responses=problem_responses(404),
)
def get_comment(
    comment_id: uuid.UUID, response: Response, session: SessionDep, principal: PrincipalDep
) -> Any:
    """One comment (a placeholder when hidden), with its ETag for an edit."""
    comment = service.get_comment(session=session, comment_id=comment_id)
    set_etag(response, comment.version)
    return _public(session, principal, [comment])[0]


@router.patch(
    "/comments/{comment_id}",
    response_model=CommentPublic,
    summary="Change one's comment",
    tags=[TAG],
    responses=problem_responses(401, 403, 404, 409, 412, 422),
)
def update_comment(
    edit: CommentForAuthor,
    payload: CommentUpdate,
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
) -> Any:
    """The author changes the text within the process's edit window (409 ``edit-window-closed`` after it)."""
    comment = service.edit_comment(
        session=session,
        comment=edit.row,
        person_id=participation.require_participant(principal),
        data=payload,
        expected_version=edit.expected_version,
    )
    set_etag(response, comment.version)
    return _public(session, principal, [comment])[0]


@router.post(
    "/comments/{comment_id}/flag",
    response_model=FlagPublic,
    summary="Flag a comment for the moderators",
    tags=[TAG],
    responses=problem_responses(401, 403, 404, 409, 422),
)
def flag_comment(
    comment_id: uuid.UUID, payload: FlagCreate, session: SessionDep, principal: PrincipalDep
) -> Any:
    """A participant flags a comment with a reason; once per person (409 for a second flag)."""
    person_id = participation.require_participant(principal)
    comment = service.flag_comment(session=session, comment_id=comment_id, person_id=person_id, data=payload)
    return FlagPublic(comment_id=comment.id, flagged=True, reason=payload.reason)


@router.get(
    "/processes/{process_id}/moderation/comments",
    response_model=Page[CommentModerationPublic],
    summary="List a process's comments to moderate",
    tags=[TAG],
    responses=problem_responses(401, 403, 404, 422),
)
def moderation_queue(
    process_id: uuid.UUID,
    session: SessionDep,
    principal: SignedInDep,
    paging: Paging,
    state: Annotated[
        QueueFilter, Query(description="flagged (shown, with open flags), hidden, or all of them.")
    ] = QueueFilter.ALL,
) -> Any:
    """Flagged and hidden comments with their text and flags, newest first, for the district's editors and the
    process's facilitators only."""
    process = participation.get_process(session=session, process_id=process_id)
    service.require_moderator(session=session, principal=principal, comment_or_process=process)
    rows, next_cursor = queries.page_queue(
        session, process_id=process.id, which=state, limit=paging.limit, cursor=paging.cursor
    )
    return paging.page(_moderated(session, principal, rows), next_cursor)


@router.post(
    "/comments/{comment_id}/hide",
    response_model=CommentModerationPublic,
    summary="Hide a comment",
    tags=[TAG],
    responses=problem_responses(401, 403, 404, 409, 412, 422),
)
def hide_comment(
    edit: CommentForModerator,
    payload: HideRequest,
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
) -> Any:
    """A moderator hides a comment with a reason; its text is kept and shown in the queue only."""
    comment = service.hide_comment(
        session=session, comment=edit.row, data=payload, expected_version=edit.expected_version
    )
    set_etag(response, comment.version)
    return _moderated(session, principal, [comment])[0]


@router.post(
    "/comments/{comment_id}/restore",
    response_model=CommentModerationPublic,
    summary="Restore a comment",
    tags=[TAG],
    responses=problem_responses(401, 403, 404, 409, 412, 422),
)
def restore_comment(
    edit: CommentForModerator,
    payload: RestoreRequest,
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
) -> Any:
    """A moderator shows a hidden comment again, or keeps a flagged one; its open flags close."""
    comment = service.restore_comment(
        session=session, comment=edit.row, data=payload, expected_version=edit.expected_version
    )
    set_etag(response, comment.version)
    return _moderated(session, principal, [comment])[0]
