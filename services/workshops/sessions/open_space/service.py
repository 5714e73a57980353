"""Rules of Open Space Technology (topics, law of two feet, reports)."""

from __future__ import annotations

import uuid

from sqlmodel import Session, select

from services.workshops.processes.models import Workshop
from services.workshops.sessions import events as ev
from services.workshops.sessions.base import (
    OPEN_SPACE,
    append_events,
    ids_of,
    invalid,
    normalised,
    person_str,
    require_method,
)
from services.workshops.sessions.models import (
    OstParticipation,
    OstTopic,
)
from services.workshops.sessions.open_space.schemas import OstParticipantIn, OstReportIn, OstTopicCreate
from shared.db import utcnow
from shared.errors import ConflictError, NotFoundError
from shared.eventlog import NewEvent


def _same_slot(a: OstTopic, b: OstTopic) -> bool:
    if a.slot_starts_at and a.slot_ends_at and b.slot_starts_at and b.slot_ends_at:
        return a.slot_starts_at < b.slot_ends_at and b.slot_starts_at < a.slot_ends_at
    if a.slot_label and b.slot_label:
        return normalised(a.slot_label) == normalised(b.slot_label)
    return False


def list_topics(*, session: Session, workshop_id: uuid.UUID) -> list[OstTopic]:
    """The workshop's Open Space topics, in the order they were proposed."""
    return list(
        session.exec(
            select(OstTopic)
            .where(OstTopic.workshop_id == workshop_id)
            .order_by(OstTopic.created_at, OstTopic.id)  # type: ignore[arg-type]
        ).all()
    )


def get_topic(*, session: Session, workshop_id: uuid.UUID, topic_id: uuid.UUID) -> OstTopic:
    """A topic of this workshop, or NotFoundError."""
    topic = session.get(OstTopic, topic_id)
    if topic is None or topic.workshop_id != workshop_id:
        raise NotFoundError(
            f"topic {topic_id} does not exist in workshop {workshop_id}", topic_id=str(topic_id)
        )
    return topic


def propose_topic(*, session: Session, workshop: Workshop, data: OstTopicCreate) -> OstTopic:
    """Add a marketplace topic; 409 naming the other topic when its slot and space are taken."""
    require_method(workshop, OPEN_SPACE)
    if (
        data.slot_starts_at
        and data.slot_ends_at
        and (data.slot_starts_at < workshop.starts_at or data.slot_ends_at > workshop.ends_at)
    ):
        raise invalid("body.slot_starts_at", "the slot must fall within the workshop's start and end")
    topic = OstTopic(
        workshop_id=workshop.id,
        title=data.title,
        description=data.description,
        convener_id=person_str(data.convener_id),
        slot_label=data.slot_label,
        slot_starts_at=data.slot_starts_at,
        slot_ends_at=data.slot_ends_at,
        space=data.space,
    )
    for other in list_topics(session=session, workshop_id=workshop.id):
        if normalised(other.space) == normalised(topic.space) and _same_slot(other, topic):
            raise ConflictError(
                f"space {other.space!r} is already taken in this slot by topic {other.title!r} ({other.id})",
                conflicting_topic_id=str(other.id),
                conflicting_topic_title=other.title,
            )
    session.add(topic)
    session.flush()
    payload = ev.OstTopicProposed(
        **ids_of(workshop),
        topic_id=str(topic.id),
        title=topic.title,
        convener_id=topic.convener_id,
        slot_label=topic.slot_label,
        slot_starts_at=topic.slot_starts_at.isoformat() if topic.slot_starts_at else None,
        slot_ends_at=topic.slot_ends_at.isoformat() if topic.slot_ends_at else None,
        space=topic.space,
    )
    append_events(session, workshop, [NewEvent(ev.OST_TOPIC_PROPOSED, payload.dump())])
    return topic


def current_participants(
    *, session: Session, topic_ids: list[uuid.UUID]
) -> dict[uuid.UUID, list[OstParticipation]]:
    """Who is in each topic now."""
    result: dict[uuid.UUID, list[OstParticipation]] = {topic_id: [] for topic_id in topic_ids}
    if not topic_ids:
        return result
    rows = session.exec(
        select(OstParticipation)
        .where(OstParticipation.topic_id.in_(topic_ids), OstParticipation.left_at.is_(None))  # type: ignore[attr-defined,union-attr]
        .order_by(OstParticipation.joined_at)  # type: ignore[arg-type]
    ).all()
    for row in rows:
        result[row.topic_id].append(row)
    return result


def _participant_key(who: OstParticipantIn) -> str:
    return f"person:{who.person_id}" if who.person_id else f"code:{who.participant_code}"


def _active(session: Session, workshop_id: uuid.UUID, key: str) -> list[OstParticipation]:
    return list(
        session.exec(
            select(OstParticipation).where(
                OstParticipation.workshop_id == workshop_id,
                OstParticipation.participant_key == key,
                OstParticipation.left_at.is_(None),  # type: ignore[union-attr]
            )
        ).all()
    )


def join_topic(
    *, session: Session, workshop: Workshop, topic: OstTopic, who: OstParticipantIn
) -> tuple[OstParticipation, list[uuid.UUID], bool]:
    """Record a join; leaving a topic of the same slot is implied (law of two feet). Never an error.

    Returns the participation, the topics left on the way and whether anything was recorded.
    """
    require_method(workshop, OPEN_SPACE)
    key = _participant_key(who)
    active = _active(session, workshop.id, key)
    for participation in active:
        if participation.topic_id == topic.id:
            return participation, [], False
    now = utcnow()
    new_events: list[NewEvent] = []
    left: list[uuid.UUID] = []
    participation = OstParticipation(
        workshop_id=workshop.id,
        topic_id=topic.id,
        participant_key=key,
        person_id=person_str(who.person_id),
        participant_code=who.participant_code,
        joined_at=now,
    )
    for previous in active:
        other = session.get(OstTopic, previous.topic_id)
        if other is None or not _same_slot(other, topic):
            continue
        previous.left_at, previous.left_reason = now, "moved"
        session.add(previous)
        left.append(previous.topic_id)
        new_events.append(
            NewEvent(
                ev.OST_LEFT,
                ev.OstLeft(
                    **ids_of(workshop),
                    topic_id=str(previous.topic_id),
                    participation_id=str(previous.id),
                    person_id=previous.person_id,
                    participant_code=previous.participant_code,
                    reason="moved",
                    moved_to_topic_id=str(topic.id),
                ).dump(),
            )
        )
    session.add(participation)
    session.flush()
    new_events.append(
        NewEvent(
            ev.OST_JOINED,
            ev.OstJoined(
                **ids_of(workshop),
                topic_id=str(topic.id),
                participation_id=str(participation.id),
                person_id=person_str(who.person_id),
                participant_code=who.participant_code,
                moved_from_topic_id=str(left[0]) if left else None,
            ).dump(),
        )
    )
    append_events(session, workshop, new_events)
    return participation, left, True


def list_stays(*, session: Session, workshop_id: uuid.UUID) -> list[OstParticipation]:
    """Every stay of every participant in the workshop's topics, in the order they joined."""
    return list(
        session.exec(
            select(OstParticipation)
            .where(OstParticipation.workshop_id == workshop_id)
            .order_by(OstParticipation.joined_at, OstParticipation.id)  # type: ignore[arg-type]
        ).all()
    )


def leave_topic(
    *, session: Session, workshop: Workshop, topic: OstTopic, who: OstParticipantIn
) -> tuple[OstParticipation | None, bool]:
    """Record a leave; leaving a topic one is not in changes nothing (and is not an error)."""
    require_method(workshop, OPEN_SPACE)
    key = _participant_key(who)
    for participation in _active(session, workshop.id, key):
        if participation.topic_id != topic.id:
            continue
        participation.left_at, participation.left_reason = utcnow(), "left"
        session.add(participation)
        session.flush()
        payload = ev.OstLeft(
            **ids_of(workshop),
            topic_id=str(topic.id),
            participation_id=str(participation.id),
            person_id=participation.person_id,
            participant_code=participation.participant_code,
            reason="left",
        )
        append_events(session, workshop, [NewEvent(ev.OST_LEFT, payload.dump())])
        return participation, True
    return None, False


def file_report(
    *, session: Session, workshop: Workshop, topic: OstTopic, data: OstReportIn, expected_version: int
) -> OstTopic:
    """File (or replace) a topic's instant report."""
    require_method(workshop, OPEN_SPACE)
    topic.report_text = data.text
    topic.report_key_points = list(data.key_points)
    topic.report_proposals = list(data.proposals)
    topic.reported_at = utcnow()
    session.add(topic)
    session.flush()
    payload = ev.OstReportFiled(
        **ids_of(workshop),
        topic_id=str(topic.id),
        text=data.text,
        key_points=list(data.key_points),
        proposals=list(data.proposals),
    )
    append_events(
        session, workshop, [NewEvent(ev.OST_REPORT_FILED, payload.dump())], expected_version=expected_version
    )
    return topic
