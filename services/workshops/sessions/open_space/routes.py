"""HTTP routes of Open Space Technology (topics, law of two feet, reports)."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Response

from services.workshops.deps import RegistryDep
from services.workshops.processes import base as processes_base
from services.workshops.processes.models import Workshop
from services.workshops.sessions import base
from services.workshops.sessions.deps import authorised_workshop, writable_workshop
from services.workshops.sessions.models import OstParticipation, OstTopic
from services.workshops.sessions.open_space import service
from services.workshops.sessions.open_space.schemas import (
    OstMovePublic,
    OstParticipantIn,
    OstParticipantPublic,
    OstReportIn,
    OstReportPublic,
    OstStayPublic,
    OstTopicCreate,
    OstTopicPublic,
)
from shared.api.etag import IfMatch, etag_for, expected_version_from_if_match, set_etag
from shared.api.idempotency import IdempotencyDep
from shared.auth.principal import Principal
from shared.deps import PrincipalDep, SessionDep, SignedInDep
from shared.errors import problem_responses
from shared.privacy import Scope, may_see

router = APIRouter()


def _topic_public(
    topic: OstTopic, participants: list[OstParticipation], principal: Principal, workshop: Workshop
) -> OstTopicPublic:
    report = None
    if topic.reported_at is not None:
        report = OstReportPublic(
            text=topic.report_text or "",
            key_points=list(topic.report_key_points),
            proposals=list(topic.report_proposals),
            reported_at=topic.reported_at,
        )
    return OstTopicPublic(
        id=topic.id,
        workshop_id=topic.workshop_id,
        title=topic.title,
        description=topic.description,
        convener_id=topic.convener_id,
        anonymous_convener=topic.convener_id is None,
        slot_label=topic.slot_label,
        slot_starts_at=topic.slot_starts_at,
        slot_ends_at=topic.slot_ends_at,
        space=topic.space,
        participant_count=len(participants),
        # Who sat in which group is shown only to those who may see personal data; others get the count.
        participants=[
            OstParticipantPublic(
                person_id=p.person_id, participant_code=p.participant_code, joined_at=p.joined_at
            )
            for p in participants
        ]
        if may_see(principal, Scope.of([workshop.district_id], workshop.facilitator_ids))
        else None,
        report=report,
        created_at=topic.created_at,
    )


@router.get(
    "/workshops/{workshop_id}/ost/topics",
    response_model=list[OstTopicPublic],
    summary="List an Open Space workshop's topics (the marketplace)",
    tags=["open space"],
    responses=problem_responses(401, 404),
)
def list_workshop_ost_topics(
    workshop_id: uuid.UUID, response: Response, session: SessionDep, principal: PrincipalDep
) -> Any:
    workshop = base.get_workshop(session=session, workshop_id=workshop_id)
    topics = service.list_topics(session=session, workshop_id=workshop.id)
    participants = service.current_participants(session=session, topic_ids=[t.id for t in topics])
    set_etag(response, workshop.version)
    return [_topic_public(t, participants[t.id], principal, workshop) for t in topics]


@router.get(
    "/workshops/{workshop_id}/ost/topics/{topic_id}",
    response_model=OstTopicPublic,
    summary="Get an Open Space topic with its participants and instant report",
    tags=["open space"],
    responses=problem_responses(401, 404),
)
def get_workshop_ost_topic(
    workshop_id: uuid.UUID,
    topic_id: uuid.UUID,
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
) -> Any:
    workshop = base.get_workshop(session=session, workshop_id=workshop_id)
    topic = service.get_topic(session=session, workshop_id=workshop.id, topic_id=topic_id)
    participants = service.current_participants(session=session, topic_ids=[topic.id])
    set_etag(response, workshop.version)
    return _topic_public(topic, participants[topic.id], principal, workshop)


@router.post(
    "/workshops/{workshop_id}/ost/topics",
    status_code=201,
    response_model=OstTopicPublic,
    summary="Propose a topic at the Open Space marketplace",
    tags=["open space"],
    responses=problem_responses(401, 403, 404, 409, 422, 503),
)
def propose_workshop_ost_topic(
    workshop_id: uuid.UUID,
    payload: OstTopicCreate,
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
    idempotency: IdempotencyDep,
    registry: RegistryDep,
) -> Any:
    workshop = writable_workshop(session, principal, workshop_id)
    if (replay := idempotency.replay(payload)) is not None:
        return replay
    base.ensure_people_exist(
        registry=registry,
        people=[("body.convener_id", payload.convener_id)],
        principal=principal,
        workshop=workshop,
    )
    topic = service.propose_topic(session=session, workshop=workshop, data=payload)
    body = _topic_public(topic, [], principal, workshop)
    return idempotency.created(
        response,
        body,
        location=f"/workshops/{workshop.id}/ost/topics/{topic.id}",
        etag=etag_for(workshop.version),
    )


@router.post(
    "/workshops/{workshop_id}/ost/topics/{topic_id}/joins",
    response_model=OstMovePublic,
    summary="Record a participant joining a topic (leaving their topic of the same slot)",
    description="The law of two feet: people move freely. A join while in another topic of the same slot "
    "records a leave from it first; joining a topic one is already in records nothing. Never an error.",
    tags=["open space"],
    responses=problem_responses(401, 403, 404, 409, 422, 503),
)
def join_workshop_ost_topic(
    workshop_id: uuid.UUID,
    topic_id: uuid.UUID,
    payload: OstParticipantIn,
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
    registry: RegistryDep,
) -> Any:
    workshop = writable_workshop(session, principal, workshop_id)
    base.require_method(workshop, base.OPEN_SPACE)
    topic = service.get_topic(session=session, workshop_id=workshop.id, topic_id=topic_id)
    base.ensure_people_exist(
        registry=registry,
        people=[("body.person_id", payload.person_id)],
        principal=principal,
        workshop=workshop,
    )
    participation, left, recorded = service.join_topic(
        session=session, workshop=workshop, topic=topic, who=payload
    )
    set_etag(response, workshop.version)
    return OstMovePublic(
        topic_id=topic.id,
        participation_id=participation.id,
        joined=True,
        left_topic_ids=left,
        recorded=recorded,
    )


@router.post(
    "/workshops/{workshop_id}/ost/topics/{topic_id}/leaves",
    response_model=OstMovePublic,
    summary="Record a participant leaving a topic",
    description="Leaving a topic one is not in records nothing (`recorded: false`); it is not an error.",
    tags=["open space"],
    responses=problem_responses(401, 403, 404, 409, 422),
)
def leave_workshop_ost_topic(
    workshop_id: uuid.UUID,
    topic_id: uuid.UUID,
    payload: OstParticipantIn,
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
    registry: RegistryDep,
) -> Any:
    workshop = writable_workshop(session, principal, workshop_id)
    processes_base.require_registry_references(
        registry=registry,
        principal=principal,
        district_id=workshop.district_id,
        people=[("body.person_id", payload.person_id)],
    )
    base.require_method(workshop, base.OPEN_SPACE)
    topic = service.get_topic(session=session, workshop_id=workshop.id, topic_id=topic_id)
    participation, recorded = service.leave_topic(
        session=session, workshop=workshop, topic=topic, who=payload
    )
    set_etag(response, workshop.version)
    return OstMovePublic(
        topic_id=topic.id,
        participation_id=participation.id if participation else None,
        joined=False,
        left_topic_ids=[topic.id] if recorded else [],
        recorded=recorded,
    )


@router.get(
    "/workshops/{workshop_id}/ost/stays",
    response_model=list[OstStayPublic],
    summary="List who was in which topic and when (facilitators and district editors only)",
    tags=["open space"],
    responses=problem_responses(401, 403, 404),
)
def list_workshop_ost_stays(workshop_id: uuid.UUID, session: SessionDep, principal: SignedInDep) -> Any:
    # Who sat in which group is about people: only those who may write the workshop see it.
    workshop = authorised_workshop(session, principal, workshop_id)
    return service.list_stays(session=session, workshop_id=workshop.id)


@router.put(
    "/workshops/{workshop_id}/ost/topics/{topic_id}/report",
    response_model=OstTopicPublic,
    summary="File (or replace) a topic's instant report",
    tags=["open space"],
    responses=problem_responses(401, 403, 404, 409, 412, 422),
)
def put_workshop_ost_report(
    workshop_id: uuid.UUID,
    topic_id: uuid.UUID,
    payload: OstReportIn,
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
    if_match: IfMatch = None,
) -> Any:
    workshop = writable_workshop(session, principal, workshop_id)
    base.require_method(workshop, base.OPEN_SPACE)
    topic = service.get_topic(session=session, workshop_id=workshop.id, topic_id=topic_id)
    expected = expected_version_from_if_match(if_match, workshop.version)
    service.file_report(
        session=session, workshop=workshop, topic=topic, data=payload, expected_version=expected
    )
    participants = service.current_participants(session=session, topic_ids=[topic.id])
    set_etag(response, workshop.version)
    return _topic_public(topic, participants[topic.id], principal, workshop)
