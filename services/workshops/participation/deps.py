"""The participation domain's resources, as route dependencies (``shared.api.resources``).

Each alias loads the row of its path id (404), checks the caller's right on it (403) and keeps If-Match for
``Edit.expected_version`` (412), in that order; rights that depend on the body stay in the route.
"""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Depends
from sqlmodel import Session

from services.workshops.deps import RegistryDep
from services.workshops.participation import service
from services.workshops.participation.comments import service as comments
from services.workshops.participation.comments.models import Comment
from services.workshops.participation.models import Proposal
from services.workshops.processes.models import Process
from shared.api.resources import Edit, for_edit
from shared.auth.principal import Principal
from shared.deps import PrincipalDep


def load_process(session: Session, process_id: uuid.UUID) -> Process:
    """The process, or NotFoundError."""
    return service.get_process(session=session, process_id=process_id)


def load_proposal(session: Session, proposal_id: uuid.UUID) -> Proposal:
    """The proposal, or NotFoundError."""
    return service.get_proposal(session=session, proposal_id=proposal_id)


def load_comment(session: Session, comment_id: uuid.UUID) -> Comment:
    """The comment, or NotFoundError."""
    return comments.get_comment(session=session, comment_id=comment_id)


def participant(principal: Principal) -> None:
    """401 when anonymous, 403 for a key linked to no registry person (before the row is looked up)."""
    service.require_participant(principal)


def moderator(session: Session, principal: Principal, comment: Comment) -> None:
    """The district's editors and the process's facilitators."""
    comments.require_moderator(session=session, principal=principal, comment_or_process=comment)


def district_editor(session: Session, principal: Principal, process: Process) -> None:
    """Editors of the process's district (and regional administrators)."""
    principal.require_district_editor(process.district_id)


def settings_version(session: Session, process: Process) -> int:
    """The settings' ETag is the version of the process's participation stream."""
    return service.settings_version(session=session, process_id=process.id)


SettingsForEdit = Annotated[
    Edit[Process],
    Depends(
        for_edit("process_id", load_process, authorise=district_editor, current_version=settings_version)
    ),
]
"""A process whose participation settings an editor of its district sets (If-Match on its settings)."""
ProposalForAuthor = Annotated[
    Edit[Proposal], Depends(for_edit("proposal_id", load_proposal, before=participant))
]
"""A proposal a participant changes (If-Match on the proposal); the service checks they wrote it."""
CommentForAuthor = Annotated[Edit[Comment], Depends(for_edit("comment_id", load_comment, before=participant))]
"""A comment a participant changes (If-Match on the comment); the service checks they wrote it."""
CommentForModerator = Annotated[
    Edit[Comment], Depends(for_edit("comment_id", load_comment, authorise=moderator))
]
"""A comment a moderator hides or restores (If-Match on the comment)."""
ProposalToChange = Annotated[Edit[Proposal], Depends(for_edit("proposal_id", load_proposal))]


def planner_proposal(
    edit: ProposalToChange, principal: PrincipalDep, registry: RegistryDep
) -> Edit[Proposal]:
    """The proposal, when the caller answers for its district's Ufficio di Piano (403 otherwise)."""
    service.require_planner(registry=registry, principal=principal, district_id=edit.row.district_id)
    return edit


ProposalForPlanner = Annotated[Edit[Proposal], Depends(planner_proposal)]
"""A proposal the Ufficio di Piano of its district answers, merges or promotes (If-Match on the proposal)."""
