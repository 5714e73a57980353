"""Statements of regional labs: an edition's meetings and working groups."""

from __future__ import annotations

import uuid

from sqlmodel import select
from sqlmodel.sql.expression import SelectOfScalar

from services.workshops.processes.labs.models import LabGroup, LabMeeting


def meetings(*, edition_id: uuid.UUID) -> SelectOfScalar[LabMeeting]:
    """Select an edition's meetings."""
    return select(LabMeeting).where(LabMeeting.edition_id == edition_id)


def groups(*, edition_id: uuid.UUID) -> SelectOfScalar[LabGroup]:
    """Select an edition's working groups."""
    return select(LabGroup).where(LabGroup.edition_id == edition_id)
