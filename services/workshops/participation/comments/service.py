"""Rules of comments on proposals: one reply level, the edit window, flags and moderation.

Keyword-only functions; they flush, never commit. Every change appends its event to the comment's stream in
the same session and keeps ``version`` equal to the stream version. A comment counts on its proposal
(``comment_count``), which locks the proposal's editing from the first comment on. Events carry ids and
codes, never the text nor personal data.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import update
from sqlmodel import Session, col, select

from services.workshops.outcomes.base import invalid
from services.workshops.participation import markdown
from services.workshops.participation import queries as participation_queries
from services.workshops.participation import service as participation
from services.workshops.participation.comments import events as ev
from services.workshops.participation.comments import queries
from services.workshops.participation.comments.models import Comment, CommentFlag, CommentState
from services.workshops.participation.comments.schemas import (
    CommentCreate,
    CommentUpdate,
    FlagCreate,
    HideRequest,
    RestoreRequest,
)
from services.workshops.participation.models import Proposal, ProposalState
from services.workshops.processes.models import Process, ProcessStatus
from shared.auth.principal import Principal, Role
from shared.db import utcnow
from shared.errors import ConflictError, EditWindowClosedError, ForbiddenError, NotFoundError
from shared.eventlog import NewEvent, append_to

COMMENTABLE = (ProposalState.PUBLISHED, ProposalState.PROMOTED)


def _ids(comment: Comment) -> dict[str, str]:
    return {
        "comment_id": str(comment.id),
        "proposal_id": str(comment.proposal_id),
        "process_id": str(comment.process_id),
        "district_id": str(comment.district_id),
    }


def _record(
    session: Session, comment: Comment, event_type: str, payload: dict[str, Any], *, expected_version: int
) -> Comment:
    append_to(
        session,
        row=comment,
        stream_type=ev.COMMENT,
        new_events=[NewEvent(event_type, payload)],
        expected_version=expected_version,
        district_id=comment.district_id,
    )
    return comment


def get_comment(*, session: Session, comment_id: uuid.UUID) -> Comment:
    """The comment, or NotFoundError."""
    comment = session.get(Comment, comment_id)
    if comment is None:
        raise NotFoundError(f"comment {comment_id} does not exist", comment_id=str(comment_id))
    return comment


def _lock_comment(session: Session, comment_id: uuid.UUID) -> Comment:
    """The comment row locked until the transaction ends (PostgreSQL), so flag counts cannot race.

    FOR NO KEY UPDATE, so replies and flags referring to it still pass their foreign-key checks meanwhile.
    """
    comment = session.exec(
        select(Comment)
        .where(Comment.id == comment_id)
        .with_for_update(key_share=True)
        .execution_options(populate_existing=True)
    ).one_or_none()
    if comment is None:
        raise NotFoundError(f"comment {comment_id} does not exist", comment_id=str(comment_id))
    return comment


# --- who ------------------------------------------------------------------------------------------------


def is_moderator(*, session: Session, principal: Principal, comment_or_process: Comment | Process) -> bool:
    """True for administrators, the district's editors and the people facilitating a workshop of the process."""
    if principal.is_anonymous:
        return False
    if principal.can_edit_district(comment_or_process.district_id):
        return True
    if not principal.person_id:
        return False
    process_id = (
        comment_or_process.process_id if isinstance(comment_or_process, Comment) else comment_or_process.id
    )
    # The same people ``require_facilitator_or_editor`` lets act as a workshop's facilitators.
    acts_as_facilitator = principal.role is Role.FACILITATOR or principal.facilitator or principal.signed_in
    return acts_as_facilitator and principal.person_id in participation.facilitator_ids(
        session=session, process_id=process_id
    )


def require_moderator(
    *, session: Session, principal: Principal, comment_or_process: Comment | Process
) -> None:
    """401 when anonymous; 403 unless the caller edits the district or facilitates in the process."""
    principal.require_authenticated()
    if not is_moderator(session=session, principal=principal, comment_or_process=comment_or_process):
        raise ForbiddenError(
            "only the district's editors and the process's facilitators moderate its comments",
            district_id=str(comment_or_process.district_id),
        )


# --- comments -------------------------------------------------------------------------------------------


def _check_parent(session: Session, proposal: Proposal, parent_id: uuid.UUID | None) -> None:
    if parent_id is None:
        return
    parent = session.get(Comment, parent_id)
    if parent is None or parent.proposal_id != proposal.id:
        raise invalid("body.parent_id", f"comment {parent_id} is not a comment on proposal {proposal.id}")
    if parent.parent_id is not None:
        raise invalid(
            "body.parent_id",
            f"comment {parent_id} is itself a reply, and replies go one level deep: reply to the comment "
            f"it answers ({parent.parent_id}) instead",
        )
    if parent.state is CommentState.HIDDEN:
        raise invalid("body.parent_id", f"comment {parent_id} was hidden by a moderator and takes no replies")


def create_comment(
    *,
    session: Session,
    proposal_id: uuid.UUID,
    person_id: str,
    data: CommentCreate,
    now: datetime | None = None,
) -> Comment:
    """A participant comments on a published (or promoted) proposal, or replies to a comment on it."""
    proposal = participation.lock_proposal(session, proposal_id)
    if proposal.state not in COMMENTABLE:
        raise ConflictError(
            f"a {proposal.state.value} proposal takes no comments", state=proposal.state.value
        )
    process = session.get(Process, proposal.process_id)
    if process is None or process.status is ProcessStatus.CLOSED:
        raise ConflictError(
            "the process is closed: its proposals take no comments", process_id=str(proposal.process_id)
        )
    _check_parent(session, proposal, data.parent_id)
    comment = Comment(
        proposal_id=proposal.id,
        process_id=proposal.process_id,
        district_id=proposal.district_id,
        parent_id=data.parent_id,
        author_id=person_id,
        body=data.body,
        body_html=markdown.render(data.body),
    )
    if now is not None:
        comment.created_at = comment.updated_at = now
    session.add(comment)
    session.flush()
    # Counted in SQL on the locked row; from now on the proposal's author can no longer edit it.
    session.execute(
        update(Proposal)
        .where(col(Proposal.id) == proposal.id)
        .values(comment_count=Proposal.comment_count + 1)
    )
    session.refresh(proposal)
    payload = ev.CommentCreated(
        **_ids(comment),
        parent_id=str(data.parent_id) if data.parent_id else None,
        author_id=person_id,
    )
    return _record(session, comment, ev.COMMENT_CREATED, payload.dump(), expected_version=0)


def edit_window(*, session: Session, comment: Comment) -> timedelta:
    """How long after writing it the author may change a comment (the process's ``comment_edit_minutes``)."""
    process = participation.get_process(session=session, process_id=comment.process_id)
    return timedelta(minutes=participation.settings_of(session=session, process=process).comment_edit_minutes)


def editable_until(comment: Comment, window: timedelta) -> datetime:
    """When the comment's edit window closes."""
    return comment.created_at + window


def edit_comment(
    *,
    session: Session,
    comment: Comment,
    person_id: str,
    data: CommentUpdate,
    expected_version: int,
    now: datetime | None = None,
) -> Comment:
    """The author changes the text within the edit window (409 edit-window-closed after it)."""
    if comment.author_id is None or comment.author_id != person_id:
        raise ForbiddenError("only the comment's author may change it")
    if comment.state is CommentState.HIDDEN:
        raise ConflictError("a hidden comment cannot be changed", state=comment.state.value)
    window = edit_window(session=session, comment=comment)
    until = editable_until(comment, window)
    if (now or utcnow()) > until:
        raise EditWindowClosedError(
            f"a comment can be changed for {int(window.total_seconds() // 60)} minutes after it was written",
            edit_window_minutes=int(window.total_seconds() // 60),
            editable_until=until.isoformat(),
        )
    if data.body is None or data.body == comment.body:
        return comment
    comment.body = data.body
    comment.body_html = markdown.render(data.body)
    comment.edited_at = comment.updated_at = now or utcnow()
    return _record(
        session,
        comment,
        ev.COMMENT_EDITED,
        ev.CommentEdited(**_ids(comment)).dump(),
        expected_version=expected_version,
    )


# --- flags and moderation -------------------------------------------------------------------------------


def flag_comment(*, session: Session, comment_id: uuid.UUID, person_id: str, data: FlagCreate) -> Comment:
    """A participant flags a shown comment for the moderators; once per person (409 for a second flag)."""
    comment = _lock_comment(session, comment_id)
    if comment.state is CommentState.HIDDEN:
        raise ConflictError("the comment is already hidden", state=comment.state.value)
    if session.get(CommentFlag, (comment.id, person_id)) is not None:
        raise ConflictError("you already flagged this comment", comment_id=str(comment.id))
    session.add(CommentFlag(comment_id=comment.id, person_id=person_id, reason=data.reason, note=data.note))
    # The row is locked: the count moves in the one UPDATE that also records the version.
    comment.flag_count += 1
    payload = ev.CommentFlagged(
        **_ids(comment), flagger_id=person_id, reason=data.reason.value, flag_count=comment.flag_count
    )
    return _record(session, comment, ev.COMMENT_FLAGGED, payload.dump(), expected_version=comment.version)


def hide_comment(*, session: Session, comment: Comment, data: HideRequest, expected_version: int) -> Comment:
    """A moderator hides a comment: kept for the record, shown as a placeholder to everybody."""
    if comment.state is CommentState.HIDDEN:
        raise ConflictError("the comment is already hidden", state=comment.state.value)
    comment.state = CommentState.HIDDEN
    comment.hidden_reason = data.reason
    comment.moderation_note = data.note
    comment.moderated_at = comment.updated_at = utcnow()
    payload = ev.CommentHidden(**_ids(comment), reason=data.reason.value)
    return _record(session, comment, ev.COMMENT_HIDDEN, payload.dump(), expected_version=expected_version)


def restore_comment(
    *, session: Session, comment: Comment, data: RestoreRequest, expected_version: int
) -> Comment:
    """A moderator shows a hidden comment again, or keeps a flagged one; either way its open flags close."""
    was_hidden = comment.state is CommentState.HIDDEN
    if not was_hidden and comment.flag_count == 0:
        raise ConflictError(
            "the comment is shown and has no open flags: nothing to restore", state=comment.state.value
        )
    comment.state = CommentState.VISIBLE
    comment.hidden_reason = None
    comment.flag_count = 0
    comment.moderation_note = data.note
    comment.moderated_at = comment.updated_at = utcnow()
    payload = ev.CommentRestored(**_ids(comment), was_hidden=was_hidden)
    return _record(session, comment, ev.COMMENT_RESTORED, payload.dump(), expected_version=expected_version)


# --- views ----------------------------------------------------------------------------------------------


def _erased(session: Session, comments: Iterable[Comment]) -> set[str]:
    return participation_queries.erased_among(session, (c.author_id for c in comments))


def comment_views(
    *, session: Session, comments: list[Comment], person_id: str | None, now: datetime | None = None
) -> list[dict[str, Any]]:
    """Comments as everybody sees them: a hidden one is a placeholder; an erased author is blanked."""
    erased = _erased(session, comments)
    flagged = queries.flagged_by(session, person_id, [c.id for c in comments])
    windows: dict[uuid.UUID, timedelta] = {}
    moment = now or utcnow()
    out: list[dict[str, Any]] = []
    for c in comments:
        base: dict[str, Any] = {
            "id": c.id,
            "proposal_id": c.proposal_id,
            "process_id": c.process_id,
            "district_id": c.district_id,
            "parent_id": c.parent_id,
            "state": c.state,
            "version": c.version,
            "created_at": c.created_at,
        }
        if c.state is CommentState.HIDDEN:
            out.append(base)
            continue
        author = None if c.author_id in erased else c.author_id
        mine = person_id is not None and author == person_id
        until = None
        if mine:
            if c.process_id not in windows:
                windows[c.process_id] = edit_window(session=session, comment=c)
            until = editable_until(c, windows[c.process_id])
        out.append(
            base
            | {
                "author_id": author,
                "mine": mine,
                "body": c.body,
                "body_html": c.body_html,
                "editable": until is not None and moment <= until,
                "editable_until": until,
                "flagged": c.id in flagged,
                "edited_at": c.edited_at,
            }
        )
    return out


def moderation_views(*, session: Session, comments: list[Comment]) -> list[dict[str, Any]]:
    """Comments as their moderators see them: the text (hidden or not), every flag, the decision."""
    erased = _erased(session, comments)
    flags = queries.flags_of(session, [c.id for c in comments])
    return [
        c.model_dump(exclude={"author_id", "edited_at", "updated_at"})
        | {
            "author_id": None if c.author_id in erased else c.author_id,
            "flags": [
                {"reason": f.reason, "note": f.note, "created_at": f.created_at} for f in flags.get(c.id, [])
            ],
        }
        for c in comments
    ]
