"""The case library as reports show it: published cases only, with their questions and guidance by line.

The read model keeps what the ``case.*`` events say; a case's texts reach it only once it is published (a draft's
events carry ids and tags). The Diario of a district lists its published cases; the open datasets ``cases`` and
``case_guidance`` hold the same, without any person.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from pydantic import BaseModel
from pydantic import Field as PydanticField
from sqlmodel import Field, Session, SQLModel, col, select

from shared.db import JSONType, UTCDateTime

SCHEMA = "reporting"

LINE_LABELS = {
    "subjects": "Soggetti",
    "methodological_solutions": "Soluzioni metodologiche",
    "institutional_architectures": "Architetture istituzionali",
}
"""The three lines of the first Community Lab, in Italian, in their order."""
SIDE_LABELS = {"health": "sanitario", "social": "sociale", "social_and_health": "socio-sanitario"}


class CaseView(SQLModel, table=True):
    """A case of the library: its tags always, its texts while it is published."""

    __tablename__ = "report_cases"
    __table_args__ = {"schema": SCHEMA}

    id: uuid.UUID = Field(primary_key=True)
    district_id: uuid.UUID | None = Field(default=None, index=True)
    code: str = Field(default="", max_length=64)
    side: str = Field(default="", max_length=32)
    status: str = Field(default="draft", max_length=16)
    title: str = Field(default="", max_length=200)
    summary: str = Field(default="", max_length=500)
    story: str = Field(default="", sa_type=sa.Text)
    lines: list[Any] = Field(default_factory=list, sa_type=JSONType)
    questions: list[Any] = Field(default_factory=list, sa_type=JSONType)
    guidance: list[Any] = Field(default_factory=list, sa_type=JSONType)
    process_ids: list[Any] = Field(default_factory=list, sa_type=JSONType)
    lab_meeting_ids: list[Any] = Field(default_factory=list, sa_type=JSONType)
    published_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


# --- the Diario ---------------------------------------------------------------------------------------------


class DiaryGuidanceLine(BaseModel):
    """The guidance a case gives on one of the three lines."""

    line: str = PydanticField(description="subjects, methodological_solutions or institutional_architectures")
    label: str = PydanticField(description="The line in Italian.")
    items: list[str]


class DiaryCase(BaseModel):
    """A published case of the district."""

    id: uuid.UUID
    title: str
    summary: str
    side: str
    side_label: str = PydanticField(description="The side in Italian: sanitario, sociale, socio-sanitario.")
    lines: list[str]
    questions: list[str]
    guidance: list[DiaryGuidanceLine]
    process_ids: list[uuid.UUID]
    lab_meetings: int = PydanticField(description="How many lab meetings studied it.")
    published_at: datetime | None


class DiaryCases(BaseModel):
    """The district's published cases (studi di caso) and the guidance drawn from them."""

    count: int = 0
    items: list[DiaryCase] = PydanticField(default_factory=list)


def _published(session: Session, district_id: uuid.UUID | None = None) -> list[CaseView]:
    statement = select(CaseView).where(col(CaseView.status) == "published")
    if district_id is not None:
        statement = statement.where(col(CaseView.district_id) == district_id)
    return list(session.exec(statement.order_by(col(CaseView.published_at), col(CaseView.id))))


def diary_section(*, session: Session, district_id: uuid.UUID) -> dict[str, Any]:
    """The published cases of the district, oldest publication first, the guidance grouped by line."""
    items = []
    for row in _published(session, district_id):
        guidance = sorted(
            (g for g in row.guidance if isinstance(g, dict)), key=lambda g: int(g.get("position") or 0)
        )
        items.append(
            {
                "id": row.id,
                "title": row.title,
                "summary": row.summary,
                "side": row.side,
                "side_label": SIDE_LABELS.get(row.side, row.side),
                "lines": [str(line) for line in row.lines],
                "questions": [str(q) for q in row.questions],
                "guidance": [
                    {
                        "line": line,
                        "label": label,
                        "items": [str(g["text"]) for g in guidance if g["line"] == line],
                    }
                    for line, label in LINE_LABELS.items()
                    if any(g.get("line") == line for g in guidance)
                ],
                "process_ids": [uuid.UUID(str(p)) for p in row.process_ids],
                "lab_meetings": len(row.lab_meeting_ids),
                "published_at": row.published_at,
            }
        )
    return {"count": len(items), "items": items}


# --- open data ------------------------------------------------------------------------------------------

CASE_FIELDS: list[tuple[str, str, str]] = [
    ("id", "string", "Case id"),
    ("district_id", "string", "District id"),
    ("code", "string", "Code (a slug of the title)"),
    ("side", "string", "health, social or social_and_health"),
    ("lines", "string", "The lines it is tagged with, separated by spaces"),
    ("title", "string", "Title"),
    ("summary", "string", "Summary"),
    ("questions", "string", "The questions it raised, one per line"),
    ("guidance", "integer", "Pieces of operational guidance drawn from it (see case_guidance)"),
    ("processes", "integer", "Processes it informed"),
    ("lab_meetings", "integer", "Lab meetings that studied it"),
    ("published_at", "datetime", "When it was published (UTC)"),
]
"""Columns of the open dataset ``cases``: published cases only, no person."""

GUIDANCE_FIELDS: list[tuple[str, str, str]] = [
    ("id", "string", "Guidance id"),
    ("case_id", "string", "Case id"),
    ("district_id", "string", "District id"),
    ("line", "string", "subjects, methodological_solutions or institutional_architectures"),
    ("position", "integer", "Order within the case"),
    ("text", "string", "The operational guidance"),
]
"""Columns of the open dataset ``case_guidance``: the guidance of the published cases, one row each."""


def case_rows(*, session: Session) -> list[dict[str, Any]]:
    """The cases open dataset, by id."""
    return [
        {
            "id": row.id,
            "district_id": row.district_id,
            "code": row.code,
            "side": row.side,
            "lines": " ".join(str(line) for line in row.lines),
            "title": row.title,
            "summary": row.summary,
            "questions": "\n".join(str(q) for q in row.questions),
            "guidance": len(row.guidance),
            "processes": len(row.process_ids),
            "lab_meetings": len(row.lab_meeting_ids),
            "published_at": row.published_at,
        }
        for row in sorted(_published(session), key=lambda r: str(r.id))
    ]


def guidance_rows(*, session: Session) -> list[dict[str, Any]]:
    """The case_guidance open dataset: every piece of guidance of a published case, by id."""
    rows = [
        {
            "id": g.get("guidance_id"),
            "case_id": row.id,
            "district_id": row.district_id,
            "line": g.get("line"),
            "position": g.get("position"),
            "text": g.get("text"),
        }
        for row in _published(session)
        for g in row.guidance
        if isinstance(g, dict) and g.get("guidance_id")
    ]
    return sorted(rows, key=lambda r: str(r["id"]))
