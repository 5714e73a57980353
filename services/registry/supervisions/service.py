"""Rules of supervisions: who takes part, who reads the notes; every change appends its event (ids only).

Participants of a session are its supervisors and the facilitators or tutors who brought a case to it; they
and regional administrators read the session and its cases. The notes of a case are read (and written) by
the case's facilitator, the session's supervisors and regional administrators only: not by the facilitators
of the session's other cases, district editors, integrations or anonymous callers.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlmodel import Session

from services.registry.common.service import unique
from services.registry.facilitators.models import FacilitatorProfile
from services.registry.people.models import Person
from services.registry.supervisions import events as ev
from services.registry.supervisions import queries
from services.registry.supervisions.models import (
    CaseSubjectKind,
    Supervision,
    SupervisionCase,
    SupervisionNote,
    Supervisor,
)
from services.registry.supervisions.schemas import (
    SupervisionCaseCreate,
    SupervisionCreate,
    SupervisionNoteCreate,
)
from shared.auth.principal import Principal
from shared.clients.workshops import WorkshopsClient
from shared.errors import FieldError, ForbiddenError, NotFoundError, ValidationFailed
from shared.eventlog import NewEvent, append_to


def get_supervision(*, session: Session, supervision_id: uuid.UUID) -> Supervision:
    """The session, or NotFoundError."""
    row = session.get(Supervision, supervision_id)
    if row is None:
        raise NotFoundError(
            f"supervision {supervision_id} does not exist", supervision_id=str(supervision_id)
        )
    return row


def get_case(*, session: Session, case_id: uuid.UUID) -> SupervisionCase:
    """The case, or NotFoundError."""
    row = session.get(SupervisionCase, case_id)
    if row is None:
        raise NotFoundError(f"supervision case {case_id} does not exist", supervision_case_id=str(case_id))
    return row


def supervisor_ids(*, session: Session, supervision: Supervision) -> list[uuid.UUID]:
    """The supervisors of a session."""
    return [s.person_id for s in session.exec(queries.supervisors_of(supervision.id)).all()]


def cases(*, session: Session, supervision: Supervision) -> list[SupervisionCase]:
    """The cases of a session."""
    return list(session.exec(queries.cases_of(supervision.id)).all())


def note_counts(*, session: Session, case_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, int]:
    """How many notes each case has."""
    if not case_ids:
        return {}
    return {cid: int(n) for cid, n in session.exec(queries.note_counts(case_ids)).all()}


def _caller(principal: Principal) -> uuid.UUID | None:
    return uuid.UUID(principal.person_id) if principal.person_id else None


def require_participant(*, session: Session, principal: Principal, supervision: Supervision) -> None:
    """Admins, the session's supervisors and the facilitators who brought a case to it; 401/403 otherwise."""
    principal.require_authenticated()
    if principal.is_admin:
        return
    person = _caller(principal)
    if person is not None and (
        person in supervisor_ids(session=session, supervision=supervision)
        or any(c.brought_by_id == person for c in cases(session=session, supervision=supervision))
    ):
        return
    raise ForbiddenError("only the participants of this supervision and regional administrators may read it")


def require_note_reader(*, session: Session, principal: Principal, case: SupervisionCase) -> None:
    """Admins, the case's facilitator and the session's supervisors; 401/403 otherwise."""
    principal.require_authenticated()
    if principal.is_admin:
        return
    person = _caller(principal)
    supervision = get_supervision(session=session, supervision_id=case.supervision_id)
    if person is not None and (
        person == case.brought_by_id or person in supervisor_ids(session=session, supervision=supervision)
    ):
        return
    raise ForbiddenError(
        "the notes of a supervision case are read by its facilitator, the supervisors and regional administrators only"
    )


def _require_people(session: Session, person_ids: Sequence[uuid.UUID], path: str) -> None:
    missing = [
        FieldError(path=f"{path}[{i}]", message=f"person {person_id} does not exist")
        for i, person_id in enumerate(person_ids)
        if (person := session.get(Person, person_id)) is None or person.erased
    ]
    if missing:
        raise ValidationFailed("unknown people", errors=missing)


def _invalid(path: str, message: str) -> ValidationFailed:
    return ValidationFailed(message, errors=[FieldError(path=path, message=message)])


def create_supervision(
    *, session: Session, workshops: WorkshopsClient, data: SupervisionCreate
) -> Supervision:
    """Schedule a session with its supervisors (supervision.scheduled); the edition is checked in workshops."""
    supervisors = unique(data.supervisor_person_ids)
    _require_people(session, supervisors, "body.supervisor_person_ids")
    if data.edition_id is not None and workshops.get_edition(str(data.edition_id)) is None:
        raise _invalid("body.edition_id", f"edition {data.edition_id} does not exist")
    row = Supervision(held_on=data.held_on, place=data.place, edition_id=data.edition_id)
    session.add(row)
    session.flush()
    for person_id in supervisors:
        session.add(Supervisor(supervision_id=row.id, person_id=person_id))
    append_to(
        session,
        row=row,
        stream_type=ev.SUPERVISION,
        new_events=[
            NewEvent(
                ev.SUPERVISION_SCHEDULED,
                ev.SupervisionScheduled(
                    supervision_id=str(row.id),
                    held_on=row.held_on.isoformat(),
                    edition_id=str(row.edition_id) if row.edition_id else None,
                    supervisor_ids=[str(p) for p in supervisors],
                ).dump(),
            )
        ],
        expected_version=0,
        district_id=None,
    )
    return row


def bring_case(
    *,
    session: Session,
    workshops: WorkshopsClient,
    principal: Principal,
    data: SupervisionCaseCreate,
) -> SupervisionCase:
    """A facilitator or tutor brings a case (supervision.case_brought).

    Regional administrators record any case; a facilitator or tutor brings their own (403 otherwise). The
    person must have a facilitator or tutor profile, the process (and the workshop, of that process) must
    exist in workshops (422 otherwise); the case counts for the process's district and edition.
    """
    principal.require_authenticated()
    if not principal.is_admin and principal.person_id != str(data.facilitator_id):
        raise ForbiddenError("a facilitator or tutor brings their own cases; administrators record any")
    supervision = get_supervision(session=session, supervision_id=data.supervision_id)
    person = session.get(Person, data.facilitator_id)
    if person is None or person.erased:
        raise _invalid("body.facilitator_id", f"person {data.facilitator_id} does not exist")
    if session.get(FacilitatorProfile, data.facilitator_id) is None:
        raise _invalid("body.facilitator_id", f"person {data.facilitator_id} is not a facilitator or tutor")
    process = workshops.get_process(str(data.process_id))
    if process is None:
        raise _invalid("body.process_id", f"process {data.process_id} does not exist")
    subject_kind, subject_id = CaseSubjectKind.PROCESS, data.process_id
    if data.workshop_id is not None:
        workshop = workshops.get_workshop(str(data.workshop_id))
        if workshop is None:
            raise _invalid("body.workshop_id", f"workshop {data.workshop_id} does not exist")
        if workshop.process_id != process.id:
            raise _invalid(
                "body.workshop_id", f"workshop {data.workshop_id} is not a workshop of this process"
            )
        subject_kind, subject_id = CaseSubjectKind.WORKSHOP, data.workshop_id
    case = SupervisionCase(
        supervision_id=supervision.id,
        brought_by_id=data.facilitator_id,
        subject_kind=subject_kind,
        subject_id=subject_id,
        process_id=data.process_id,
        district_id=uuid.UUID(process.district_id),
        edition_id=uuid.UUID(process.edition_id) if process.edition_id else None,
        title=data.title,
    )
    session.add(case)
    session.flush()
    append_to(
        session,
        row=supervision,
        stream_type=ev.SUPERVISION,
        new_events=[
            NewEvent(
                ev.SUPERVISION_CASE_BROUGHT,
                ev.SupervisionCaseBrought(
                    supervision_id=str(supervision.id),
                    case_id=str(case.id),
                    brought_by_id=str(case.brought_by_id),
                    subject_kind=subject_kind.value,
                    subject_id=str(subject_id),
                    process_id=str(case.process_id),
                    district_id=str(case.district_id),
                    edition_id=str(case.edition_id) if case.edition_id else None,
                ).dump(),
            )
        ],
        expected_version=supervision.version,
        district_id=case.district_id,
    )
    session.add(supervision)
    session.flush()
    return case


def add_note(
    *, session: Session, principal: Principal, case: SupervisionCase, data: SupervisionNoteCreate
) -> SupervisionNote:
    """Add a private note to a case (supervision.note_added, without the text); the note's readers write."""
    require_note_reader(session=session, principal=principal, case=case)
    supervision = get_supervision(session=session, supervision_id=case.supervision_id)
    note = SupervisionNote(case_id=case.id, author_id=_caller(principal), body=data.body)
    session.add(note)
    session.flush()
    append_to(
        session,
        row=supervision,
        stream_type=ev.SUPERVISION,
        new_events=[
            NewEvent(
                ev.SUPERVISION_NOTE_ADDED,
                ev.SupervisionNoteAdded(
                    supervision_id=str(supervision.id),
                    case_id=str(case.id),
                    note_id=str(note.id),
                    author_id=str(note.author_id) if note.author_id else None,
                    district_id=str(case.district_id),
                ).dump(),
            )
        ],
        expected_version=supervision.version,
        district_id=case.district_id,
    )
    session.add(supervision)
    session.flush()
    return note
