"""Rules of governance bodies and memberships: every change appends its event in the caller's session."""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import or_, true
from sqlmodel import Session, select

from services.registry import events as ev
from services.registry.bodies import queries
from services.registry.bodies.models import BodyMembership, GovernanceBody
from services.registry.bodies.schemas import BodyCreate, MembershipCreate
from services.registry.common.service import emit
from services.registry.districts.service import get_district
from services.registry.people.service import get_person, person_district_ids, require_not_erased
from shared.auth.principal import Principal
from shared.errors import ConflictError, FieldError, NotFoundError, ValidationFailed
from shared.eventlog import NewEvent, read_stream


def get_body(*, session: Session, body_id: uuid.UUID) -> GovernanceBody:
    """The body, or NotFoundError."""
    body = session.get(GovernanceBody, body_id)
    if body is None:
        raise NotFoundError(f"body {body_id} does not exist", body_id=str(body_id))
    return body


def require_body_references(
    *,
    session: Session,
    principal: Principal,
    district_id: uuid.UUID,
    process_id: uuid.UUID | None = None,
    person_id: uuid.UUID | None = None,
) -> None:
    """403 when a body's process or a member belongs to districts this key may not use (issue 16.4)."""
    if process_id is not None:
        # The process lives in the workshops service: its district is on its first event in the shared log.
        created = read_stream(session, "process", process_id, limit=1)
        owners = [created[0].district_id] if created and created[0].district_id else []
        principal.require_reference("body.process_id", owners, target_district_id=district_id)
    if person_id is not None:
        owners = person_district_ids(session=session, person_ids=[person_id]).get(person_id, [])
        principal.require_reference("body.person_id", owners, target_district_id=district_id)


def create_body(*, session: Session, data: BodyCreate) -> GovernanceBody:
    """Create a governance body (body.created); one Ufficio di Piano / Comitato per district, one group per process."""
    get_district(session=session, district_id=data.district_id)
    clash = session.exec(
        select(GovernanceBody).where(
            GovernanceBody.district_id == data.district_id,
            GovernanceBody.kind == data.kind,
            GovernanceBody.process_id == data.process_id
            if data.process_id is not None
            else GovernanceBody.process_id.is_(None),  # type: ignore[union-attr]
        )
    ).first()
    if clash is not None:
        raise ConflictError(
            f"district {data.district_id} already has a {data.kind.value}"
            + (f" for process {data.process_id}" if data.process_id else ""),
            body_id=str(clash.id),
        )
    body = GovernanceBody(
        district_id=data.district_id, kind=data.kind, name=data.name, process_id=data.process_id
    )
    session.add(body)
    session.flush()
    body.version = emit(
        session,
        stream_type=ev.BODY,
        stream_id=body.id,
        expected_version=0,
        new_events=[
            NewEvent(
                ev.BODY_CREATED,
                ev.BodyCreated(
                    body_id=str(body.id),
                    district_id=str(body.district_id),
                    kind=body.kind.value,
                    name=body.name,
                    process_id=str(body.process_id) if body.process_id else None,
                ).dump(),
            )
        ],
        district_id=body.district_id,
    )
    session.flush()
    return body


def _member_event(event_type: str, body: GovernanceBody, membership: BodyMembership) -> NewEvent:
    return NewEvent(
        event_type,
        ev.BodyMemberChanged(
            body_id=str(body.id),
            district_id=str(body.district_id),
            kind=body.kind.value,
            membership_id=str(membership.id),
            person_id=str(membership.person_id),
            role=membership.role.value,
            valid_from=membership.valid_from.isoformat(),
            valid_to=membership.valid_to.isoformat() if membership.valid_to else None,
            process_id=str(body.process_id) if body.process_id else None,
        ).dump(),
    )


def add_member(*, session: Session, body: GovernanceBody, data: MembershipCreate) -> BodyMembership:
    """Add a membership (body.member_added); the same person in the same role may not overlap in time."""
    person = get_person(session=session, person_id=data.person_id)
    require_not_erased(person)
    overlapping = session.exec(
        select(BodyMembership).where(
            BodyMembership.body_id == body.id,
            BodyMembership.person_id == data.person_id,
            BodyMembership.role == data.role,
            or_(BodyMembership.valid_to.is_(None), BodyMembership.valid_to >= data.valid_from),  # type: ignore[union-attr]
            BodyMembership.valid_from <= data.valid_to if data.valid_to else true(),
        )
    ).first()
    if overlapping is not None:
        raise ConflictError(
            f"person {data.person_id} already holds role {data.role.value} in this body for an overlapping period",
            membership_id=str(overlapping.id),
        )
    membership = BodyMembership(
        body_id=body.id,
        person_id=data.person_id,
        role=data.role,
        valid_from=data.valid_from,
        valid_to=data.valid_to,
    )
    session.add(membership)
    session.flush()
    body.version = emit(
        session,
        stream_type=ev.BODY,
        stream_id=body.id,
        expected_version=body.version,
        new_events=[_member_event(ev.BODY_MEMBER_ADDED, body, membership)],
        district_id=body.district_id,
    )
    session.flush()
    return membership


def end_member(
    *, session: Session, body: GovernanceBody, membership_id: uuid.UUID, valid_to: date
) -> BodyMembership:
    """End a membership on ``valid_to`` (body.member_ended); an ended membership cannot end again."""
    membership = session.get(BodyMembership, membership_id)
    if membership is None or membership.body_id != body.id:
        raise NotFoundError(f"membership {membership_id} does not exist in body {body.id}")
    if membership.valid_to is not None:
        raise ConflictError(
            f"membership {membership_id} already ended on {membership.valid_to.isoformat()}",
            membership_id=str(membership_id),
        )
    if valid_to < membership.valid_from:
        raise ValidationFailed(
            "ends before it starts",
            errors=[
                FieldError(path="body.valid_to", message="must not be before the membership's valid_from")
            ],
        )
    membership.valid_to = valid_to
    body.version = emit(
        session,
        stream_type=ev.BODY,
        stream_id=body.id,
        expected_version=body.version,
        new_events=[_member_event(ev.BODY_MEMBER_ENDED, body, membership)],
        district_id=body.district_id,
    )
    session.flush()
    return membership


def memberships(
    *,
    session: Session,
    body_id: uuid.UUID | None = None,
    district_id: uuid.UUID | None = None,
    person_id: uuid.UUID | None = None,
    on: date | None = None,
) -> list[tuple[BodyMembership, GovernanceBody]]:
    """Memberships with their body, filtered by body, district, person and the date they were active on."""
    statement = queries.membership_list_statement(
        body_id=body_id, district_id=district_id, person_id=person_id, on=on
    )
    return [(m, b) for m, b in session.exec(statement).all()]
