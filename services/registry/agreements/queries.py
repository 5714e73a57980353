"""Statements that read programme agreements."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date

from sqlalchemy import or_
from sqlmodel import select
from sqlmodel.sql.expression import SelectOfScalar

from services.registry.agreements.models import Agreement, AgreementParty


def agreement_list_statement(
    *, district_id: uuid.UUID | None, organisation_id: uuid.UUID | None, on: date | None
) -> SelectOfScalar[Agreement]:
    """Select agreements by district, party and the date they were in force on."""
    statement = select(Agreement)
    if district_id:
        statement = statement.where(Agreement.district_id == district_id)
    if organisation_id:
        parties = select(AgreementParty.agreement_id).where(AgreementParty.organisation_id == organisation_id)
        statement = statement.where(Agreement.id.in_(parties))  # type: ignore[attr-defined]
    if on:
        statement = statement.where(
            Agreement.valid_from <= on,
            or_(Agreement.valid_to.is_(None), Agreement.valid_to >= on),  # type: ignore[union-attr]
        )
    return statement


def parties_of(agreement_ids: Sequence[uuid.UUID]) -> SelectOfScalar[AgreementParty]:
    """Select the parties of some agreements."""
    return (
        select(AgreementParty)
        .where(AgreementParty.agreement_id.in_(agreement_ids))  # type: ignore[attr-defined]
        .order_by(AgreementParty.agreement_id, AgreementParty.organisation_id)  # type: ignore[arg-type]
    )
