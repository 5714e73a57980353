"""Projection "cases": the case library's cases, their tags and, once published, their texts."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sqlmodel import Session, SQLModel

from services.reporting.cases import CaseView
from services.reporting.projections.base import (
    Handler,
    Projection,
    as_datetime,
    as_int,
    as_uuid,
    entity_id,
    get_or_new,
    text,
)
from shared.eventlog import RecordedEvent

CASE_EVENTS = ("case.created", "case.updated", "case.published", "case.unpublished")


def _ids(value: Any) -> list[str]:
    return [str(i) for i in value if as_uuid(i)] if isinstance(value, list) else []


class CasesProjection(Projection):
    """One row per case; every event carries the whole state, so a replay changes nothing."""

    name = "cases"
    tables = (CaseView,)

    def handlers(self) -> dict[str, Handler]:
        """Event type -> handler."""
        return dict.fromkeys(CASE_EVENTS, self.recorded)

    def keys(self, event: RecordedEvent) -> Iterator[tuple[type[SQLModel], Any]]:
        """The case an event writes."""
        yield CaseView, entity_id(event, "case_id")

    def recorded(self, session: Session, event: RecordedEvent) -> None:
        """The case as the event says; its texts only while published (cleared when back to draft)."""
        case_id = entity_id(event, "case_id")
        if case_id is None:
            return
        payload = event.payload
        row = get_or_new(session, CaseView, case_id, id=case_id)
        row.district_id = as_uuid(payload.get("district_id")) or as_uuid(event.district_id)
        row.code = text(payload.get("code"), 64)
        row.side = text(payload.get("side"), 32)
        row.status = text(payload.get("status"), 16) or "draft"
        lines = payload.get("lines")
        row.lines = [text(line, 40) for line in lines] if isinstance(lines, list) else []
        row.process_ids = _ids(payload.get("process_ids"))
        row.lab_meeting_ids = _ids(payload.get("lab_meeting_ids"))
        content = payload.get("content")
        if row.status == "published" and isinstance(content, dict):
            row.title = text(content.get("title"))
            row.summary = text(content.get("summary"), 500)
            row.story = str(content.get("story") or "")
            questions = content.get("questions")
            row.questions = [str(q) for q in questions] if isinstance(questions, list) else []
            guidance = content.get("guidance")
            row.guidance = [
                {
                    "guidance_id": str(g.get("guidance_id")),
                    "line": text(g.get("line"), 40),
                    "position": as_int(g.get("position")) or 0,
                    "text": str(g.get("text") or ""),
                }
                for g in (guidance if isinstance(guidance, list) else [])
                if isinstance(g, dict) and as_uuid(g.get("guidance_id"))
            ]
            row.published_at = as_datetime(payload.get("published_at")) or event.occurred_at
        else:
            row.title, row.summary, row.story = "", "", ""
            row.questions, row.guidance = [], []
            row.published_at = None
