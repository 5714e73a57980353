"""Rules of programme agreements: every change appends its event in the caller's session."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date

from sqlmodel import Session

from services.registry.agreements import events as ev
from services.registry.agreements import queries
from services.registry.agreements.models import Agreement, AgreementParty
from services.registry.agreements.schemas import AgreementCreate
from services.registry.common.service import rows_by, unique
from services.registry.districts.service import get_district
from services.registry.organisations.service import organisation_district_ids, require_organisations
from shared.auth.principal import Principal
from shared.errors import ConflictError, FieldError, NotFoundError, ValidationFailed
from shared.eventlog import NewEvent, append_to


def get_agreement(*, session: Session, agreement_id: uuid.UUID) -> Agreement:
    """The agreement, or NotFoundError."""
    agreement = session.get(Agreement, agreement_id)
    if agreement is None:
        raise NotFoundError(f"agreement {agreement_id} does not exist", agreement_id=str(agreement_id))
    return agreement


def party_ids(*, session: Session, agreement_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, list[uuid.UUID]]:
    """The organisations party to each agreement."""
    rows = rows_by(session, queries.parties_of(agreement_ids), owner="agreement_id", ids=agreement_ids)
    return {key: [r.organisation_id for r in value] for key, value in rows.items()}


def require_agreement_references(
    *, session: Session, principal: Principal, district_id: uuid.UUID, organisation_ids: Sequence[uuid.UUID]
) -> None:
    """403 when a party is an organisation of districts this key may not use."""
    owners = organisation_district_ids(session=session, organisation_ids=list(organisation_ids))
    for i, organisation_id in enumerate(organisation_ids):
        principal.require_reference(
            f"body.organisation_ids[{i}]", owners.get(organisation_id, []), target_district_id=district_id
        )


def _event(event_type: str, agreement: Agreement, organisation_ids: Sequence[uuid.UUID]) -> NewEvent:
    return NewEvent(
        event_type,
        ev.AgreementChanged(
            agreement_id=str(agreement.id),
            district_id=str(agreement.district_id),
            kind=agreement.kind.value,
            title=agreement.title,
            reference=agreement.reference,
            signed_on=agreement.signed_on.isoformat(),
            valid_from=agreement.valid_from.isoformat(),
            valid_to=agreement.valid_to.isoformat() if agreement.valid_to else None,
            organisation_ids=[str(o) for o in organisation_ids],
        ).dump(),
    )


def create_agreement(*, session: Session, data: AgreementCreate) -> tuple[Agreement, list[uuid.UUID]]:
    """Record a signed agreement and its parties (agreement.recorded)."""
    get_district(session=session, district_id=data.district_id)
    organisation_ids = unique(data.organisation_ids)
    require_organisations(session=session, organisation_ids=organisation_ids, path="body.organisation_ids")
    agreement = Agreement(
        district_id=data.district_id,
        kind=data.kind,
        title=data.title,
        reference=data.reference,
        signed_on=data.signed_on,
        valid_from=data.valid_from or data.signed_on,
        valid_to=data.valid_to,
    )
    session.add(agreement)
    session.flush()
    for organisation_id in organisation_ids:
        session.add(AgreementParty(agreement_id=agreement.id, organisation_id=organisation_id))
    append_to(
        session,
        row=agreement,
        stream_type=ev.AGREEMENT,
        new_events=[_event(ev.AGREEMENT_RECORDED, agreement, organisation_ids)],
        expected_version=0,
        district_id=agreement.district_id,
    )
    return agreement, organisation_ids


def end_agreement(*, session: Session, agreement: Agreement, valid_to: date) -> Agreement:
    """Set the last day an open agreement is in force (agreement.ended)."""
    if agreement.valid_to is not None:
        raise ConflictError(
            f"agreement {agreement.id} already ends on {agreement.valid_to.isoformat()}",
            agreement_id=str(agreement.id),
        )
    if valid_to < agreement.valid_from:
        raise ValidationFailed(
            "ends before it starts",
            errors=[
                FieldError(path="body.valid_to", message="must not be before the agreement's valid_from")
            ],
        )
    agreement.valid_to = valid_to
    parties = party_ids(session=session, agreement_ids=[agreement.id]).get(agreement.id, [])
    append_to(
        session,
        row=agreement,
        stream_type=ev.AGREEMENT,
        new_events=[_event(ev.AGREEMENT_ENDED, agreement, parties)],
        expected_version=agreement.version,
        district_id=agreement.district_id,
    )
    return agreement


def agreements(
    *,
    session: Session,
    district_id: uuid.UUID | None = None,
    organisation_id: uuid.UUID | None = None,
    on: date | None = None,
) -> list[Agreement]:
    """Agreements by district, party and date in force, by signing date."""
    statement = queries.agreement_list_statement(
        district_id=district_id, organisation_id=organisation_id, on=on
    ).order_by(Agreement.signed_on, Agreement.id)  # type: ignore[arg-type]
    return list(session.exec(statement.limit(5000)).all())
