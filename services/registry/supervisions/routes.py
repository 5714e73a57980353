"""HTTP routes of supervisions: sessions, the cases brought to them and their private notes.

Nothing here is public: anonymous callers get 401; a signed-in caller reads a session only as one of its
participants (its supervisors, the facilitators who brought a case) and the notes of a case only as its
facilitator or a supervisor; regional administrators read everything; everyone else gets 403. Reports
show counts only (reporting's ``supervision_figures``).
"""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Response
from sqlmodel import Session

from services.registry.deps import WorkshopsDep
from services.registry.supervisions import queries, service
from services.registry.supervisions.models import Supervision, SupervisionCase, SupervisionNote
from services.registry.supervisions.schemas import (
    SupervisionCaseCreate,
    SupervisionCasePublic,
    SupervisionCreate,
    SupervisionNoteCreate,
    SupervisionNotePublic,
    SupervisionPublic,
)
from shared.api.etag import etag_for, set_etag
from shared.api.idempotency import IdempotencyDep
from shared.api.pagination import Page, Paging
from shared.deps import PrincipalDep, SessionDep, SignedInDep
from shared.errors import problem_responses

router = APIRouter()

OPENAPI_TAGS = [
    {
        "name": "supervisions",
        "description": "Supervision sessions: a facilitator or tutor brings a case from a process or workshop "
        "to supervisors. Sessions and cases are read by their participants and regional administrators; a "
        "case's notes by its facilitator, the supervisors and regional administrators only.",
    },
]


def case_public(case: SupervisionCase, notes: int) -> SupervisionCasePublic:
    """A case with its count of notes."""
    return SupervisionCasePublic(
        id=case.id,
        supervision_id=case.supervision_id,
        facilitator_id=case.brought_by_id,
        subject_kind=case.subject_kind,
        process_id=case.process_id,
        workshop_id=case.subject_id if case.subject_kind.value == "workshop" else None,
        district_id=case.district_id,
        edition_id=case.edition_id,
        title=case.title,
        notes=notes,
        created_at=case.created_at,
    )


def supervision_public(session: Session, supervision: Supervision) -> SupervisionPublic:
    """A session with its supervisors and cases."""
    rows = service.cases(session=session, supervision=supervision)
    counts = service.note_counts(session=session, case_ids=[c.id for c in rows])
    return SupervisionPublic(
        id=supervision.id,
        held_on=supervision.held_on,
        place=supervision.place,
        edition_id=supervision.edition_id,
        supervisor_person_ids=service.supervisor_ids(session=session, supervision=supervision),
        cases=[case_public(c, counts.get(c.id, 0)) for c in rows],
        version=supervision.version,
        created_at=supervision.created_at,
    )


def note_public(note: SupervisionNote) -> SupervisionNotePublic:
    """A note."""
    return SupervisionNotePublic(
        id=note.id,
        supervision_case_id=note.case_id,
        author_id=note.author_id,
        body=note.body,
        created_at=note.created_at,
    )


@router.get(
    "/supervisions",
    response_model=Page[SupervisionPublic],
    summary="List the supervision sessions the caller takes part in (all, for regional administrators)",
    tags=["supervisions"],
    responses=problem_responses(401, 422),
)
def list_supervisions(
    session: SessionDep,
    principal: SignedInDep,
    paging: Paging,
    edition_id: uuid.UUID | None = None,
) -> Any:
    principal.require_authenticated()
    statement = queries.supervision_list_statement(
        person_id=uuid.UUID(principal.person_id) if principal.person_id else None,
        everyone=principal.is_admin,
        edition_id=edition_id,
    )
    rows, next_cursor = paging.rows(session, statement, sort=Supervision.held_on, tiebreak=Supervision.id)
    return paging.page([supervision_public(session, s) for s in rows], next_cursor)


@router.post(
    "/supervisions",
    status_code=201,
    response_model=SupervisionPublic,
    summary="Schedule a supervision session with its supervisors (regional administrators)",
    tags=["supervisions"],
    responses=problem_responses(401, 403, 422, 503),
)
def create_supervision(
    payload: SupervisionCreate,
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
    workshops: WorkshopsDep,
    idempotency: IdempotencyDep,
) -> Any:
    principal.require_admin()
    if (replay := idempotency.replay(payload)) is not None:
        return replay
    supervision = service.create_supervision(session=session, workshops=workshops, data=payload)
    return idempotency.created(
        response,
        supervision_public(session, supervision),
        location=f"/supervisions/{supervision.id}",
        etag=etag_for(supervision.version),
    )


@router.get(
    "/supervisions/{supervision_id}",
    response_model=SupervisionPublic,
    summary="Get a supervision session with its cases (participants and regional administrators)",
    tags=["supervisions"],
    responses=problem_responses(401, 403, 404, 422),
)
def get_supervision(
    supervision_id: uuid.UUID, response: Response, session: SessionDep, principal: SignedInDep
) -> Any:
    principal.require_authenticated()
    supervision = service.get_supervision(session=session, supervision_id=supervision_id)
    service.require_participant(session=session, principal=principal, supervision=supervision)
    set_etag(response, supervision.version)
    return supervision_public(session, supervision)


@router.post(
    "/supervision-cases",
    status_code=201,
    response_model=SupervisionCasePublic,
    summary="Bring a case from a process or workshop to a supervision session (the facilitator or tutor)",
    tags=["supervisions"],
    responses=problem_responses(401, 403, 404, 422, 503),
)
def bring_supervision_case(
    payload: SupervisionCaseCreate,
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
    workshops: WorkshopsDep,
    idempotency: IdempotencyDep,
) -> Any:
    principal.require_authenticated()
    if (replay := idempotency.replay(payload)) is not None:
        return replay
    case = service.bring_case(session=session, workshops=workshops, principal=principal, data=payload)
    supervision = service.get_supervision(session=session, supervision_id=case.supervision_id)
    return idempotency.created(
        response,
        case_public(case, 0),
        location=f"/supervision-cases/{case.id}",
        etag=etag_for(supervision.version),
    )


@router.get(
    "/supervision-cases/{supervision_case_id}",
    response_model=SupervisionCasePublic,
    summary="Get a supervision case (the session's participants and regional administrators)",
    tags=["supervisions"],
    responses=problem_responses(401, 403, 404, 422),
)
def get_supervision_case(supervision_case_id: uuid.UUID, session: SessionDep, principal: SignedInDep) -> Any:
    principal.require_authenticated()
    case = service.get_case(session=session, case_id=supervision_case_id)
    supervision = service.get_supervision(session=session, supervision_id=case.supervision_id)
    service.require_participant(session=session, principal=principal, supervision=supervision)
    return case_public(case, service.note_counts(session=session, case_ids=[case.id]).get(case.id, 0))


@router.get(
    "/supervision-cases/{supervision_case_id}/notes",
    response_model=Page[SupervisionNotePublic],
    summary="Read the private notes of a supervision case (its facilitator, supervisors, regional administrators)",
    tags=["supervisions"],
    responses=problem_responses(401, 403, 404, 422),
)
def list_supervision_notes(
    supervision_case_id: uuid.UUID,
    session: SessionDep,
    principal: SignedInDep,
    paging: Paging,
) -> Any:
    principal.require_authenticated()
    case = service.get_case(session=session, case_id=supervision_case_id)
    service.require_note_reader(session=session, principal=principal, case=case)
    rows, next_cursor = paging.rows(
        session, queries.notes_of(case.id), sort=SupervisionNote.created_at, tiebreak=SupervisionNote.id
    )
    return paging.page([note_public(n) for n in rows], next_cursor)


@router.post(
    "/supervision-cases/{supervision_case_id}/notes",
    status_code=201,
    response_model=SupervisionNotePublic,
    summary="Add a private note to a supervision case (its facilitator, supervisors, regional administrators)",
    tags=["supervisions"],
    responses=problem_responses(401, 403, 404, 422),
)
def add_supervision_note(
    supervision_case_id: uuid.UUID,
    payload: SupervisionNoteCreate,
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
    idempotency: IdempotencyDep,
) -> Any:
    principal.require_authenticated()
    case = service.get_case(session=session, case_id=supervision_case_id)
    service.require_note_reader(session=session, principal=principal, case=case)
    if (replay := idempotency.replay(payload)) is not None:
        return replay
    note = service.add_note(session=session, principal=principal, case=case, data=payload)
    supervision = service.get_supervision(session=session, supervision_id=case.supervision_id)
    return idempotency.created(
        response,
        note_public(note),
        location=f"/supervision-cases/{case.id}/notes",
        etag=etag_for(supervision.version),
    )
