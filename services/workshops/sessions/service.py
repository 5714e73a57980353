"""Rules of the sessions domain: agenda, Open Space, World Café, cross-pollination, minutes.

Every change appends to the workshop's own stream (the processes domain writes there too), expecting the
workshop row's ``version`` and moving it to the new stream version, so the ETag of everything under a
workshop is the workshop's version and a concurrent write of either domain is a 409, never a lost update.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import delete, func
from sqlmodel import Session, select

from services.workshops.processes import base as processes
from services.workshops.processes.models import Attendance, Workshop
from services.workshops.processes.scheduling.ical import register_ical_description
from services.workshops.sessions import events as ev
from services.workshops.sessions.models import (
    AgendaItem,
    CafeHarvest,
    CafeNote,
    CafeRound,
    CafeTable,
    OriginKind,
    OstParticipation,
    OstTopic,
    PollinationLink,
    WorkshopMinutes,
)
from services.workshops.sessions.schemas import (
    AgendaUpdate,
    CafeHarvestIn,
    CafeNoteCreate,
    CafeRoundCreate,
    CafeTableCreate,
    MinutesIn,
    OstParticipantIn,
    OstReportIn,
    OstTopicCreate,
    PollinationLinkCreate,
)
from shared.clients.registry import RegistryClient
from shared.db import utcnow
from shared.errors import ConflictError, FieldError, NotFoundError, ValidationFailed
from shared.eventlog import NewEvent

OPEN_SPACE = "open_space_technology"
WORLD_CAFE = "world_cafe"
ROME = ZoneInfo("Europe/Rome")


# --- the workshop and its stream ---------------------------------------------------------------------------


def get_workshop(*, session: Session, workshop_id: uuid.UUID) -> Workshop:
    """The workshop (NotFoundError when it does not exist)."""
    return processes.get_workshop(session=session, workshop_id=workshop_id)


def _method(workshop: Workshop) -> str:
    return str(getattr(workshop.method, "value", workshop.method))


def require_method(workshop: Workshop, method: str) -> None:
    """409 unless the workshop runs with ``method``."""
    if _method(workshop) != method:
        raise ConflictError(
            f"workshop {workshop.id} uses method {_method(workshop)}, not {method}",
            workshop_method=_method(workshop),
            required_method=method,
        )


def require_not_cancelled(workshop: Workshop) -> None:
    """409 for a cancelled workshop: nothing happens inside it any more."""
    status = str(getattr(workshop.status, "value", workshop.status))
    if status == "cancelled":
        raise ConflictError(
            f"workshop {workshop.id} was cancelled: its agenda, sessions and minutes can no longer change",
            workshop_status=status,
        )


def _ids(workshop: Workshop) -> dict[str, str]:
    return {
        "workshop_id": str(workshop.id),
        "process_id": str(workshop.process_id),
        "district_id": str(workshop.district_id),
    }


def _append(
    session: Session, workshop: Workshop, new_events: list[NewEvent], *, expected_version: int | None = None
) -> None:
    """Append to the workshop's stream through the processes domain, which keeps the row's version in step."""
    processes.append_workshop_events(
        session=session,
        workshop=workshop,
        new_events=new_events,
        expected_version=workshop.version if expected_version is None else expected_version,
    )


def _invalid(path: str, message: str) -> ValidationFailed:
    return ValidationFailed(message, errors=[FieldError(path=path, message=message)])


def _person(person_id: uuid.UUID | None) -> str | None:
    return str(person_id) if person_id is not None else None


def ensure_people_exist(*, registry: RegistryClient, people: list[tuple[str, uuid.UUID | None]]) -> None:
    """422 naming every ``(field path, person id)`` the registry does not know (or erased)."""
    errors: list[FieldError] = []
    for path, person_id in people:
        if person_id is None:
            continue
        person = registry.get_person(str(person_id))
        if person is None or person.erased:
            errors.append(FieldError(path=path, message=f"no registry person {person_id}"))
    if errors:
        raise ValidationFailed("some people do not exist in the registry", errors=errors)


# --- origins (used by the outcomes domain) and item references ----------------------------------------------


def describe_item(*, session: Session, kind: OriginKind | str, item_id: uuid.UUID) -> dict[str, Any] | None:
    """``{kind, id, workshop_id, title}`` of a workshop, topic, café table or round; None when unknown."""
    kind = OriginKind(kind)
    if kind is OriginKind.WORKSHOP:
        workshop = session.get(Workshop, item_id)
        if workshop is None:
            return None
        return {"kind": kind.value, "id": str(item_id), "workshop_id": str(item_id), "title": workshop.title}
    if kind is OriginKind.OST_TOPIC:
        topic = session.get(OstTopic, item_id)
        return _describe(kind, item_id, topic.workshop_id, topic.title) if topic else None
    if kind is OriginKind.CAFE_TABLE:
        table = session.get(CafeTable, item_id)
        return _describe(kind, item_id, table.workshop_id, table.name) if table else None
    cafe_round = session.get(CafeRound, item_id)
    if cafe_round is None:
        return None
    title = f"Round {cafe_round.number}: {cafe_round.question}"[:200]
    return _describe(kind, item_id, cafe_round.workshop_id, title)


def _describe(kind: OriginKind, item_id: uuid.UUID, workshop_id: uuid.UUID, title: str) -> dict[str, Any]:
    return {"kind": kind.value, "id": str(item_id), "workshop_id": str(workshop_id), "title": title}


def resolve_origin(
    *,
    session: Session,
    workshop_id: uuid.UUID | str,
    kind: str,
    origin_id: uuid.UUID | str,
    path: str = "body.origin",
) -> dict[str, Any]:
    """Describe the session an outcome was born in; ValidationFailed (at ``path``) unless it is in the workshop."""
    kinds = [k.value for k in OriginKind]
    if kind not in kinds:
        raise _invalid(f"{path}.kind", f"unknown origin kind {kind!r}; one of: {', '.join(kinds)}")
    try:
        item_id = origin_id if isinstance(origin_id, uuid.UUID) else uuid.UUID(str(origin_id))
        workshop_uuid = workshop_id if isinstance(workshop_id, uuid.UUID) else uuid.UUID(str(workshop_id))
    except ValueError as exc:
        raise _invalid(f"{path}.id", "not a UUID") from exc
    described = describe_item(session=session, kind=kind, item_id=item_id)
    if described is None:
        raise _invalid(f"{path}.id", f"{kind} {item_id} does not exist")
    if described["workshop_id"] != str(workshop_uuid):
        raise _invalid(f"{path}.id", f"{kind} {item_id} does not belong to workshop {workshop_uuid}")
    return described


# --- agenda -----------------------------------------------------------------------------------------------------


def list_agenda(*, session: Session, workshop_id: uuid.UUID) -> list[AgendaItem]:
    """The agenda items in order."""
    return list(
        session.exec(
            select(AgendaItem).where(AgendaItem.workshop_id == workshop_id).order_by(AgendaItem.position)
        ).all()
    )


def item_ends_at(item: AgendaItem) -> datetime:
    """When an agenda item ends."""
    return item.starts_at + timedelta(minutes=item.duration_minutes)


def set_agenda(
    *, session: Session, workshop: Workshop, data: AgendaUpdate, expected_version: int
) -> list[AgendaItem]:
    """Replace the agenda; items start where the previous one ends unless given, inside the workshop's time."""
    facilitators = {str(f) for f in workshop.facilitator_ids}
    items: list[AgendaItem] = []
    cursor = workshop.starts_at
    previous_start: datetime | None = None
    for index, item in enumerate(data.items):
        path = f"body.items[{index}]"
        starts_at = item.starts_at or cursor
        if starts_at < workshop.starts_at or starts_at >= workshop.ends_at:
            raise _invalid(f"{path}.starts_at", "must fall within the workshop's start and end")
        if previous_start is not None and starts_at < previous_start:
            raise _invalid(f"{path}.starts_at", "items must be in chronological order")
        ends_at = starts_at + timedelta(minutes=item.duration_minutes)
        if ends_at > workshop.ends_at:
            raise _invalid(f"{path}.duration_minutes", "the item would end after the workshop ends")
        if item.facilitator_id is not None and str(item.facilitator_id) not in facilitators:
            raise _invalid(f"{path}.facilitator_id", "not one of the workshop's facilitators")
        items.append(
            AgendaItem(
                workshop_id=workshop.id,
                position=index + 1,
                starts_at=starts_at,
                duration_minutes=item.duration_minutes,
                title=item.title,
                description=item.description,
                facilitator_id=_person(item.facilitator_id),
            )
        )
        previous_start, cursor = starts_at, ends_at
    session.execute(delete(AgendaItem).where(AgendaItem.workshop_id == workshop.id))  # type: ignore[arg-type]
    session.flush()
    session.add_all(items)
    session.flush()
    payload = ev.AgendaSet(
        **_ids(workshop),
        items=[
            ev.AgendaItemPayload(
                item_id=str(i.id),
                position=i.position,
                starts_at=i.starts_at.isoformat(),
                duration_minutes=i.duration_minutes,
                title=i.title,
                description=i.description,
                facilitator_id=i.facilitator_id,
            )
            for i in items
        ],
    )
    _append(session, workshop, [NewEvent(ev.AGENDA_SET, payload.dump())], expected_version=expected_version)
    return items


def agenda_ical_description(session: Session, workshop: Workshop) -> str | None:
    """The agenda as plain text lines for the workshop's iCalendar DESCRIPTION (times in Europe/Rome)."""
    lines = []
    for item in list_agenda(session=session, workshop_id=workshop.id):
        start = item.starts_at.astimezone(ROME)
        end = start + timedelta(minutes=item.duration_minutes)
        lines.append(f"{start:%H:%M}-{end:%H:%M} {item.title}")
    return ("Agenda:\n" + "\n".join(lines)) if lines else None


# The processes domain builds the iCalendar feeds; the agenda goes into each workshop's DESCRIPTION.
register_ical_description(agenda_ical_description)


# --- Open Space -------------------------------------------------------------------------------------------------


def _norm(text: str) -> str:
    return " ".join(text.split()).casefold()


def _same_slot(a: OstTopic, b: OstTopic) -> bool:
    if a.slot_starts_at and a.slot_ends_at and b.slot_starts_at and b.slot_ends_at:
        return a.slot_starts_at < b.slot_ends_at and b.slot_starts_at < a.slot_ends_at
    if a.slot_label and b.slot_label:
        return _norm(a.slot_label) == _norm(b.slot_label)
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
        raise _invalid("body.slot_starts_at", "the slot must fall within the workshop's start and end")
    topic = OstTopic(
        workshop_id=workshop.id,
        title=data.title,
        description=data.description,
        convener_id=_person(data.convener_id),
        slot_label=data.slot_label,
        slot_starts_at=data.slot_starts_at,
        slot_ends_at=data.slot_ends_at,
        space=data.space,
    )
    for other in list_topics(session=session, workshop_id=workshop.id):
        if _norm(other.space) == _norm(topic.space) and _same_slot(other, topic):
            raise ConflictError(
                f"space {other.space!r} is already taken in this slot by topic {other.title!r} ({other.id})",
                conflicting_topic_id=str(other.id),
                conflicting_topic_title=other.title,
            )
    session.add(topic)
    session.flush()
    payload = ev.OstTopicProposed(
        **_ids(workshop),
        topic_id=str(topic.id),
        title=topic.title,
        convener_id=topic.convener_id,
        slot_label=topic.slot_label,
        slot_starts_at=topic.slot_starts_at.isoformat() if topic.slot_starts_at else None,
        slot_ends_at=topic.slot_ends_at.isoformat() if topic.slot_ends_at else None,
        space=topic.space,
    )
    _append(session, workshop, [NewEvent(ev.OST_TOPIC_PROPOSED, payload.dump())])
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
        person_id=_person(who.person_id),
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
                    **_ids(workshop),
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
                **_ids(workshop),
                topic_id=str(topic.id),
                participation_id=str(participation.id),
                person_id=_person(who.person_id),
                participant_code=who.participant_code,
                moved_from_topic_id=str(left[0]) if left else None,
            ).dump(),
        )
    )
    _append(session, workshop, new_events)
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
            **_ids(workshop),
            topic_id=str(topic.id),
            participation_id=str(participation.id),
            person_id=participation.person_id,
            participant_code=participation.participant_code,
            reason="left",
        )
        _append(session, workshop, [NewEvent(ev.OST_LEFT, payload.dump())])
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
        **_ids(workshop),
        topic_id=str(topic.id),
        text=data.text,
        key_points=list(data.key_points),
        proposals=list(data.proposals),
    )
    _append(
        session, workshop, [NewEvent(ev.OST_REPORT_FILED, payload.dump())], expected_version=expected_version
    )
    return topic


# --- World Café -------------------------------------------------------------------------------------------------


def add_table(*, session: Session, workshop: Workshop, data: CafeTableCreate) -> CafeTable:
    """Set up a café table (names are unique within the workshop)."""
    require_method(workshop, WORLD_CAFE)
    for other in list_tables(session=session, workshop_id=workshop.id):
        if _norm(other.name) == _norm(data.name):
            raise ConflictError(
                f"table {other.name!r} already exists ({other.id})", conflicting_table_id=str(other.id)
            )
    table = CafeTable(
        workshop_id=workshop.id, name=data.name, host_id=_person(data.host_id), theme=data.theme
    )
    session.add(table)
    session.flush()
    payload = ev.CafeTableAdded(
        **_ids(workshop), table_id=str(table.id), name=table.name, host_id=table.host_id, theme=table.theme
    )
    _append(session, workshop, [NewEvent(ev.CAFE_TABLE_ADDED, payload.dump())])
    return table


def list_tables(*, session: Session, workshop_id: uuid.UUID) -> list[CafeTable]:
    """The café tables in the order they were set up."""
    return list(
        session.exec(
            select(CafeTable)
            .where(CafeTable.workshop_id == workshop_id)
            .order_by(CafeTable.created_at, CafeTable.id)  # type: ignore[arg-type]
        ).all()
    )


def add_round(*, session: Session, workshop: Workshop, data: CafeRoundCreate) -> CafeRound:
    """Add a round (numbered next unless given; a taken number is a 409)."""
    require_method(workshop, WORLD_CAFE)
    rounds = list_rounds(session=session, workshop_id=workshop.id)
    number = data.number or (max((r.number for r in rounds), default=0) + 1)
    for other in rounds:
        if other.number == number:
            raise ConflictError(
                f"round {number} already exists ({other.id})", conflicting_round_id=str(other.id)
            )
    cafe_round = CafeRound(
        workshop_id=workshop.id, number=number, question=data.question, duration_minutes=data.duration_minutes
    )
    session.add(cafe_round)
    session.flush()
    payload = ev.CafeRoundAdded(
        **_ids(workshop),
        round_id=str(cafe_round.id),
        number=number,
        question=cafe_round.question,
        duration_minutes=cafe_round.duration_minutes,
    )
    _append(session, workshop, [NewEvent(ev.CAFE_ROUND_ADDED, payload.dump())])
    return cafe_round


def list_rounds(*, session: Session, workshop_id: uuid.UUID) -> list[CafeRound]:
    """The rounds by number."""
    return list(
        session.exec(
            select(CafeRound).where(CafeRound.workshop_id == workshop_id).order_by(CafeRound.number)
        ).all()  # type: ignore[arg-type]
    )


def add_note(*, session: Session, workshop: Workshop, data: CafeNoteCreate) -> CafeNote:
    """Record a table's notes for a round (both must belong to the workshop)."""
    require_method(workshop, WORLD_CAFE)
    table = session.get(CafeTable, data.table_id)
    if table is None or table.workshop_id != workshop.id:
        raise _invalid("body.table_id", "no such table in this workshop")
    cafe_round = session.get(CafeRound, data.round_id)
    if cafe_round is None or cafe_round.workshop_id != workshop.id:
        raise _invalid("body.round_id", "no such round in this workshop")
    note = CafeNote(
        workshop_id=workshop.id,
        table_id=table.id,
        round_id=cafe_round.id,
        text=data.text,
        key_ideas=list(data.key_ideas),
    )
    session.add(note)
    session.flush()
    payload = ev.CafeNoteAdded(
        **_ids(workshop),
        note_id=str(note.id),
        table_id=str(table.id),
        round_id=str(cafe_round.id),
        text=note.text,
        key_ideas=list(note.key_ideas),
    )
    _append(session, workshop, [NewEvent(ev.CAFE_NOTE_ADDED, payload.dump())])
    return note


def list_notes(
    *,
    session: Session,
    workshop_id: uuid.UUID,
    table_id: uuid.UUID | None = None,
    round_id: uuid.UUID | None = None,
) -> list[CafeNote]:
    """The notes of the workshop, optionally of one table and/or one round."""
    statement = select(CafeNote).where(CafeNote.workshop_id == workshop_id)
    if table_id is not None:
        statement = statement.where(CafeNote.table_id == table_id)
    if round_id is not None:
        statement = statement.where(CafeNote.round_id == round_id)
    return list(session.exec(statement.order_by(CafeNote.created_at, CafeNote.id)).all())  # type: ignore[arg-type]


def record_harvest(
    *, session: Session, workshop: Workshop, data: CafeHarvestIn, expected_version: int
) -> CafeHarvest:
    """Record (or replace) the plenary harvest."""
    require_method(workshop, WORLD_CAFE)
    harvest = session.get(CafeHarvest, workshop.id) or CafeHarvest(workshop_id=workshop.id, text="")
    harvest.text = data.text
    harvest.key_ideas = list(data.key_ideas)
    harvest.themes = list(data.themes)
    harvest.recorded_at = utcnow()
    session.add(harvest)
    session.flush()
    payload = ev.CafeHarvestRecorded(
        **_ids(workshop), text=harvest.text, key_ideas=list(harvest.key_ideas), themes=list(harvest.themes)
    )
    _append(
        session,
        workshop,
        [NewEvent(ev.CAFE_HARVEST_RECORDED, payload.dump())],
        expected_version=expected_version,
    )
    return harvest


def get_harvest(*, session: Session, workshop_id: uuid.UUID) -> CafeHarvest:
    """The harvest, or NotFoundError when none was recorded yet."""
    harvest = session.get(CafeHarvest, workshop_id)
    if harvest is None:
        raise NotFoundError(f"workshop {workshop_id} has no harvest yet")
    return harvest


# --- cross-pollination --------------------------------------------------------------------------------------------


def link_pollination(*, session: Session, workshop: Workshop, data: PollinationLinkCreate) -> PollinationLink:
    """Link an idea carried from something of this workshop to something of this or another workshop."""
    origin = describe_item(session=session, kind=data.from_.kind, item_id=data.from_.id)
    if origin is None or origin["workshop_id"] != str(workshop.id):
        raise _invalid("body.from.id", f"no {data.from_.kind.value} {data.from_.id} in this workshop")
    target = describe_item(session=session, kind=data.to.kind, item_id=data.to.id)
    if target is None:
        raise _invalid("body.to.id", f"{data.to.kind.value} {data.to.id} does not exist")
    if (data.from_.kind, data.from_.id) == (data.to.kind, data.to.id):
        raise _invalid("body.to", "an idea cannot be carried to where it came from")
    link = PollinationLink(
        workshop_id=workshop.id,
        from_kind=data.from_.kind.value,
        from_id=data.from_.id,
        to_kind=data.to.kind.value,
        to_id=data.to.id,
        to_workshop_id=uuid.UUID(target["workshop_id"]),
        note=data.note,
    )
    session.add(link)
    session.flush()
    payload = ev.PollinationLinked(
        **_ids(workshop),
        link_id=str(link.id),
        from_={"kind": link.from_kind, "id": str(link.from_id)},
        to={"kind": link.to_kind, "id": str(link.to_id)},
        to_workshop_id=str(link.to_workshop_id),
        note=link.note,
    )
    _append(session, workshop, [NewEvent(ev.POLLINATION_LINKED, payload.dump())])
    return link


def list_pollination_links(*, session: Session, workshop_id: uuid.UUID) -> list[PollinationLink]:
    """Links carried out of this workshop's items or into them."""
    statement = select(PollinationLink).where(
        (PollinationLink.workshop_id == workshop_id) | (PollinationLink.to_workshop_id == workshop_id)
    )
    return list(session.exec(statement.order_by(PollinationLink.created_at, PollinationLink.id)).all())  # type: ignore[arg-type]


# --- minutes ---------------------------------------------------------------------------------------------------------


def attendance_count(*, session: Session, workshop_id: uuid.UUID) -> int | None:
    """People present according to the attendance the processes domain recorded; None when not taken."""
    attendance = session.get(Attendance, workshop_id)
    if attendance is None:
        return None
    return len(attendance.present) + sum(int(n) for n in (attendance.anonymous_counts or {}).values())


def computed_contributions(*, session: Session, workshop_id: uuid.UUID) -> int:
    """Contributions recorded in the sessions: Open Space topics, café notes and pollination links."""
    total = 0
    for model in (OstTopic, CafeNote, PollinationLink):
        total += session.exec(
            select(func.count()).select_from(model).where(model.workshop_id == workshop_id)  # type: ignore[attr-defined]
        ).one()
    return int(total)


def record_minutes(
    *, session: Session, workshop: Workshop, data: MinutesIn, expected_version: int
) -> WorkshopMinutes:
    """Record (or replace) the minutes."""
    minutes = session.get(WorkshopMinutes, workshop.id)
    now = utcnow()
    if minutes is None:
        minutes = WorkshopMinutes(workshop_id=workshop.id, text="", recorded_at=now)
    minutes.text = data.text
    minutes.attendees_count = data.attendees_count
    minutes.contributions_count = data.contributions_count
    minutes.decisions = list(data.decisions)
    minutes.follow_ups = [f.model_dump(mode="json") for f in data.follow_ups]
    minutes.updated_at = now
    session.add(minutes)
    session.flush()
    payload = ev.MinutesRecorded(
        **_ids(workshop),
        text=minutes.text,
        attendees_count=minutes.attendees_count,
        contributions_count=minutes.contributions_count,
        decisions=list(minutes.decisions),
        follow_ups=list(minutes.follow_ups),
    )
    _append(
        session, workshop, [NewEvent(ev.MINUTES_RECORDED, payload.dump())], expected_version=expected_version
    )
    return minutes


def get_minutes(*, session: Session, workshop_id: uuid.UUID) -> WorkshopMinutes:
    """The minutes, or NotFoundError when none were recorded yet."""
    minutes = session.get(WorkshopMinutes, workshop_id)
    if minutes is None:
        raise NotFoundError(f"workshop {workshop_id} has no minutes yet")
    return minutes


def minutes_view(*, session: Session, minutes: WorkshopMinutes) -> dict[str, Any]:
    """The minutes with counts resolved (recorded attendance first) and links to the workshop's outcomes."""
    from_attendance = attendance_count(session=session, workshop_id=minutes.workshop_id)
    if from_attendance is not None:
        attendees, attendees_source = from_attendance, "attendance"
    elif minutes.attendees_count is not None:
        attendees, attendees_source = minutes.attendees_count, "minutes"
    else:
        attendees, attendees_source = None, None
    if minutes.contributions_count is not None:
        contributions, contributions_source = minutes.contributions_count, "minutes"
    else:
        contributions = computed_contributions(session=session, workshop_id=minutes.workshop_id)
        contributions_source = "computed"
    workshop_path = f"/workshops/{minutes.workshop_id}"
    return {
        "workshop_id": minutes.workshop_id,
        "text": minutes.text,
        "attendees_count": attendees,
        "attendees_count_source": attendees_source,
        "contributions_count": contributions,
        "contributions_count_source": contributions_source,
        "decisions": list(minutes.decisions),
        "follow_ups": list(minutes.follow_ups),
        "recorded_at": minutes.recorded_at,
        "updated_at": minutes.updated_at,
        "links": {
            "workshop": workshop_path,
            "outcomes": f"{workshop_path}/outcomes",
            "agenda": f"{workshop_path}/agenda",
        },
    }
