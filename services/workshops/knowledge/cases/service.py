"""Rules of the case library: editors write a district's cases as drafts and publish them; everybody reads
published cases. Keyword-only functions; they flush, never commit; every change appends its event.

Who writes (and reads the drafts): regional administrators and the editors of the case's district.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlmodel import Session, col, delete, select

from services.workshops.knowledge.cases import events as ev
from services.workshops.knowledge.cases.models import (
    Case,
    CaseGuidance,
    CaseProcess,
    CaseQuestion,
    CaseStatus,
)
from services.workshops.knowledge.cases.schemas import (
    CaseCreate,
    CaseStatusChange,
    CaseUpdate,
    GuidanceIn,
)
from services.workshops.knowledge.manual.service import slugify
from services.workshops.outcomes.base import invalid
from services.workshops.processes.labs.models import LabMeeting
from services.workshops.processes.models import Process
from shared.auth.principal import Principal
from shared.db import utcnow
from shared.errors import ConflictError, NotFoundError
from shared.eventlog import NewEvent, append_to

# --- who ------------------------------------------------------------------------------------------------


def may_write(principal: Principal, district_id: object) -> bool:
    """Administrators and the district's editors write its cases and read its drafts."""
    return principal.can_edit_district(district_id)


# --- reading --------------------------------------------------------------------------------------------


def get_case(*, session: Session, case_id: uuid.UUID) -> Case:
    """The case, or NotFoundError."""
    case = session.get(Case, case_id)
    if case is None:
        raise NotFoundError(f"case {case_id} does not exist", case_id=str(case_id))
    return case


def readable_case(*, session: Session, case_id: uuid.UUID, principal: Principal) -> Case:
    """The case if the caller may read it: a draft is not found for anyone but its writers."""
    case = get_case(session=session, case_id=case_id)
    if case.status != CaseStatus.PUBLISHED.value and not may_write(principal, case.district_id):
        raise NotFoundError(f"case {case_id} does not exist", case_id=str(case_id))
    return case


def _questions(session: Session, case_id: uuid.UUID) -> list[CaseQuestion]:
    return list(
        session.exec(
            select(CaseQuestion).where(CaseQuestion.case_id == case_id).order_by(col(CaseQuestion.position))
        )
    )


def _guidance(session: Session, case_id: uuid.UUID) -> list[CaseGuidance]:
    return list(
        session.exec(
            select(CaseGuidance).where(CaseGuidance.case_id == case_id).order_by(col(CaseGuidance.position))
        )
    )


def _process_ids(session: Session, case_id: uuid.UUID) -> list[uuid.UUID]:
    return sorted(session.exec(select(CaseProcess.process_id).where(CaseProcess.case_id == case_id)), key=str)


def case_view(*, session: Session, case: Case) -> dict[str, Any]:
    """The case with its questions, guidance and processes."""
    return {
        "id": case.id,
        "code": case.code,
        "district_id": case.district_id,
        "side": case.side,
        "status": case.status,
        "title": case.title,
        "summary": case.summary,
        "story": case.story,
        "lines": list(case.lines),
        "questions": [q.text for q in _questions(session, case.id)],
        "guidance": [
            {"id": g.id, "line": g.line, "position": g.position, "text": g.text}
            for g in _guidance(session, case.id)
        ],
        "process_ids": _process_ids(session, case.id),
        "lab_meeting_ids": [uuid.UUID(str(i)) for i in case.lab_meeting_ids],
        "published_at": case.published_at,
        "version": case.version,
        "created_at": case.created_at,
        "updated_at": case.updated_at,
    }


# --- references -----------------------------------------------------------------------------------------


def process_districts(*, session: Session, process_ids: Sequence[uuid.UUID]) -> list[uuid.UUID]:
    """The districts of the processes a case names (422 on the first unknown one), for the reference check."""
    districts = []
    for index, process_id in enumerate(process_ids):
        process = session.get(Process, process_id)
        if process is None:
            raise invalid(f"body.process_ids.{index}", f"process {process_id} does not exist")
        districts.append(process.district_id)
    return districts


def check_lab_meetings(*, session: Session, lab_meeting_ids: Sequence[uuid.UUID]) -> None:
    """422 on the first lab meeting that does not exist (regional labs are district-free: no reference check)."""
    for index, meeting_id in enumerate(lab_meeting_ids):
        if session.get(LabMeeting, meeting_id) is None:
            raise invalid(f"body.lab_meeting_ids.{index}", f"lab meeting {meeting_id} does not exist")


# --- writing --------------------------------------------------------------------------------------------


def _payload(session: Session, case: Case) -> dict[str, Any]:
    questions = _questions(session, case.id)
    guidance = _guidance(session, case.id)
    published = case.status == CaseStatus.PUBLISHED.value
    content = (
        ev.CaseContent(
            title=case.title,
            summary=case.summary,
            story=case.story,
            questions=[q.text for q in questions],
            guidance=[
                ev.GuidanceContent(guidance_id=str(g.id), line=g.line, position=g.position, text=g.text)
                for g in guidance
            ],
        )
        if published
        else None
    )
    return ev.CaseRecorded(
        case_id=str(case.id),
        code=case.code,
        district_id=str(case.district_id),
        side=case.side,
        status=case.status,
        lines=[str(line) for line in case.lines],
        process_ids=[str(p) for p in _process_ids(session, case.id)],
        lab_meeting_ids=[str(i) for i in case.lab_meeting_ids],
        question_count=len(questions),
        guidance_count=len(guidance),
        published_at=case.published_at.isoformat() if case.published_at else None,
        content=content,
    ).dump()


def _record(session: Session, case: Case, event_type: str) -> None:
    session.flush()
    append_to(
        session,
        row=case,
        stream_type=ev.CASE_STREAM,
        new_events=[NewEvent(event_type, _payload(session, case))],
        expected_version=case.version,
        district_id=case.district_id,
    )


def _set_questions(session: Session, case_id: uuid.UUID, questions: Sequence[str]) -> None:
    session.exec(delete(CaseQuestion).where(col(CaseQuestion.case_id) == case_id))  # type: ignore[call-overload]
    for position, text in enumerate(questions, start=1):
        session.add(CaseQuestion(case_id=case_id, position=position, text=text))


def _set_guidance(session: Session, case_id: uuid.UUID, guidance: Sequence[GuidanceIn]) -> None:
    session.exec(delete(CaseGuidance).where(col(CaseGuidance.case_id) == case_id))  # type: ignore[call-overload]
    for position, item in enumerate(guidance, start=1):
        session.add(CaseGuidance(case_id=case_id, position=position, line=item.line.value, text=item.text))


def _set_processes(session: Session, case_id: uuid.UUID, process_ids: Sequence[uuid.UUID]) -> None:
    session.exec(delete(CaseProcess).where(col(CaseProcess.case_id) == case_id))  # type: ignore[call-overload]
    for process_id in dict.fromkeys(process_ids):
        session.add(CaseProcess(case_id=case_id, process_id=process_id))


def create_case(*, session: Session, data: CaseCreate) -> Case:
    """A new draft case; 409 when its code is taken. The district and processes are checked by the caller."""
    code = data.code or slugify(data.title)
    if session.exec(select(Case).where(Case.code == code)).first() is not None:
        raise ConflictError(f"a case with code {code!r} exists", code=code)
    check_lab_meetings(session=session, lab_meeting_ids=data.lab_meeting_ids)
    now = utcnow()
    case = Case(
        code=code,
        district_id=data.district_id,
        side=data.side.value,
        title=data.title,
        summary=data.summary,
        story=data.story,
        lines=[line.value for line in data.lines],
        lab_meeting_ids=[str(i) for i in dict.fromkeys(data.lab_meeting_ids)],
        created_at=now,
        updated_at=now,
    )
    session.add(case)
    session.flush()
    _set_questions(session, case.id, data.questions)
    _set_guidance(session, case.id, data.guidance)
    _set_processes(session, case.id, data.process_ids)
    _record(session, case, ev.CASE_CREATED)
    return case


def update_case(*, session: Session, case: Case, data: CaseUpdate, expected_version: int) -> Case:
    """Change the fields given (lists replace the whole list); 409 when nothing would change."""
    before = _snapshot(session, case)
    fields = data.model_dump(exclude_unset=True)
    if "side" in fields:
        case.side = data.side.value if data.side else case.side
    for name in ("title", "summary", "story"):
        if name in fields:
            setattr(case, name, fields[name])
    if data.lines is not None:
        case.lines = [line.value for line in data.lines]
    if data.lab_meeting_ids is not None:
        check_lab_meetings(session=session, lab_meeting_ids=data.lab_meeting_ids)
        case.lab_meeting_ids = [str(i) for i in dict.fromkeys(data.lab_meeting_ids)]
    if data.questions is not None:
        _set_questions(session, case.id, data.questions)
    if data.guidance is not None:
        _set_guidance(session, case.id, data.guidance)
    if data.process_ids is not None:
        _set_processes(session, case.id, data.process_ids)
    session.flush()
    if _snapshot(session, case) == before:
        raise ConflictError("the change changes nothing", case_id=str(case.id))
    case.updated_at = utcnow()
    case.version = expected_version
    _record(session, case, ev.CASE_UPDATED)
    return case


def _snapshot(session: Session, case: Case) -> tuple[Any, ...]:
    # What a change may change (guidance rows get new ids when the list is replaced: compare what they say).
    return (
        case.side,
        case.title,
        case.summary,
        case.story,
        list(case.lines),
        list(case.lab_meeting_ids),
        [q.text for q in _questions(session, case.id)],
        [(g.line, g.text) for g in _guidance(session, case.id)],
        _process_ids(session, case.id),
    )


def change_status(*, session: Session, case: Case, data: CaseStatusChange, expected_version: int) -> Case:
    """Publish a draft (it needs some guidance: 422 otherwise) or take a published case back to draft."""
    target = data.status.value
    if target == case.status:
        raise ConflictError(f"the case is {case.status} already", case_id=str(case.id))
    if target == CaseStatus.PUBLISHED.value and not _guidance(session, case.id):
        raise invalid("body.status", "a case is published with the guidance drawn from it: add some first")
    case.status = target
    case.version = expected_version
    if target == CaseStatus.PUBLISHED.value:
        case.published_at = case.published_at or utcnow()
        _record(session, case, ev.CASE_PUBLISHED)
    else:
        _record(session, case, ev.CASE_UNPUBLISHED)
    return case
