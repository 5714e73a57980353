"""The processes domain's resources, as route dependencies (``shared.api.resources``).

Each alias loads the row of its path id (404), checks the caller's right on it (403) and keeps If-Match for
``Edit.expected_version`` (412), in that order; rights that depend on the body stay in the route.
"""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Depends
from sqlmodel import Session

from services.workshops.processes import base
from services.workshops.processes.models import Process, Workshop
from shared.api.etag import IfMatch as IfMatch  # the one definition, re-exported for older imports
from shared.api.resources import Edit, for_edit, resource
from shared.auth.principal import Principal


def load_process(session: Session, process_id: uuid.UUID) -> Process:
    """The process, or NotFoundError."""
    return base.get_process(session=session, process_id=process_id)


def load_workshop(session: Session, workshop_id: uuid.UUID) -> Workshop:
    """The workshop, or NotFoundError."""
    return base.get_workshop(session=session, workshop_id=workshop_id)


def workshop_version(session: Session, workshop: Workshop) -> int:
    """A workshop's ETag is its stream's version."""
    return base.workshop_stream_version(session=session, workshop=workshop)


def district_editor(session: Session, principal: Principal, row: Process | Workshop) -> None:
    """Editors of the row's district (and regional administrators)."""
    principal.require_district_editor(row.district_id)


def facilitator_or_editor(session: Session, principal: Principal, workshop: Workshop) -> None:
    """The workshop's facilitators or editors of its district."""
    principal.require_facilitator_or_editor(workshop.district_id, workshop.facilitator_ids)


ProcessForEdit = Annotated[
    Edit[Process], Depends(for_edit("process_id", load_process, authorise=district_editor))
]
"""A process an editor of its district changes (If-Match on the process)."""
WorkshopForEdit = Annotated[
    Edit[Workshop],
    Depends(
        for_edit("workshop_id", load_workshop, authorise=district_editor, current_version=workshop_version)
    ),
]
"""A workshop an editor of its district changes (If-Match on the workshop's stream)."""
WorkshopToChange = Annotated[
    Edit[Workshop], Depends(for_edit("workshop_id", load_workshop, current_version=workshop_version))
]
"""A workshop to change whose right depends on the change (the route checks it): loaded, If-Match kept."""
WorkshopForFacilitation = Annotated[
    Edit[Workshop],
    Depends(
        for_edit(
            "workshop_id", load_workshop, authorise=facilitator_or_editor, current_version=workshop_version
        )
    ),
]
"""A workshop its facilitators (or its district's editors) run: attendance (If-Match on the stream)."""
ProcessForDistrictEditor = Annotated[
    Process, Depends(resource("process_id", load_process, authorise=district_editor))
]
"""A process an editor of its district adds to (creating POSTs under it, no If-Match)."""
WorkshopForFacilitator = Annotated[
    Workshop, Depends(resource("workshop_id", load_workshop, authorise=facilitator_or_editor))
]
"""A workshop its facilitators (or its district's editors) manage: registrations (no If-Match)."""
