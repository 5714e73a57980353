"""Rules of regional labs: meetings and working groups of an edition; people checked in the registry.

Every change appends its event in the caller's session (ids and recipient categories only). A meeting names
the working groups that met (groups of the same edition, 422 otherwise); a person appears once per meeting or
group (the last category given wins); unknown people are 422 on their field path.
"""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Sequence

from sqlalchemy import delete
from sqlmodel import Session, col, select

from services.workshops.processes.labs import events as ev
from services.workshops.processes.labs.models import (
    LabGroup,
    LabGroupMember,
    LabMeeting,
    LabMeetingParticipant,
    LabRecipient,
)
from services.workshops.processes.labs.schemas import LabGroupCreate, LabMeetingCreate, LabPerson
from services.workshops.processes.models import Edition
from services.workshops.processes.programmes.service import get_edition
from shared.clients.registry import RegistryClient
from shared.errors import FieldError, NotFoundError, ValidationFailed
from shared.eventlog import NewEvent, append_to


def get_meeting(*, session: Session, lab_meeting_id: uuid.UUID) -> LabMeeting:
    """The meeting, or NotFoundError."""
    row = session.get(LabMeeting, lab_meeting_id)
    if row is None:
        raise NotFoundError(
            f"lab meeting {lab_meeting_id} does not exist", lab_meeting_id=str(lab_meeting_id)
        )
    return row


def get_group(*, session: Session, lab_group_id: uuid.UUID) -> LabGroup:
    """The working group, or NotFoundError."""
    row = session.get(LabGroup, lab_group_id)
    if row is None:
        raise NotFoundError(f"lab group {lab_group_id} does not exist", lab_group_id=str(lab_group_id))
    return row


def _people(
    registry: RegistryClient, people: Sequence[LabPerson], path: str
) -> dict[uuid.UUID, LabRecipient]:
    missing = [
        FieldError(
            path=f"{path}[{i}].person_id", message=f"person {p.person_id} does not exist in the registry"
        )
        for i, p in enumerate(people)
        if registry.get_person(str(p.person_id)) is None
    ]
    if missing:
        raise ValidationFailed("unknown people", errors=missing)
    return {p.person_id: p.recipient for p in people}


def _refs(people: dict[uuid.UUID, LabRecipient]) -> list[ev.LabPersonRef]:
    return [ev.LabPersonRef(person_id=str(p), recipient=r.value) for p, r in people.items()]


def meeting_people(*, session: Session, meeting: LabMeeting) -> list[LabMeetingParticipant]:
    """Who took part in a meeting."""
    statement = (
        select(LabMeetingParticipant)
        .where(LabMeetingParticipant.lab_meeting_id == meeting.id)
        .order_by(col(LabMeetingParticipant.person_id))
    )
    return list(session.exec(statement).all())


def group_people(*, session: Session, group: LabGroup) -> list[LabGroupMember]:
    """The members of a group."""
    statement = (
        select(LabGroupMember)
        .where(LabGroupMember.lab_group_id == group.id)
        .order_by(col(LabGroupMember.person_id))
    )
    return list(session.exec(statement).all())


def recipient_counts(rows: Sequence[LabMeetingParticipant | LabGroupMember]) -> Counter[LabRecipient]:
    """People per recipient category."""
    return Counter(r.recipient for r in rows)


def _replace_participants(
    session: Session, meeting: LabMeeting, people: dict[uuid.UUID, LabRecipient]
) -> None:
    session.exec(delete(LabMeetingParticipant).where(col(LabMeetingParticipant.lab_meeting_id) == meeting.id))  # type: ignore[call-overload]
    for person_id, recipient in people.items():
        session.add(
            LabMeetingParticipant(lab_meeting_id=meeting.id, person_id=person_id, recipient=recipient)
        )
    session.flush()


def _replace_members(session: Session, group: LabGroup, people: dict[uuid.UUID, LabRecipient]) -> None:
    session.exec(delete(LabGroupMember).where(col(LabGroupMember.lab_group_id) == group.id))  # type: ignore[call-overload]
    for person_id, recipient in people.items():
        session.add(LabGroupMember(lab_group_id=group.id, person_id=person_id, recipient=recipient))
    session.flush()


def create_meeting(
    *, session: Session, registry: RegistryClient, edition_id: uuid.UUID, data: LabMeetingCreate
) -> LabMeeting:
    """Record a meeting of the edition's lab (lab_meeting.scheduled, then participants_recorded if any)."""
    edition = get_edition(session=session, edition_id=edition_id)
    groups = list(dict.fromkeys(data.lab_group_ids))
    wrong = [
        FieldError(
            path=f"body.lab_group_ids[{i}]", message=f"lab group {g} is not a working group of this edition"
        )
        for i, g in enumerate(data.lab_group_ids)
        if (group := session.get(LabGroup, g)) is None or group.edition_id != edition.id
    ]
    if wrong:
        raise ValidationFailed("unknown working groups", errors=wrong)
    people = _people(registry, data.participants, "body.participants")
    meeting = LabMeeting(
        edition_id=edition.id,
        held_on=data.held_on,
        place=data.place,
        topic=data.topic,
        lab_group_ids=[str(g) for g in groups],
    )
    session.add(meeting)
    session.flush()
    new_events = [
        NewEvent(
            ev.LAB_MEETING_SCHEDULED,
            ev.LabMeetingScheduled(
                lab_meeting_id=str(meeting.id),
                edition_id=str(edition.id),
                programme_id=str(edition.programme_id),
                held_on=meeting.held_on.isoformat(),
                topic=meeting.topic,
                lab_group_ids=[str(g) for g in groups],
            ).dump(),
        )
    ]
    if people:
        _replace_participants(session, meeting, people)
        new_events.append(_participants_event(meeting, edition, people))
    append_to(
        session,
        stream_type=ev.LAB_MEETING,
        row=meeting,
        stream_id=meeting.id,
        district_id=None,
        expected_version=0,
        new_events=new_events,
    )
    return meeting


def _participants_event(
    meeting: LabMeeting, edition: Edition, people: dict[uuid.UUID, LabRecipient]
) -> NewEvent:
    return NewEvent(
        ev.LAB_MEETING_PARTICIPANTS_RECORDED,
        ev.LabMeetingParticipantsRecorded(
            lab_meeting_id=str(meeting.id), edition_id=str(edition.id), participants=_refs(people)
        ).dump(),
    )


def set_participants(
    *,
    session: Session,
    registry: RegistryClient,
    meeting: LabMeeting,
    participants: Sequence[LabPerson],
    expected_version: int | None,
) -> LabMeeting:
    """Replace who took part in a meeting (lab_meeting.participants_recorded)."""
    people = _people(registry, participants, "body.participants")
    edition = get_edition(session=session, edition_id=meeting.edition_id)
    _replace_participants(session, meeting, people)
    append_to(
        session,
        stream_type=ev.LAB_MEETING,
        row=meeting,
        stream_id=meeting.id,
        district_id=None,
        expected_version=expected_version if expected_version is not None else meeting.version,
        new_events=[_participants_event(meeting, edition, people)],
    )
    return meeting


def create_group(
    *, session: Session, registry: RegistryClient, edition_id: uuid.UUID, data: LabGroupCreate
) -> LabGroup:
    """Create a working group of the edition's lab (lab_group.created, then members_set if any)."""
    edition = get_edition(session=session, edition_id=edition_id)
    people = _people(registry, data.members, "body.members")
    group = LabGroup(edition_id=edition.id, name=data.name, topic=data.topic)
    session.add(group)
    session.flush()
    new_events = [
        NewEvent(
            ev.LAB_GROUP_CREATED,
            ev.LabGroupCreated(
                lab_group_id=str(group.id),
                edition_id=str(edition.id),
                programme_id=str(edition.programme_id),
                name=group.name,
                topic=group.topic,
            ).dump(),
        )
    ]
    if people:
        _replace_members(session, group, people)
        new_events.append(_members_event(group, people))
    append_to(
        session,
        stream_type=ev.LAB_GROUP,
        row=group,
        stream_id=group.id,
        district_id=None,
        expected_version=0,
        new_events=new_events,
    )
    return group


def _members_event(group: LabGroup, people: dict[uuid.UUID, LabRecipient]) -> NewEvent:
    return NewEvent(
        ev.LAB_GROUP_MEMBERS_SET,
        ev.LabGroupMembersSet(
            lab_group_id=str(group.id), edition_id=str(group.edition_id), members=_refs(people)
        ).dump(),
    )


def set_members(
    *,
    session: Session,
    registry: RegistryClient,
    group: LabGroup,
    members: Sequence[LabPerson],
    expected_version: int | None,
) -> LabGroup:
    """Replace the members of a working group (lab_group.members_set)."""
    people = _people(registry, members, "body.members")
    _replace_members(session, group, people)
    append_to(
        session,
        stream_type=ev.LAB_GROUP,
        row=group,
        stream_id=group.id,
        district_id=None,
        expected_version=expected_version if expected_version is not None else group.version,
        new_events=[_members_event(group, people)],
    )
    return group
