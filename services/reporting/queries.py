"""What reporting's pages select from its read models: typed statements, run by the modules that shape them.

``service.py`` (freshness, editions), ``timeline.py``, ``dashboard.py``, ``figures.py`` (a scope's rows) and
``diary.py`` take their statements from here, so a filter or an order means the same on every page.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import TypeVar

from sqlalchemy import Select
from sqlmodel import SQLModel, col, select
from sqlmodel.sql.expression import SelectOfScalar

from services.reporting.models import (
    AgreementView,
    AnswerStateView,
    AttendanceAnonymous,
    AttendancePresence,
    BodyMembershipView,
    BodyRelationView,
    BodyView,
    Checkpoint,
    DistrictView,
    EditionView,
    EvaluationResponseView,
    InventionView,
    PersonCategory,
    PriorityView,
    ProcessView,
    ProposalAnswerView,
    ProposalView,
    TimelineEntry,
    WorkshopView,
)

# --- freshness and editions -----------------------------------------------------------------------------


def checkpoints() -> Select[tuple[str, int]]:
    """Select each projection's name and the log position it has applied."""
    return select(Checkpoint.projection, Checkpoint.position)  # type: ignore[return-value]


def checkpoint_positions() -> SelectOfScalar[int]:
    """Select the positions the projections have reached."""
    return select(Checkpoint.position)


def editions() -> SelectOfScalar[EditionView]:
    """Select every programme edition."""
    return select(EditionView)


def districts(*, by_name: bool = False) -> SelectOfScalar[DistrictView]:
    """Select every district (by name, then id, when ``by_name``)."""
    statement = select(DistrictView)
    return statement.order_by(col(DistrictView.name), col(DistrictView.id)) if by_name else statement


# --- processes and their rows ---------------------------------------------------------------------------


def processes(
    *, edition_id: uuid.UUID, district_id: uuid.UUID | None = None, by_title: bool = False
) -> SelectOfScalar[ProcessView]:
    """Select an edition's processes (of one district); by title, then id, when ``by_title``."""
    statement = select(ProcessView).where(col(ProcessView.edition_id) == edition_id)
    if district_id is not None:
        statement = statement.where(col(ProcessView.district_id) == district_id)
    return statement.order_by(col(ProcessView.title), col(ProcessView.id)) if by_title else statement


def timeline(*, process_id: uuid.UUID) -> SelectOfScalar[TimelineEntry]:
    """Select a process's timeline entries (the caller orders and pages them)."""
    return select(TimelineEntry).where(col(TimelineEntry.process_id) == process_id)


def orphan_priorities(
    *, edition_id: uuid.UUID, district_id: uuid.UUID | None
) -> SelectOfScalar[PriorityView]:
    """Select an edition's priorities proposed outside any process (of one district)."""
    statement = select(PriorityView).where(
        col(PriorityView.process_id).is_(None), col(PriorityView.edition_id) == edition_id
    )
    if district_id is not None:
        statement = statement.where(col(PriorityView.district_id) == district_id)
    return statement


def workshops(*, process_ids: Sequence[uuid.UUID]) -> SelectOfScalar[WorkshopView]:
    """Select the workshops of these processes."""
    return select(WorkshopView).where(col(WorkshopView.process_id).in_(process_ids))


def presences(*, workshop_ids: Sequence[uuid.UUID]) -> Select[tuple[uuid.UUID, str]]:
    """Select (workshop, person) of everyone recorded present at these workshops."""
    return select(AttendancePresence.workshop_id, AttendancePresence.person_id).where(  # type: ignore[return-value]
        col(AttendancePresence.workshop_id).in_(workshop_ids)
    )


def anonymous_counts(*, workshop_ids: Sequence[uuid.UUID]) -> Select[tuple[uuid.UUID, str, int]]:
    """Select (workshop, category, count) of the people counted without a name at these workshops."""
    return select(  # type: ignore[return-value]
        AttendanceAnonymous.workshop_id, AttendanceAnonymous.actor_category, AttendanceAnonymous.count
    ).where(col(AttendanceAnonymous.workshop_id).in_(workshop_ids))


def inventions(*, process_ids: Sequence[uuid.UUID]) -> SelectOfScalar[InventionView]:
    """Select the inventions of these processes."""
    return select(InventionView).where(col(InventionView.process_id).in_(process_ids))


def priorities(*, process_ids: Sequence[uuid.UUID]) -> SelectOfScalar[PriorityView]:
    """Select the priorities of these processes."""
    return select(PriorityView).where(col(PriorityView.process_id).in_(process_ids))


def evaluations(*, process_ids: Sequence[uuid.UUID]) -> SelectOfScalar[EvaluationResponseView]:
    """Select the evaluation responses of these processes."""
    return select(EvaluationResponseView).where(col(EvaluationResponseView.process_id).in_(process_ids))


def person_categories(*, person_ids: Sequence[str]) -> SelectOfScalar[PersonCategory]:
    """Select the recipient categories of these people (callers pass a few hundred ids at a time)."""
    return select(PersonCategory).where(col(PersonCategory.person_id).in_(person_ids))


# --- a district's institutional design ------------------------------------------------------------------


def district_bodies(*, district_id: uuid.UUID) -> SelectOfScalar[BodyView]:
    """Select a district's own bodies (not a process's steering groups), by kind and name."""
    return (
        select(BodyView)
        .where(col(BodyView.district_id) == district_id, col(BodyView.process_id).is_(None))
        .order_by(col(BodyView.kind), col(BodyView.name), col(BodyView.id))
    )


def memberships(*, body_ids: Sequence[uuid.UUID]) -> SelectOfScalar[BodyMembershipView]:
    """Select the memberships of these bodies."""
    return select(BodyMembershipView).where(col(BodyMembershipView.body_id).in_(body_ids))


def body_relations(*, district_id: uuid.UUID) -> SelectOfScalar[BodyRelationView]:
    """Select the relations between a district's bodies, oldest first."""
    return (
        select(BodyRelationView)
        .where(col(BodyRelationView.district_id) == district_id)
        .order_by(col(BodyRelationView.valid_from), col(BodyRelationView.id))
    )


def agreements(*, district_id: uuid.UUID) -> SelectOfScalar[AgreementView]:
    """Select a district's programme agreements by signing date."""
    return (
        select(AgreementView)
        .where(col(AgreementView.district_id) == district_id)
        .order_by(col(AgreementView.signed_on), col(AgreementView.id))
    )


# --- open data and proposals ----------------------------------------------------------------------------

M = TypeVar("M", bound=SQLModel)


def by_id(model: type[M]) -> SelectOfScalar[M]:
    """Select every row of a read model in id order (an open dataset's stable order)."""
    return select(model).order_by(col(model.id))  # type: ignore[attr-defined]


def districts_by_code() -> SelectOfScalar[DistrictView]:
    """Select every district by its code."""
    return select(DistrictView).order_by(col(DistrictView.code), col(DistrictView.id))


def process_editions() -> Select[tuple[uuid.UUID, uuid.UUID | None]]:
    """Select each process's id and edition."""
    return select(ProcessView.id, ProcessView.edition_id)  # type: ignore[return-value]


def all_presences() -> SelectOfScalar[AttendancePresence]:
    """Select every recorded presence."""
    return select(AttendancePresence)


def all_anonymous_counts() -> SelectOfScalar[AttendanceAnonymous]:
    """Select every head count of people without a name."""
    return select(AttendanceAnonymous)


def district_bodies_by_id() -> SelectOfScalar[BodyView]:
    """Select the bodies of districts (not a process's steering groups) in id order."""
    return select(BodyView).where(col(BodyView.process_id).is_(None)).order_by(col(BodyView.id))


def district_body_ids() -> SelectOfScalar[uuid.UUID]:
    """Select the ids of the districts' bodies."""
    return select(BodyView.id).where(col(BodyView.process_id).is_(None))


def proposals_of(*, process_ids: Sequence[uuid.UUID]) -> SelectOfScalar[ProposalView]:
    """Select the proposals of these processes, oldest first."""
    return (
        select(ProposalView)
        .where(col(ProposalView.process_id).in_(process_ids))
        .order_by(col(ProposalView.created_at), col(ProposalView.id))
    )


def answer_states(*, process_ids: Sequence[uuid.UUID]) -> SelectOfScalar[AnswerStateView]:
    """Select the answer states of these processes, in their rank."""
    return (
        select(AnswerStateView)
        .where(col(AnswerStateView.process_id).in_(process_ids))
        .order_by(col(AnswerStateView.rank), col(AnswerStateView.key))
    )


def priorities_by_id(*, priority_ids: Sequence[uuid.UUID]) -> SelectOfScalar[PriorityView]:
    """Select these priorities."""
    return select(PriorityView).where(col(PriorityView.id).in_(priority_ids))


def answers_in_order() -> SelectOfScalar[ProposalAnswerView]:
    """Select every official answer in the order it was given."""
    return select(ProposalAnswerView).order_by(col(ProposalAnswerView.position))


def all_of(model: type[M]) -> SelectOfScalar[M]:
    """Select every row of a read model, in no order (a caller that keys them by id)."""
    return select(model)
