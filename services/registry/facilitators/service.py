"""Rules of facilitators and tutors: events go on the person's stream, in the caller's session."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlmodel import Session

from services.registry import events as ev
from services.registry.common.models import normalise_search
from services.registry.common.service import first, links, rows_by, set_links, unique
from services.registry.districts.service import require_districts
from services.registry.facilitators import queries
from services.registry.facilitators.models import FacilitatorDistrict, FacilitatorProfile, TrainingRecord
from services.registry.facilitators.schemas import FacilitatorCreate, FacilitatorUpdate, TrainingCreate
from services.registry.people.models import Person
from services.registry.people.service import require_not_erased
from shared.db import utcnow
from shared.errors import ConflictError, NotFoundError
from shared.eventlog import NewEvent, append_to


def get_facilitator(*, session: Session, person_id: uuid.UUID) -> FacilitatorProfile:
    """The facilitator profile of a person, or NotFoundError."""
    profile = session.get(FacilitatorProfile, person_id)
    if profile is None:
        raise NotFoundError(f"person {person_id} is not a facilitator or tutor", person_id=str(person_id))
    return profile


def facilitator_district_ids(
    *, session: Session, person_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[uuid.UUID]]:
    """Districts each facilitator serves."""
    return links(session, FacilitatorDistrict.district_id, FacilitatorDistrict.person_id, person_ids)


def facilitator_trainings(
    *, session: Session, person_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[TrainingRecord]]:
    """Training records of each facilitator, by year."""
    return rows_by(session, queries.trainings_of(person_ids), owner="person_id", ids=person_ids)


def _profile_event(profile: FacilitatorProfile, district_ids: Sequence[uuid.UUID]) -> NewEvent:
    return NewEvent(
        ev.FACILITATOR_PROFILE_SET,
        ev.FacilitatorProfileSet(
            person_id=str(profile.person_id),
            kind=profile.kind.value,
            district_ids=[str(d) for d in district_ids],
        ).dump(),
    )


def create_facilitator(*, session: Session, person: Person, data: FacilitatorCreate) -> FacilitatorProfile:
    """Make a person a facilitator or tutor (facilitator.profile_set on the person's stream)."""
    require_not_erased(person)
    if session.get(FacilitatorProfile, person.id) is not None:
        raise ConflictError(f"person {person.id} already has a facilitator profile", person_id=str(person.id))
    district_ids = unique(data.district_ids)
    require_districts(session=session, district_ids=district_ids, path="body.district_ids")
    profile = FacilitatorProfile(
        person_id=person.id,
        kind=data.kind,
        availability_notes=data.availability_notes,
        availability=[w.model_dump(mode="json") for w in data.availability],
    )
    session.add(profile)
    session.flush()
    set_links(session, FacilitatorDistrict, "person_id", person.id, "district_id", district_ids)
    append_to(
        session,
        row=person,
        stream_type=ev.PERSON,
        new_events=[_profile_event(profile, district_ids)],
        expected_version=person.version,
        district_id=first(district_ids),
    )
    return profile


def update_facilitator(
    *,
    session: Session,
    person: Person,
    profile: FacilitatorProfile,
    data: FacilitatorUpdate,
    expected_version: int,
) -> FacilitatorProfile:
    """Change a facilitator profile; an event only when kind or districts change (notes stay private)."""
    require_not_erased(person)
    district_ids = facilitator_district_ids(session=session, person_ids=[person.id])[person.id]
    public_change = False
    if data.kind is not None and data.kind != profile.kind:
        profile.kind = data.kind
        public_change = True
    if data.district_ids is not None and set(data.district_ids) != set(district_ids):
        district_ids = unique(data.district_ids)
        require_districts(session=session, district_ids=district_ids, path="body.district_ids")
        set_links(session, FacilitatorDistrict, "person_id", person.id, "district_id", district_ids)
        public_change = True
    if data.availability_notes is not None:
        profile.availability_notes = data.availability_notes
    if data.availability is not None:
        profile.availability = [w.model_dump(mode="json") for w in data.availability]
    profile.updated_at = utcnow()
    if public_change:
        append_to(
            session,
            row=person,
            stream_type=ev.PERSON,
            new_events=[_profile_event(profile, district_ids)],
            expected_version=expected_version,
            district_id=first(district_ids),
        )
    session.flush()
    return profile


def record_training(
    *, session: Session, person: Person, profile: FacilitatorProfile, data: TrainingCreate
) -> TrainingRecord:
    """Record a completed course (facilitator.training_recorded)."""
    require_not_erased(person)
    training = TrainingRecord(
        person_id=profile.person_id,
        course=data.course,
        search_course=normalise_search(data.course),
        year=data.year,
        hours=data.hours,
        provider=data.provider,
    )
    session.add(training)
    session.flush()
    district_ids = facilitator_district_ids(session=session, person_ids=[person.id])[person.id]
    append_to(
        session,
        row=person,
        stream_type=ev.PERSON,
        new_events=[
            NewEvent(
                ev.FACILITATOR_TRAINING_RECORDED,
                ev.FacilitatorTrainingRecorded(
                    person_id=str(person.id),
                    training_id=str(training.id),
                    course=training.course,
                    year=training.year,
                    hours=training.hours,
                    provider=training.provider,
                ).dump(),
            )
        ],
        expected_version=person.version,
        district_id=first(district_ids),
    )
    return training
