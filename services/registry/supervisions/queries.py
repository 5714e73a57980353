"""Statements that read supervisions, their supervisors, cases and notes."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import func, or_
from sqlmodel import col, select
from sqlmodel.sql.expression import Select, SelectOfScalar

from services.registry.supervisions.models import Supervision, SupervisionCase, SupervisionNote, Supervisor


def supervision_list_statement(
    *, person_id: uuid.UUID | None, everyone: bool, edition_id: uuid.UUID | None
) -> SelectOfScalar[Supervision]:
    """Sessions by edition; unless ``everyone``, only those ``person_id`` supervises or brought a case to."""
    statement = select(Supervision)
    if edition_id is not None:
        statement = statement.where(Supervision.edition_id == edition_id)
    if not everyone:
        if person_id is None:
            return statement.where(col(Supervision.id).is_(None))
        supervised = select(Supervisor.supervision_id).where(Supervisor.person_id == person_id)
        brought = select(SupervisionCase.supervision_id).where(SupervisionCase.brought_by_id == person_id)
        statement = statement.where(
            or_(col(Supervision.id).in_(supervised), col(Supervision.id).in_(brought))
        )
    return statement


def supervisors_of(supervision_id: uuid.UUID) -> SelectOfScalar[Supervisor]:
    """The supervisors of a session."""
    return (
        select(Supervisor)
        .where(Supervisor.supervision_id == supervision_id)
        .order_by(col(Supervisor.person_id))
    )


def cases_of(supervision_id: uuid.UUID) -> SelectOfScalar[SupervisionCase]:
    """The cases of a session, in the order they were brought."""
    return (
        select(SupervisionCase)
        .where(SupervisionCase.supervision_id == supervision_id)
        .order_by(col(SupervisionCase.created_at), col(SupervisionCase.id))
    )


def note_counts(case_ids: Sequence[uuid.UUID]) -> Select[tuple[uuid.UUID, int]]:
    """How many notes each case has."""
    return (
        select(SupervisionNote.case_id, func.count())
        .where(col(SupervisionNote.case_id).in_(case_ids))
        .group_by(col(SupervisionNote.case_id))
    )


def notes_of(case_id: uuid.UUID) -> SelectOfScalar[SupervisionNote]:
    """The notes of a case, oldest first (paginated by the route)."""
    return select(SupervisionNote).where(SupervisionNote.case_id == case_id)
