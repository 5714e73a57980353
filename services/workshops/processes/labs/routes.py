"""HTTP routes of regional labs: meetings and working groups of an edition (regional administrators write).

Meetings and groups, with counts by recipient category, are public; who took part (registry person ids) is
read by regional administrators only (401 anonymous, 403 others).
"""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Response
from sqlmodel import Session

from services.workshops.deps import RegistryDep
from services.workshops.processes.labs import queries, service
from services.workshops.processes.labs.deps import EditionForLab, GroupForEdit, MeetingForEdit
from services.workshops.processes.labs.models import (
    LabGroup,
    LabGroupMember,
    LabMeeting,
    LabMeetingParticipant,
)
from services.workshops.processes.labs.schemas import (
    LabGroupCreate,
    LabGroupPublic,
    LabMeetingCreate,
    LabMeetingPublic,
    LabMembersSet,
    LabParticipantsSet,
    LabPeoplePublic,
    LabPersonPublic,
    RecipientCount,
)
from services.workshops.processes.programmes.service import get_edition
from shared.api.etag import etag_for, set_etag
from shared.api.idempotency import IdempotencyDep
from shared.api.pagination import Page, Paging
from shared.deps import SessionDep, SignedInDep
from shared.errors import problem_responses

router = APIRouter()

TAG = "regional labs"
OPENAPI_TAGS = [
    {
        "name": TAG,
        "description": "Regional labs as a programme activity: the meetings of an edition, its working groups "
        "and who took part, by recipient category (district directors, heads of the Uffici di Piano, CTSS "
        "offices, ...). Counts are public; the people are read by regional administrators only.",
    }
]


def _counts(rows: list[LabMeetingParticipant] | list[LabGroupMember]) -> list[RecipientCount]:
    counts = service.recipient_counts(rows)
    return [
        RecipientCount(recipient=r, people=n) for r, n in sorted(counts.items(), key=lambda kv: kv[0].value)
    ]


def meeting_public(session: Session, meeting: LabMeeting) -> LabMeetingPublic:
    """A meeting with its counts."""
    rows = service.meeting_people(session=session, meeting=meeting)
    return LabMeetingPublic(
        id=meeting.id,
        edition_id=meeting.edition_id,
        held_on=meeting.held_on,
        place=meeting.place,
        topic=meeting.topic,
        lab_group_ids=[uuid.UUID(str(g)) for g in meeting.lab_group_ids],
        participants=len(rows),
        recipients=_counts(rows),
        version=meeting.version,
        created_at=meeting.created_at,
    )


def group_public(session: Session, group: LabGroup) -> LabGroupPublic:
    """A group with its counts."""
    rows = service.group_people(session=session, group=group)
    return LabGroupPublic(
        id=group.id,
        edition_id=group.edition_id,
        name=group.name,
        topic=group.topic,
        members=len(rows),
        recipients=_counts(rows),
        version=group.version,
        created_at=group.created_at,
    )


def _people_public(
    response: Response, row: LabMeeting | LabGroup, people: list[LabMeetingParticipant] | list[LabGroupMember]
) -> LabPeoplePublic:
    set_etag(response, row.version)
    return LabPeoplePublic(
        id=row.id,
        people=[LabPersonPublic(person_id=r.person_id, recipient=r.recipient) for r in people],
        version=row.version,
    )


def _participants(response: Response, session: Session, meeting: LabMeeting) -> LabPeoplePublic:
    """Who took part in the meeting, its ETag set."""
    return _people_public(response, meeting, service.meeting_people(session=session, meeting=meeting))


def _members(response: Response, session: Session, group: LabGroup) -> LabPeoplePublic:
    """The group's members, its ETag set."""
    return _people_public(response, group, service.group_people(session=session, group=group))


@router.post(
    "/editions/{edition_id}/lab-meetings",
    status_code=201,
    response_model=LabMeetingPublic,
    summary="Record a meeting of an edition's regional lab with its working groups and participants",
    tags=[TAG],
    responses=problem_responses(401, 403, 404, 422, 503),
)
def create_lab_meeting(
    edition: EditionForLab,
    payload: LabMeetingCreate,
    response: Response,
    session: SessionDep,
    registry: RegistryDep,
    idempotency: IdempotencyDep,
) -> Any:
    if (replay := idempotency.replay(payload)) is not None:
        return replay
    meeting = service.create_meeting(session=session, registry=registry, edition_id=edition.id, data=payload)
    return idempotency.created(
        response,
        meeting_public(session, meeting),
        location=f"/lab-meetings/{meeting.id}",
        etag=etag_for(meeting.version),
    )


@router.get(
    "/editions/{edition_id}/lab-meetings",
    response_model=Page[LabMeetingPublic],
    summary="List the meetings of an edition's regional lab, by date",
    tags=[TAG],
    responses=problem_responses(404, 422),
)
def list_lab_meetings(
    edition_id: uuid.UUID,
    session: SessionDep,
    paging: Paging,
) -> Any:
    get_edition(session=session, edition_id=edition_id)
    statement = queries.meetings(edition_id=edition_id)
    rows, next_cursor = paging.rows(session, statement, sort=LabMeeting.held_on, tiebreak=LabMeeting.id)  # type: ignore[arg-type]
    return paging.page([meeting_public(session, m) for m in rows], next_cursor)


@router.get(
    "/lab-meetings/{lab_meeting_id}",
    response_model=LabMeetingPublic,
    summary="Get a regional lab meeting with its working groups and counts of participants",
    tags=[TAG],
    responses=problem_responses(404, 422),
)
def get_lab_meeting(lab_meeting_id: uuid.UUID, response: Response, session: SessionDep) -> Any:
    meeting = service.get_meeting(session=session, lab_meeting_id=lab_meeting_id)
    set_etag(response, meeting.version)
    return meeting_public(session, meeting)


@router.get(
    "/lab-meetings/{lab_meeting_id}/participants",
    response_model=LabPeoplePublic,
    summary="Who took part in a regional lab meeting, by recipient category (regional administrators)",
    tags=[TAG],
    responses=problem_responses(401, 403, 404, 422),
)
def get_lab_meeting_participants(
    lab_meeting_id: uuid.UUID, response: Response, session: SessionDep, principal: SignedInDep
) -> Any:
    principal.require_admin()
    meeting = service.get_meeting(session=session, lab_meeting_id=lab_meeting_id)
    return _participants(response, session, meeting)


@router.put(
    "/lab-meetings/{lab_meeting_id}/participants",
    response_model=LabPeoplePublic,
    summary="Set who took part in a regional lab meeting (regional administrators)",
    tags=[TAG],
    responses=problem_responses(401, 403, 404, 412, 422, 503),
)
def set_lab_meeting_participants(
    edit: MeetingForEdit,
    payload: LabParticipantsSet,
    response: Response,
    session: SessionDep,
    registry: RegistryDep,
) -> Any:
    meeting, expected = edit.row, edit.expected_version
    service.set_participants(
        session=session,
        registry=registry,
        meeting=meeting,
        participants=payload.participants,
        expected_version=expected,
    )
    return _participants(response, session, meeting)


@router.post(
    "/editions/{edition_id}/lab-groups",
    status_code=201,
    response_model=LabGroupPublic,
    summary="Create a working group of an edition's regional lab with its members",
    tags=[TAG],
    responses=problem_responses(401, 403, 404, 422, 503),
)
def create_lab_group(
    edition: EditionForLab,
    payload: LabGroupCreate,
    response: Response,
    session: SessionDep,
    registry: RegistryDep,
    idempotency: IdempotencyDep,
) -> Any:
    if (replay := idempotency.replay(payload)) is not None:
        return replay
    group = service.create_group(session=session, registry=registry, edition_id=edition.id, data=payload)
    return idempotency.created(
        response,
        group_public(session, group),
        location=f"/lab-groups/{group.id}",
        etag=etag_for(group.version),
    )


@router.get(
    "/editions/{edition_id}/lab-groups",
    response_model=Page[LabGroupPublic],
    summary="List the working groups of an edition's regional lab",
    tags=[TAG],
    responses=problem_responses(404, 422),
)
def list_lab_groups(
    edition_id: uuid.UUID,
    session: SessionDep,
    paging: Paging,
) -> Any:
    get_edition(session=session, edition_id=edition_id)
    statement = queries.groups(edition_id=edition_id)
    rows, next_cursor = paging.rows(session, statement, sort=LabGroup.created_at, tiebreak=LabGroup.id)  # type: ignore[arg-type]
    return paging.page([group_public(session, g) for g in rows], next_cursor)


@router.get(
    "/lab-groups/{lab_group_id}",
    response_model=LabGroupPublic,
    summary="Get a working group of a regional lab with counts of members",
    tags=[TAG],
    responses=problem_responses(404, 422),
)
def get_lab_group(lab_group_id: uuid.UUID, response: Response, session: SessionDep) -> Any:
    group = service.get_group(session=session, lab_group_id=lab_group_id)
    set_etag(response, group.version)
    return group_public(session, group)


@router.get(
    "/lab-groups/{lab_group_id}/members",
    response_model=LabPeoplePublic,
    summary="The members of a regional lab's working group, by recipient category (regional administrators)",
    tags=[TAG],
    responses=problem_responses(401, 403, 404, 422),
)
def get_lab_group_members(
    lab_group_id: uuid.UUID, response: Response, session: SessionDep, principal: SignedInDep
) -> Any:
    principal.require_admin()
    return _members(response, session, service.get_group(session=session, lab_group_id=lab_group_id))


@router.put(
    "/lab-groups/{lab_group_id}/members",
    response_model=LabPeoplePublic,
    summary="Set the members of a regional lab's working group (regional administrators)",
    tags=[TAG],
    responses=problem_responses(401, 403, 404, 412, 422, 503),
)
def set_lab_group_members(
    edit: GroupForEdit, payload: LabMembersSet, response: Response, session: SessionDep, registry: RegistryDep
) -> Any:
    group, expected = edit.row, edit.expected_version
    service.set_members(
        session=session, registry=registry, group=group, members=payload.members, expected_version=expected
    )
    return _members(response, session, group)
