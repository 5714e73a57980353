"""The regional labs' resources, as route dependencies (``shared.api.resources``): regional administrators
write, in this order: 401/403 for anyone else, then 404, then If-Match (412)."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Depends
from sqlmodel import Session

from services.workshops.processes.labs import service
from services.workshops.processes.labs.models import LabGroup, LabMeeting
from services.workshops.processes.models import Edition
from services.workshops.processes.programmes.service import get_edition
from shared.api.resources import Edit, for_edit, resource
from shared.auth.principal import Principal


def load_edition(session: Session, edition_id: uuid.UUID) -> Edition:
    """The programme edition, or NotFoundError."""
    return get_edition(session=session, edition_id=edition_id)


def load_meeting(session: Session, lab_meeting_id: uuid.UUID) -> LabMeeting:
    """The lab meeting, or NotFoundError."""
    return service.get_meeting(session=session, lab_meeting_id=lab_meeting_id)


def load_group(session: Session, lab_group_id: uuid.UUID) -> LabGroup:
    """The working group, or NotFoundError."""
    return service.get_group(session=session, lab_group_id=lab_group_id)


EditionForLab = Annotated[
    Edition, Depends(resource("edition_id", load_edition, before=Principal.require_admin))
]
"""An edition whose regional lab an administrator records meetings and groups of (no If-Match)."""
MeetingForEdit = Annotated[
    Edit[LabMeeting], Depends(for_edit("lab_meeting_id", load_meeting, before=Principal.require_admin))
]
"""A lab meeting an administrator changes (If-Match on the meeting)."""
GroupForEdit = Annotated[
    Edit[LabGroup], Depends(for_edit("lab_group_id", load_group, before=Principal.require_admin))
]
"""A working group an administrator changes (If-Match on the group)."""
