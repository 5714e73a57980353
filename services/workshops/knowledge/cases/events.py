"""Event types and payloads of the case library (stream ``case``, stream id = the case's id).

Every event carries the case's whole state (ids, codes, tags). The texts (title, summary, story, questions and
guidance) travel in ``content`` only once the case is published: a draft's texts stay with its writers.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict

CASE_STREAM = "case"

CASE_CREATED = "case.created"
CASE_UPDATED = "case.updated"
CASE_PUBLISHED = "case.published"
CASE_UNPUBLISHED = "case.unpublished"

EVENT_TYPES = (CASE_CREATED, CASE_UPDATED, CASE_PUBLISHED, CASE_UNPUBLISHED)
"""Every event type of the case library (webhooks and the catalogue list them)."""


class _Payload(BaseModel):
    model_config = ConfigDict(extra="forbid")

    def dump(self) -> dict[str, Any]:
        """JSON-native payload."""
        return self.model_dump(mode="json")


class GuidanceContent(_Payload):
    """One piece of guidance as published."""

    guidance_id: str
    line: str
    position: int
    text: str


class CaseContent(_Payload):
    """The published texts of a case."""

    title: str
    summary: str
    story: str
    questions: list[str]
    guidance: list[GuidanceContent]


class CaseRecorded(_Payload):
    """A case's state: ``status`` draft or published; ``content`` null while it is a draft."""

    case_id: str
    code: str
    district_id: str
    side: str
    status: str
    lines: list[str]
    process_ids: list[str]
    lab_meeting_ids: list[str]
    question_count: int
    guidance_count: int
    published_at: str | None
    content: CaseContent | None


class CaseCreated(CaseRecorded):
    """A case was written (as a draft)."""


class CaseUpdated(CaseRecorded):
    """A case was changed (its texts in ``content`` when it is published)."""


class CasePublished(CaseRecorded):
    """A case was published: from now on everybody reads it, and its texts are in ``content``."""


class CaseUnpublished(CaseRecorded):
    """A case went back to draft: reports take it away."""


PAYLOADS: dict[str, type[BaseModel]] = {
    CASE_CREATED: CaseCreated,
    CASE_UPDATED: CaseUpdated,
    CASE_PUBLISHED: CasePublished,
    CASE_UNPUBLISHED: CaseUnpublished,
}
