"""Rules of governance bodies and memberships: every change appends its event in the caller's session."""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import or_, true
from sqlmodel import Session, select

from services.registry import events as ev
from services.registry.bodies import queries
from services.registry.bodies.models import (
    SINGLE_PER_DISTRICT,
    STEERING_GROUPS,
    BodyMembership,
    BodyRelation,
    GovernanceBody,
)
from services.registry.bodies.schemas import BodyCreate, MembershipCreate, RelationCreate
from services.registry.districts.service import get_district
from services.registry.people.service import get_person, person_district_ids, require_not_erased
from shared.auth.principal import Principal
from shared.errors import ConflictError, FieldError, NotFoundError, ValidationFailed
from shared.eventlog import NewEvent, append_to, read_stream


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
    clash_filter = [GovernanceBody.district_id == data.district_id, GovernanceBody.kind == data.kind]
    if data.kind in STEERING_GROUPS:
        clash_filter.append(
            GovernanceBody.process_id == data.process_id
            if data.process_id is not None
            else GovernanceBody.process_id.is_(None)  # type: ignore[union-attr]
        )
    elif data.kind not in SINGLE_PER_DISTRICT:
        clash_filter.append(GovernanceBody.name == data.name)
    clash = session.exec(select(GovernanceBody).where(*clash_filter)).first()
    if clash is not None:
        raise ConflictError(
            f"district {data.district_id} already has a {data.kind.value}"
            + (f" for process {data.process_id}" if data.process_id else "")
            + (f" named {data.name!r}" if data.kind not in SINGLE_PER_DISTRICT | STEERING_GROUPS else ""),
            body_id=str(clash.id),
        )
    body = GovernanceBody(
        district_id=data.district_id, kind=data.kind, name=data.name, process_id=data.process_id
    )
    session.add(body)
    session.flush()
    append_to(
        session,
        row=body,
        stream_type=ev.BODY,
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
        expected_version=0,
        district_id=body.district_id,
    )
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
    append_to(
        session,
        row=body,
        stream_type=ev.BODY,
        new_events=[_member_event(ev.BODY_MEMBER_ADDED, body, membership)],
        expected_version=body.version,
        district_id=body.district_id,
    )
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
    append_to(
        session,
        row=body,
        stream_type=ev.BODY,
        new_events=[_member_event(ev.BODY_MEMBER_ENDED, body, membership)],
        expected_version=body.version,
        district_id=body.district_id,
    )
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


def require_relation_references(*, session: Session, principal: Principal, to_body_id: uuid.UUID) -> None:
    """403 when the other body belongs to a district this key may not use (the one rule for body ids)."""
    target = session.get(GovernanceBody, to_body_id)
    if target is not None:
        principal.require_reference("body.to_body_id", [target.district_id])


def _relation_event(event_type: str, relation: BodyRelation) -> NewEvent:
    return NewEvent(
        event_type,
        ev.BodyRelationChanged(
            relation_id=str(relation.id),
            district_id=str(relation.district_id),
            body_id=str(relation.from_body_id),
            to_body_id=str(relation.to_body_id),
            kind=relation.kind.value,
            note=relation.note,
            valid_from=relation.valid_from.isoformat(),
            valid_to=relation.valid_to.isoformat() if relation.valid_to else None,
        ).dump(),
    )


def add_relation(*, session: Session, body: GovernanceBody, data: RelationCreate) -> BodyRelation:
    """Record that ``body`` acts on another body of its district (body.relation_added on its stream)."""
    if data.to_body_id == body.id:
        raise ValidationFailed(
            "a body cannot relate to itself",
            errors=[FieldError(path="body.to_body_id", message="must be another body")],
        )
    target = session.get(GovernanceBody, data.to_body_id)
    if target is None:
        raise ValidationFailed(
            "unknown body",
            errors=[FieldError(path="body.to_body_id", message=f"body {data.to_body_id} does not exist")],
        )
    if target.district_id != body.district_id:
        raise ValidationFailed(
            "relations join bodies of one district",
            errors=[FieldError(path="body.to_body_id", message="must be a body of the same district")],
        )
    overlapping = session.exec(
        select(BodyRelation).where(
            BodyRelation.from_body_id == body.id,
            BodyRelation.to_body_id == target.id,
            BodyRelation.kind == data.kind,
            or_(BodyRelation.valid_to.is_(None), BodyRelation.valid_to >= data.valid_from),  # type: ignore[union-attr]
            BodyRelation.valid_from <= data.valid_to if data.valid_to else true(),
        )
    ).first()
    if overlapping is not None:
        raise ConflictError(
            f"body {body.id} already {data.kind.value} body {target.id} for an overlapping period",
            relation_id=str(overlapping.id),
        )
    relation = BodyRelation(
        district_id=body.district_id,
        from_body_id=body.id,
        to_body_id=target.id,
        kind=data.kind,
        note=data.note,
        valid_from=data.valid_from,
        valid_to=data.valid_to,
    )
    session.add(relation)
    session.flush()
    append_to(
        session,
        row=body,
        stream_type=ev.BODY,
        new_events=[_relation_event(ev.BODY_RELATION_ADDED, relation)],
        expected_version=body.version,
        district_id=body.district_id,
    )
    return relation


def end_relation(
    *, session: Session, body: GovernanceBody, relation_id: uuid.UUID, valid_to: date
) -> BodyRelation:
    """End a relation on ``valid_to`` (body.relation_ended); an ended relation cannot end again."""
    relation = session.get(BodyRelation, relation_id)
    if relation is None or relation.from_body_id != body.id:
        raise NotFoundError(f"relation {relation_id} does not start from body {body.id}")
    if relation.valid_to is not None:
        raise ConflictError(
            f"relation {relation_id} already ended on {relation.valid_to.isoformat()}",
            relation_id=str(relation_id),
        )
    if valid_to < relation.valid_from:
        raise ValidationFailed(
            "ends before it starts",
            errors=[FieldError(path="body.valid_to", message="must not be before the relation's valid_from")],
        )
    relation.valid_to = valid_to
    append_to(
        session,
        row=body,
        stream_type=ev.BODY,
        new_events=[_relation_event(ev.BODY_RELATION_ENDED, relation)],
        expected_version=body.version,
        district_id=body.district_id,
    )
    return relation


def relations(
    *,
    session: Session,
    body_id: uuid.UUID | None = None,
    district_id: uuid.UUID | None = None,
    on: date | None = None,
) -> list[BodyRelation]:
    """Relations from or to a body, or of a district, optionally those active on a date."""
    return list(
        session.exec(queries.relation_list_statement(body_id=body_id, district_id=district_id, on=on)).all()
    )


def district_bodies(*, session: Session, district_id: uuid.UUID) -> list[GovernanceBody]:
    """Every body of a district, by kind and name."""
    return list(session.exec(queries.district_bodies_statement(district_id=district_id)).all())
