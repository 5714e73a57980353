"""What the case library lists (cursor pages): published cases for everybody, drafts for their writers."""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from sqlmodel import Session, col, select

from services.workshops.knowledge.cases.models import Case, CaseGuidance, CaseProcess, CaseStatus
from shared.pagination import paginate


def page_cases(
    session: Session,
    *,
    draft_districts: set[str] | None,
    district_id: uuid.UUID | None,
    line: str | None,
    side: str | None,
    status: str | None,
    process_id: uuid.UUID | None,
    limit: int,
    cursor: str | None,
) -> tuple[list[Case], str | None]:
    """Cases by creation time. ``draft_districts``: the districts whose drafts the caller reads (None: all)."""
    statement = select(Case)
    published = col(Case.status) == CaseStatus.PUBLISHED.value
    if draft_districts is not None:
        readable = [uuid.UUID(d) for d in draft_districts]
        statement = statement.where(sa.or_(published, col(Case.district_id).in_(readable)))
    if district_id is not None:
        statement = statement.where(Case.district_id == district_id)
    if status is not None:
        statement = statement.where(Case.status == status)
    if side is not None:
        statement = statement.where(Case.side == side)
    if line is not None:
        # Tagged with the line (the JSON list as text holds it quoted), or holding guidance on it.
        statement = statement.where(
            sa.or_(
                sa.cast(col(Case.lines), sa.Text).like(f'%"{line}"%'),
                col(Case.id).in_(select(CaseGuidance.case_id).where(CaseGuidance.line == line)),
            )
        )
    if process_id is not None:
        statement = statement.where(
            col(Case.id).in_(select(CaseProcess.case_id).where(CaseProcess.process_id == process_id))
        )
    return paginate(
        session,
        statement,
        sort=Case.created_at,  # type: ignore[arg-type]
        tiebreak=Case.id,  # type: ignore[arg-type]
        limit=limit,
        cursor=cursor,
    )
