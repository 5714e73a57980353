"""HTTP routes of the sessions domain (thin: parse, authorise, call the service, shape the response).

Writes load the workshop, then check the caller (its facilitators or its district's editors) before
anything else, so a denied request learns nothing about topics or tables and writes nothing.
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Header, Query, Response

from services.workshops.deps import RegistryDep
from services.workshops.processes.models import Workshop
from services.workshops.sessions import service
from services.workshops.sessions.models import OstParticipation, OstTopic, PollinationLink
from services.workshops.sessions.schemas import (
    AgendaItemPublic,
    AgendaPublic,
    AgendaUpdate,
    CafeHarvestIn,
    CafeHarvestPublic,
    CafeNoteCreate,
    CafeNotePublic,
    CafeRoundCreate,
    CafeRoundPublic,
    CafeTableCreate,
    CafeTablePublic,
    MinutesIn,
    MinutesPublic,
    OstMovePublic,
    OstParticipantIn,
    OstParticipantPublic,
    OstReportIn,
    OstReportPublic,
    OstStayPublic,
    OstTopicCreate,
    OstTopicPublic,
    PollinationLinkCreate,
    PollinationLinkPublic,
)
from shared.api.etag import etag_for, expected_version_from_if_match, set_etag
from shared.api.idempotency import IdempotencyDep
from shared.auth.principal import Principal
from shared.deps import PrincipalDep, SessionDep
from shared.errors import problem_responses

router = APIRouter()

OPENAPI_TAGS: list[dict[str, str]] = [
    {"name": "sessions", "description": "Inside a workshop: agenda, cross-pollination links, minutes."},
    {
        "name": "open space",
        "description": "Open Space Technology: marketplace topics, moves, instant reports.",
    },
    {"name": "world cafe", "description": "World Café: tables and hosts, rounds, notes, plenary harvest."},
]
"""Tag metadata of these routes, for the workshops app's ``create_service_app(tags=...)``."""

IfMatch = Annotated[
    str | None,
    Header(alias="If-Match", max_length=200, description="The workshop's ETag the change is based on."),
]


def _authorised_workshop(session: Any, principal: Principal, workshop_id: uuid.UUID) -> Workshop:
    workshop = service.get_workshop(session=session, workshop_id=workshop_id)
    principal.require_facilitator_or_editor(workshop.district_id, workshop.facilitator_ids)
    return workshop


def _writable_workshop(session: Any, principal: Principal, workshop_id: uuid.UUID) -> Workshop:
    workshop = _authorised_workshop(session, principal, workshop_id)
    service.require_not_cancelled(workshop)
    return workshop


# --- agenda -----------------------------------------------------------------------------------------------------


def _agenda(session: Any, workshop: Workshop) -> AgendaPublic:
    items = service.list_agenda(session=session, workshop_id=workshop.id)
    return AgendaPublic(
        workshop_id=workshop.id,
        version=workshop.version,
        items=[
            AgendaItemPublic(
                id=i.id,
                position=i.position,
                starts_at=i.starts_at,
                ends_at=service.item_ends_at(i),
                duration_minutes=i.duration_minutes,
                title=i.title,
                description=i.description,
                facilitator_id=i.facilitator_id,
            )
            for i in items
        ],
    )


@router.get(
    "/workshops/{workshop_id}/agenda",
    response_model=AgendaPublic,
    summary="Get a workshop's agenda",
    tags=["sessions"],
    responses=problem_responses(404),
)
def get_workshop_agenda(workshop_id: uuid.UUID, response: Response, session: SessionDep) -> Any:
    workshop = service.get_workshop(session=session, workshop_id=workshop_id)
    set_etag(response, workshop.version)
    return _agenda(session, workshop)


@router.put(
    "/workshops/{workshop_id}/agenda",
    response_model=AgendaPublic,
    summary="Replace a workshop's agenda",
    tags=["sessions"],
    responses=problem_responses(401, 403, 404, 409, 412, 422),
)
def put_workshop_agenda(
    workshop_id: uuid.UUID,
    payload: AgendaUpdate,
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
    if_match: IfMatch = None,
) -> Any:
    workshop = _writable_workshop(session, principal, workshop_id)
    expected = expected_version_from_if_match(if_match, workshop.version)
    service.set_agenda(session=session, workshop=workshop, data=payload, expected_version=expected)
    set_etag(response, workshop.version)
    return _agenda(session, workshop)


# --- Open Space -------------------------------------------------------------------------------------------------


def _topic_public(
    topic: OstTopic, participants: list[OstParticipation], principal: Principal
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
        if principal.sees_personal_data
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
    workshop = service.get_workshop(session=session, workshop_id=workshop_id)
    topics = service.list_topics(session=session, workshop_id=workshop.id)
    participants = service.current_participants(session=session, topic_ids=[t.id for t in topics])
    set_etag(response, workshop.version)
    return [_topic_public(t, participants[t.id], principal) for t in topics]


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
    workshop = service.get_workshop(session=session, workshop_id=workshop_id)
    topic = service.get_topic(session=session, workshop_id=workshop.id, topic_id=topic_id)
    participants = service.current_participants(session=session, topic_ids=[topic.id])
    set_etag(response, workshop.version)
    return _topic_public(topic, participants[topic.id], principal)


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
    workshop = _writable_workshop(session, principal, workshop_id)
    if (replay := idempotency.replay(payload)) is not None:
        return replay
    service.ensure_people_exist(registry=registry, people=[("body.convener_id", payload.convener_id)])
    topic = service.propose_topic(session=session, workshop=workshop, data=payload)
    body = _topic_public(topic, [], principal)
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
    workshop = _writable_workshop(session, principal, workshop_id)
    service.require_method(workshop, service.OPEN_SPACE)
    topic = service.get_topic(session=session, workshop_id=workshop.id, topic_id=topic_id)
    service.ensure_people_exist(registry=registry, people=[("body.person_id", payload.person_id)])
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
) -> Any:
    workshop = _writable_workshop(session, principal, workshop_id)
    service.require_method(workshop, service.OPEN_SPACE)
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
def list_workshop_ost_stays(workshop_id: uuid.UUID, session: SessionDep, principal: PrincipalDep) -> Any:
    # Who sat in which group is about people: only those who may write the workshop see it.
    workshop = _authorised_workshop(session, principal, workshop_id)
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
    workshop = _writable_workshop(session, principal, workshop_id)
    service.require_method(workshop, service.OPEN_SPACE)
    topic = service.get_topic(session=session, workshop_id=workshop.id, topic_id=topic_id)
    expected = expected_version_from_if_match(if_match, workshop.version)
    service.file_report(
        session=session, workshop=workshop, topic=topic, data=payload, expected_version=expected
    )
    participants = service.current_participants(session=session, topic_ids=[topic.id])
    set_etag(response, workshop.version)
    return _topic_public(topic, participants[topic.id], principal)


# --- World Café -------------------------------------------------------------------------------------------------


@router.get(
    "/workshops/{workshop_id}/cafe/tables",
    response_model=list[CafeTablePublic],
    summary="List a World Café's tables",
    tags=["world cafe"],
    responses=problem_responses(404),
)
def list_workshop_cafe_tables(workshop_id: uuid.UUID, session: SessionDep) -> Any:
    workshop = service.get_workshop(session=session, workshop_id=workshop_id)
    return service.list_tables(session=session, workshop_id=workshop.id)


@router.post(
    "/workshops/{workshop_id}/cafe/tables",
    status_code=201,
    response_model=CafeTablePublic,
    summary="Set up a World Café table with its host",
    tags=["world cafe"],
    responses=problem_responses(401, 403, 404, 409, 422, 503),
)
def add_workshop_cafe_table(
    workshop_id: uuid.UUID,
    payload: CafeTableCreate,
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
    idempotency: IdempotencyDep,
    registry: RegistryDep,
) -> Any:
    workshop = _writable_workshop(session, principal, workshop_id)
    if (replay := idempotency.replay(payload)) is not None:
        return replay
    service.ensure_people_exist(registry=registry, people=[("body.host_id", payload.host_id)])
    table = service.add_table(session=session, workshop=workshop, data=payload)
    body = CafeTablePublic.model_validate(table)
    return idempotency.created(
        response,
        body,
        location=f"/workshops/{workshop.id}/cafe/tables/{table.id}",
        etag=etag_for(workshop.version),
    )


@router.get(
    "/workshops/{workshop_id}/cafe/rounds",
    response_model=list[CafeRoundPublic],
    summary="List a World Café's rounds",
    tags=["world cafe"],
    responses=problem_responses(404),
)
def list_workshop_cafe_rounds(workshop_id: uuid.UUID, session: SessionDep) -> Any:
    workshop = service.get_workshop(session=session, workshop_id=workshop_id)
    return service.list_rounds(session=session, workshop_id=workshop.id)


@router.post(
    "/workshops/{workshop_id}/cafe/rounds",
    status_code=201,
    response_model=CafeRoundPublic,
    summary="Add a World Café round (question and duration)",
    tags=["world cafe"],
    responses=problem_responses(401, 403, 404, 409, 422),
)
def add_workshop_cafe_round(
    workshop_id: uuid.UUID,
    payload: CafeRoundCreate,
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
    idempotency: IdempotencyDep,
) -> Any:
    workshop = _writable_workshop(session, principal, workshop_id)
    if (replay := idempotency.replay(payload)) is not None:
        return replay
    cafe_round = service.add_round(session=session, workshop=workshop, data=payload)
    body = CafeRoundPublic.model_validate(cafe_round)
    return idempotency.created(
        response,
        body,
        location=f"/workshops/{workshop.id}/cafe/rounds/{cafe_round.id}",
        etag=etag_for(workshop.version),
    )


@router.get(
    "/workshops/{workshop_id}/cafe/notes",
    response_model=list[CafeNotePublic],
    summary="List a World Café's notes (optionally of one table and/or round)",
    tags=["world cafe"],
    responses=problem_responses(404, 422),
)
def list_workshop_cafe_notes(
    workshop_id: uuid.UUID,
    session: SessionDep,
    table_id: Annotated[uuid.UUID | None, Query()] = None,
    round_id: Annotated[uuid.UUID | None, Query()] = None,
) -> Any:
    workshop = service.get_workshop(session=session, workshop_id=workshop_id)
    return service.list_notes(session=session, workshop_id=workshop.id, table_id=table_id, round_id=round_id)


@router.post(
    "/workshops/{workshop_id}/cafe/notes",
    status_code=201,
    response_model=CafeNotePublic,
    summary="Record a table's notes for a round",
    tags=["world cafe"],
    responses=problem_responses(401, 403, 404, 409, 422),
)
def add_workshop_cafe_note(
    workshop_id: uuid.UUID,
    payload: CafeNoteCreate,
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
    idempotency: IdempotencyDep,
) -> Any:
    workshop = _writable_workshop(session, principal, workshop_id)
    if (replay := idempotency.replay(payload)) is not None:
        return replay
    note = service.add_note(session=session, workshop=workshop, data=payload)
    body = CafeNotePublic.model_validate(note)
    return idempotency.created(
        response,
        body,
        location=f"/workshops/{workshop.id}/cafe/notes?table_id={note.table_id}&round_id={note.round_id}",
        etag=etag_for(workshop.version),
    )


@router.get(
    "/workshops/{workshop_id}/cafe/harvest",
    response_model=CafeHarvestPublic,
    summary="Get a World Café's plenary harvest",
    tags=["world cafe"],
    responses=problem_responses(404),
)
def get_workshop_cafe_harvest(workshop_id: uuid.UUID, response: Response, session: SessionDep) -> Any:
    workshop = service.get_workshop(session=session, workshop_id=workshop_id)
    set_etag(response, workshop.version)
    return service.get_harvest(session=session, workshop_id=workshop.id)


@router.put(
    "/workshops/{workshop_id}/cafe/harvest",
    response_model=CafeHarvestPublic,
    summary="Record (or replace) a World Café's plenary harvest",
    tags=["world cafe"],
    responses=problem_responses(401, 403, 404, 409, 412, 422),
)
def put_workshop_cafe_harvest(
    workshop_id: uuid.UUID,
    payload: CafeHarvestIn,
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
    if_match: IfMatch = None,
) -> Any:
    workshop = _writable_workshop(session, principal, workshop_id)
    service.require_method(workshop, service.WORLD_CAFE)
    expected = expected_version_from_if_match(if_match, workshop.version)
    harvest = service.record_harvest(
        session=session, workshop=workshop, data=payload, expected_version=expected
    )
    set_etag(response, workshop.version)
    return harvest


# --- cross-pollination --------------------------------------------------------------------------------------------


def _link_public(link: PollinationLink) -> PollinationLinkPublic:
    return PollinationLinkPublic.model_validate(
        {
            "id": link.id,
            "workshop_id": link.workshop_id,
            "from": {"kind": link.from_kind, "id": str(link.from_id)},
            "to": {"kind": link.to_kind, "id": str(link.to_id)},
            "to_workshop_id": link.to_workshop_id,
            "note": link.note,
            "created_at": link.created_at,
        }
    )


@router.get(
    "/workshops/{workshop_id}/pollination-links",
    response_model=list[PollinationLinkPublic],
    summary="List the cross-pollination links out of or into a workshop",
    tags=["sessions"],
    responses=problem_responses(404),
)
def list_workshop_pollination_links(workshop_id: uuid.UUID, session: SessionDep) -> Any:
    workshop = service.get_workshop(session=session, workshop_id=workshop_id)
    return [
        _link_public(link)
        for link in service.list_pollination_links(session=session, workshop_id=workshop.id)
    ]


@router.post(
    "/workshops/{workshop_id}/pollination-links",
    status_code=201,
    response_model=PollinationLinkPublic,
    summary="Record an idea carried from this workshop to a table, topic or workshop (cross-pollination)",
    tags=["sessions"],
    responses=problem_responses(401, 403, 404, 409, 422),
)
def link_workshop_pollination(
    workshop_id: uuid.UUID,
    payload: PollinationLinkCreate,
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
    idempotency: IdempotencyDep,
) -> Any:
    workshop = _writable_workshop(session, principal, workshop_id)
    if (replay := idempotency.replay(payload)) is not None:
        return replay
    link = service.link_pollination(session=session, workshop=workshop, data=payload)
    body = _link_public(link)
    return idempotency.created(
        response,
        body,
        location=f"/workshops/{workshop.id}/pollination-links#{link.id}",
        etag=etag_for(workshop.version),
    )


# --- minutes ---------------------------------------------------------------------------------------------------------


@router.get(
    "/workshops/{workshop_id}/minutes",
    response_model=MinutesPublic,
    summary="Get a workshop's minutes / closing report",
    tags=["sessions"],
    responses=problem_responses(404),
)
def get_workshop_minutes(workshop_id: uuid.UUID, response: Response, session: SessionDep) -> Any:
    workshop = service.get_workshop(session=session, workshop_id=workshop_id)
    minutes = service.get_minutes(session=session, workshop_id=workshop.id)
    set_etag(response, workshop.version)
    return service.minutes_view(session=session, minutes=minutes)


@router.put(
    "/workshops/{workshop_id}/minutes",
    response_model=MinutesPublic,
    summary="Record (or replace) a workshop's minutes / closing report",
    tags=["sessions"],
    responses=problem_responses(401, 403, 404, 409, 412, 422, 503),
)
def put_workshop_minutes(
    workshop_id: uuid.UUID,
    payload: MinutesIn,
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
    registry: RegistryDep,
    if_match: IfMatch = None,
) -> Any:
    workshop = _writable_workshop(session, principal, workshop_id)
    expected = expected_version_from_if_match(if_match, workshop.version)
    service.ensure_people_exist(
        registry=registry,
        people=[
            (f"body.follow_ups[{i}].responsible_id", f.responsible_id)
            for i, f in enumerate(payload.follow_ups)
        ],
    )
    minutes = service.record_minutes(
        session=session, workshop=workshop, data=payload, expected_version=expected
    )
    set_etag(response, workshop.version)
    return service.minutes_view(session=session, minutes=minutes)
