"""Statements that read governance bodies and memberships."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from sqlalchemy import and_, func, or_
from sqlmodel import select
from sqlmodel.sql.expression import Select, SelectOfScalar

from services.registry.bodies.models import BodyMembership, BodyRelation, GovernanceBody


def body_list_statement(
    *, district_id: uuid.UUID | None, kind: str | None, process_id: uuid.UUID | None
) -> SelectOfScalar[GovernanceBody]:
    """Select bodies by district, kind and process."""
    statement = select(GovernanceBody)
    if district_id:
        statement = statement.where(GovernanceBody.district_id == district_id)
    if kind:
        statement = statement.where(GovernanceBody.kind == kind)
    if process_id:
        statement = statement.where(GovernanceBody.process_id == process_id)
    return statement


def active_on(on: date) -> Any:
    """The condition "the membership was active on ``on``" (both ends inclusive)."""
    return and_(
        BodyMembership.valid_from <= on,
        or_(BodyMembership.valid_to.is_(None), BodyMembership.valid_to >= on),  # type: ignore[union-attr]
    )


def membership_list_statement(
    *,
    body_id: uuid.UUID | None = None,
    district_id: uuid.UUID | None = None,
    person_id: uuid.UUID | None = None,
    on: date | None = None,
) -> Select[tuple[BodyMembership, GovernanceBody]]:
    """Select memberships with their body by body, district, person and the date they were active on."""
    statement = select(BodyMembership, GovernanceBody).join(
        GovernanceBody,
        GovernanceBody.id == BodyMembership.body_id,  # type: ignore[arg-type]
    )
    if body_id:
        statement = statement.where(BodyMembership.body_id == body_id)
    if district_id:
        statement = statement.where(GovernanceBody.district_id == district_id)
    if person_id:
        statement = statement.where(BodyMembership.person_id == person_id)
    if on:
        statement = statement.where(active_on(on))
    return statement.order_by(BodyMembership.valid_from, BodyMembership.id).limit(5000)  # type: ignore[arg-type]


def current_member_counts(*, district_id: uuid.UUID, on: date) -> Select[tuple[uuid.UUID, int]]:
    """Select (body id, members active on ``on``) for the bodies of a district that have any."""
    return (
        select(BodyMembership.body_id, func.count())
        .join(GovernanceBody, GovernanceBody.id == BodyMembership.body_id)  # type: ignore[arg-type]
        .where(GovernanceBody.district_id == district_id, active_on(on))
        .group_by(BodyMembership.body_id)
    )


def relation_list_statement(
    *, body_id: uuid.UUID | None = None, district_id: uuid.UUID | None = None, on: date | None = None
) -> SelectOfScalar[BodyRelation]:
    """Select relations from or to a body, or of a district, active on ``on`` when given."""
    statement = select(BodyRelation)
    if body_id:
        statement = statement.where(
            or_(BodyRelation.from_body_id == body_id, BodyRelation.to_body_id == body_id)
        )
    if district_id:
        statement = statement.where(BodyRelation.district_id == district_id)
    if on:
        statement = statement.where(
            BodyRelation.valid_from <= on,
            or_(BodyRelation.valid_to.is_(None), BodyRelation.valid_to >= on),  # type: ignore[union-attr]
        )
    return statement.order_by(BodyRelation.valid_from, BodyRelation.id).limit(5000)  # type: ignore[arg-type]


def district_bodies_statement(*, district_id: uuid.UUID) -> SelectOfScalar[GovernanceBody]:
    """Select a district's bodies by kind and name."""
    return (
        select(GovernanceBody)
        .where(GovernanceBody.district_id == district_id)
        .order_by(GovernanceBody.kind, GovernanceBody.name, GovernanceBody.id)  # type: ignore[arg-type]
        .limit(5000)
    )
