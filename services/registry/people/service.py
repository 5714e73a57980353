"""Rules of people: every change appends its event in the caller's session; events never carry names."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, or_
from sqlmodel import Session, col, select

from services.registry import events as ev
from services.registry.common.models import normalise_search
from services.registry.common.service import first, links, rows_by, set_links, unique
from services.registry.districts.service import require_districts
from services.registry.facilitators.models import FacilitatorProfile
from services.registry.identity.models import PersonIdentity
from services.registry.organisations.service import organisation_district_ids, require_organisations
from services.registry.people import queries
from services.registry.people.models import ConsentRecord, Person, PersonAffiliation, PersonDistrict
from services.registry.people.schemas import ConsentCreate, PersonCreate, PersonUpdate
from services.registry.supervisions.models import SupervisionCase, SupervisionNote
from shared.auth.principal import Principal
from shared.db import utcnow
from shared.errors import ConflictError, FieldError, NotFoundError, ValidationFailed
from shared.eventlog import NewEvent, append_to
from shared.platform.tables import idempotency_keys


def get_person(*, session: Session, person_id: uuid.UUID) -> Person:
    """The person (or their erased placeholder), or NotFoundError."""
    person = session.get(Person, person_id)
    if person is None:
        raise NotFoundError(f"person {person_id} does not exist", person_id=str(person_id))
    return person


def person_district_ids(
    *, session: Session, person_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[uuid.UUID]]:
    """District ids of each person."""
    return links(session, PersonDistrict.district_id, PersonDistrict.person_id, person_ids)


def person_organisation_ids(
    *, session: Session, person_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[uuid.UUID]]:
    """Organisation ids each person is affiliated with."""
    return links(session, PersonAffiliation.organisation_id, PersonAffiliation.person_id, person_ids)


def person_consents(
    *, session: Session, person_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[ConsentRecord]]:
    """Consent records of each person, oldest first."""
    return rows_by(session, queries.consents_of(person_ids), owner="person_id", ids=person_ids)


def person_versions(*, session: Session, person_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, int]:
    """The stream version of each person."""
    if not person_ids:
        return {}
    rows = session.exec(select(Person.id, Person.version).where(Person.id.in_(person_ids))).all()  # type: ignore[attr-defined]
    return dict(rows)


def _person_search(person: Person) -> str:
    return normalise_search(person.given_name, person.family_name, person.email)


def require_person_references(
    *, session: Session, principal: Principal, organisation_ids: Sequence[uuid.UUID] | None
) -> None:
    """403 when an affiliation points at an organisation of districts this key may not use (issue 16.4)."""
    ids = list(organisation_ids or [])
    served = organisation_district_ids(session=session, organisation_ids=ids)
    for index, organisation_id in enumerate(ids):
        principal.require_reference(f"body.organisation_ids[{index}]", served.get(organisation_id, []))


def require_email_free(*, session: Session, email: str) -> None:
    """ConflictError naming the person already registered with this email (compared case-insensitively)."""
    existing = session.exec(
        select(Person.id).where(func.lower(Person.email) == email.lower()).order_by(Person.created_at)
    ).first()
    if existing is not None:
        raise ConflictError(
            f"a person with this email is already registered: {existing}; use that person "
            '(GET /people/{id}), or send "different_person": true if this is someone else',
            errors=[FieldError(path="body.email", message="already registered", type="duplicate")],
            existing_person_id=str(existing),
        )


def create_person(*, session: Session, data: PersonCreate) -> Person:
    """Register a person (person.registered carries ids and category only, never names or contacts)."""
    district_ids = unique(data.district_ids)
    organisation_ids = unique(data.organisation_ids)
    require_districts(session=session, district_ids=district_ids, path="body.district_ids")
    require_organisations(session=session, organisation_ids=organisation_ids, path="body.organisation_ids")
    if data.email and not data.different_person:
        require_email_free(session=session, email=data.email)
    person = Person(
        given_name=data.given_name,
        family_name=data.family_name,
        email=data.email,
        phone=data.phone,
        actor_category=data.actor_category,
    )
    person.search_name = _person_search(person)
    session.add(person)
    session.flush()
    set_links(session, PersonDistrict, "person_id", person.id, "district_id", district_ids)
    set_links(session, PersonAffiliation, "person_id", person.id, "organisation_id", organisation_ids)
    append_to(
        session,
        row=person,
        stream_type=ev.PERSON,
        new_events=[
            NewEvent(
                ev.PERSON_REGISTERED,
                ev.PersonRegistered(
                    person_id=str(person.id),
                    actor_category=person.actor_category.value,
                    organisation_ids=[str(o) for o in organisation_ids],
                    district_ids=[str(d) for d in district_ids],
                ).dump(),
            )
        ],
        expected_version=0,
        district_id=first(district_ids),
    )
    return person


def require_not_erased(person: Person) -> None:
    """409 when the person was erased: an erased placeholder takes no new data."""
    if person.erased:
        raise ConflictError(f"person {person.id} was erased", person_id=str(person.id))


def update_person(*, session: Session, person: Person, data: PersonUpdate, expected_version: int) -> Person:
    """Change a person (person.updated names the changed fields only)."""
    require_not_erased(person)
    changed: list[str] = []
    fields = data.model_dump(exclude_unset=True)
    for name in ("given_name", "family_name", "email", "phone", "actor_category"):
        if name in fields and getattr(person, name) != fields[name]:
            setattr(person, name, fields[name])
            changed.append(name)
    district_ids = person_district_ids(session=session, person_ids=[person.id])[person.id]
    organisation_ids = person_organisation_ids(session=session, person_ids=[person.id])[person.id]
    if data.district_ids is not None and set(data.district_ids) != set(district_ids):
        district_ids = unique(data.district_ids)
        require_districts(session=session, district_ids=district_ids, path="body.district_ids")
        set_links(session, PersonDistrict, "person_id", person.id, "district_id", district_ids)
        changed.append("district_ids")
    if data.organisation_ids is not None and set(data.organisation_ids) != set(organisation_ids):
        organisation_ids = unique(data.organisation_ids)
        require_organisations(
            session=session, organisation_ids=organisation_ids, path="body.organisation_ids"
        )
        set_links(session, PersonAffiliation, "person_id", person.id, "organisation_id", organisation_ids)
        changed.append("organisation_ids")
    if not changed:
        return person
    person.search_name = _person_search(person)
    append_to(
        session,
        row=person,
        stream_type=ev.PERSON,
        new_events=[
            NewEvent(
                ev.PERSON_UPDATED,
                ev.PersonUpdated(
                    person_id=str(person.id),
                    changed_fields=changed,
                    actor_category=person.actor_category.value,
                    organisation_ids=[str(o) for o in organisation_ids],
                    district_ids=[str(d) for d in district_ids],
                ).dump(),
            )
        ],
        expected_version=expected_version,
        district_id=first(district_ids),
    )
    return person


def _append_person_event(session: Session, person: Person, new_event: NewEvent) -> None:
    """Append one event to the person's stream, filed under their first district, and flush."""
    district_ids = person_district_ids(session=session, person_ids=[person.id])[person.id]
    append_to(
        session,
        row=person,
        stream_type=ev.PERSON,
        new_events=[new_event],
        expected_version=person.version,
        district_id=first(district_ids),
    )


def _erase_supervision_notes(session: Session, person_id: uuid.UUID) -> None:
    """Supervision notes are about the practice of the case's facilitator: erasing them (or their author)
    empties the notes' text and the cases' titles; the rows stay, so reports count the same."""
    cases = session.exec(select(SupervisionCase).where(SupervisionCase.brought_by_id == person_id)).all()
    case_ids = [c.id for c in cases]
    for case in cases:
        case.title = ""
    notes = select(SupervisionNote).where(
        or_(col(SupervisionNote.case_id).in_(case_ids), col(SupervisionNote.author_id) == person_id)
    )
    for note in session.exec(notes).all():
        note.body = ""
    session.flush()


def erase_person(*, session: Session, person: Person) -> Person:
    """Wipe a person's personal data and keep an anonymous placeholder (person.erased with the id only).

    Erasing an erased person changes nothing. Stored idempotent replays of requests about the person (which
    may hold the created body with names) are deleted too.
    """
    if person.erased:
        return person
    person.given_name = None
    person.family_name = None
    person.email = None
    person.phone = None
    person.search_name = ""
    person.erased = True
    person.erased_at = utcnow()
    person.updated_at = person.erased_at
    profile = session.get(FacilitatorProfile, person.id)
    if profile is not None:
        profile.availability_notes = ""
        profile.availability = []
    _erase_supervision_notes(session, person.id)
    # Sign-in identifiers (fiscal codes, subjects, e-mails) are personal data too: an erased person has none.
    identities = PersonIdentity.__table__  # type: ignore[attr-defined]
    session.connection().execute(identities.delete().where(identities.c.person_id == person.id))
    session.connection().execute(
        idempotency_keys.delete().where(
            idempotency_keys.c.response_body.contains(str(person.id), autoescape=True)
        )
    )
    _append_person_event(
        session, person, NewEvent(ev.PERSON_ERASED, ev.PersonErased(person_id=str(person.id)).dump())
    )
    return person


def record_consent(*, session: Session, person: Person, data: ConsentCreate) -> ConsentRecord:
    """Record a consent (person.consent_recorded)."""
    require_not_erased(person)
    consent = ConsentRecord(person_id=person.id, purpose=data.purpose, given_at=data.given_at or utcnow())
    session.add(consent)
    session.flush()
    _append_person_event(
        session,
        person,
        NewEvent(
            ev.PERSON_CONSENT_RECORDED,
            ev.PersonConsent(
                person_id=str(person.id), consent_id=str(consent.id), purpose=consent.purpose
            ).dump(),
        ),
    )
    return consent


def withdraw_consent(
    *, session: Session, person: Person, consent_id: uuid.UUID, withdrawn_at: datetime | None
) -> ConsentRecord:
    """Withdraw a consent (person.consent_withdrawn); withdrawing twice is a 409."""
    consent = session.get(ConsentRecord, consent_id)
    if consent is None or consent.person_id != person.id:
        raise NotFoundError(f"consent {consent_id} does not exist for person {person.id}")
    if consent.withdrawn_at is not None:
        raise ConflictError(f"consent {consent_id} was already withdrawn", consent_id=str(consent_id))
    when = withdrawn_at or utcnow()
    if when < consent.given_at:
        raise ValidationFailed(
            "withdrawn before given",
            errors=[FieldError(path="body.withdrawn_at", message="must not be before given_at")],
        )
    consent.withdrawn_at = when
    _append_person_event(
        session,
        person,
        NewEvent(
            ev.PERSON_CONSENT_WITHDRAWN,
            ev.PersonConsent(
                person_id=str(person.id), consent_id=str(consent.id), purpose=consent.purpose
            ).dump(),
        ),
    )
    return consent
