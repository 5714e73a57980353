"""Projection "proposals": citizens' proposals to a process, their supports, official answers, merges and
promotions to priorities, and each process's own answer states.

Authors and supporters are never kept: ``proposal.created`` names its author by registry id and supports name the
supporter, but reports count proposals and supports, so the ids stop here. Support counts come from the events'
``support_count`` (the count after the change, taken on the locked proposal), so concurrent supports add up.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sqlmodel import Session, SQLModel

from services.reporting.labels import DEFAULT_ANSWER_STATES, label
from services.reporting.models import AnswerStateView, ProposalAnswerView, ProposalView
from services.reporting.projections.base import (
    Handler,
    Projection,
    as_int,
    as_uuid,
    batch_store,
    cached,
    get_or_new,
    text,
)
from shared.eventlog import RecordedEvent

ANSWER_CATEGORY_CODES = frozenset(("accepted", "evaluating", "rejected"))


def answer_label(session: Session, process_id: Any, key: str) -> str:
    """The process's own label of an answer state (its defaults for a process that defines none)."""
    process_uuid = as_uuid(process_id)
    known = cached(session, AnswerStateView, (process_uuid, key)) if process_uuid and key else None
    if known is not None and known.label:
        return str(known.label)
    return label(DEFAULT_ANSWER_STATES, key)


class ProposalsProjection(Projection):
    """One row per proposal (no author), one per official answer, one per answer state of a process."""

    name = "proposals"
    tables = (ProposalView, ProposalAnswerView, AnswerStateView)

    def handlers(self) -> dict[str, Handler]:
        """Event type -> handler."""
        return {
            "participation.configured": self.configured,
            "proposal.created": self.created,
            "proposal.updated": self.updated,
            "proposal.withdrawn": self.withdrawn,
            "proposal.supported": self.support_changed,
            "proposal.support_withdrawn": self.support_changed,
            "proposal.answered": self.answered,
            "proposal.merged": self.merged,
            "proposal.promoted": self.promoted,
        }

    def keys(self, event: RecordedEvent) -> Iterator[tuple[type[SQLModel], Any]]:
        """The proposal (and, for answers, the answer state) an event reads."""
        payload = event.payload
        if event.type == "participation.configured":
            process_id = as_uuid(payload.get("process_id")) or as_uuid(event.stream_id)
            for state in payload.get("answer_states") or []:
                if isinstance(state, dict) and state.get("key"):
                    yield AnswerStateView, (process_id, text(state["key"], 64))
            return
        yield ProposalView, as_uuid(payload.get("proposal_id")) or as_uuid(event.stream_id)
        if event.type == "proposal.answered" and payload.get("answer_state"):
            yield AnswerStateView, (as_uuid(payload.get("process_id")), text(payload["answer_state"], 64))

    def _proposal(self, session: Session, event: RecordedEvent) -> Any:
        """The proposal's row (created if its first event was not seen: every event carries its ids)."""
        payload = event.payload
        proposal_id = as_uuid(payload.get("proposal_id")) or as_uuid(event.stream_id)
        if proposal_id is None:
            return None
        row = get_or_new(session, ProposalView, proposal_id, id=proposal_id)
        row.process_id = as_uuid(payload.get("process_id")) or row.process_id
        row.district_id = as_uuid(payload.get("district_id")) or row.district_id
        return row

    def configured(self, session: Session, event: RecordedEvent) -> None:
        """A process's answer states (a state dropped later keeps its label for the answers given in it)."""
        payload = event.payload
        process_id = as_uuid(payload.get("process_id")) or as_uuid(event.stream_id)
        if process_id is None:
            return
        for rank, state in enumerate(payload.get("answer_states") or []):
            if not isinstance(state, dict) or not state.get("key"):
                continue
            key = text(state["key"], 64)
            row = batch_store(session).get_or_new(
                AnswerStateView, (process_id, key), {"process_id": process_id, "key": key}
            )
            row.label = text(state.get("label") or key)
            category = text(state.get("category"), 40)
            row.category = category if category in ANSWER_CATEGORY_CODES else ""
            row.rank = rank

    def created(self, session: Session, event: RecordedEvent) -> None:
        """A proposal put forward (its author is not kept)."""
        row = self._proposal(session, event)
        if row is None:
            return
        row.title = text(event.payload.get("title"))
        row.theme = text(event.payload.get("theme"), 64)
        row.created_at = event.occurred_at

    def updated(self, session: Session, event: RecordedEvent) -> None:
        """The author changed title or theme."""
        row = self._proposal(session, event)
        if row is None:
            return
        if event.payload.get("title"):
            row.title = text(event.payload["title"])
        if event.payload.get("theme"):
            row.theme = text(event.payload["theme"], 64)

    def withdrawn(self, session: Session, event: RecordedEvent) -> None:
        """The author withdrew it."""
        row = self._proposal(session, event)
        if row is not None:
            row.state = "withdrawn"

    def support_changed(self, session: Session, event: RecordedEvent) -> None:
        """The number of supports after a support or its withdrawal (the supporter is not kept)."""
        row = self._proposal(session, event)
        count = as_int(event.payload.get("support_count"))
        if row is not None and count is not None:
            row.support_count = max(count, 0)

    def answered(self, session: Session, event: RecordedEvent) -> None:
        """An official answer: the proposal's current answer, and one more row of the answers' history."""
        row = self._proposal(session, event)
        if row is None:
            return
        payload = event.payload
        key = text(payload.get("answer_state"), 64)
        category = text(payload.get("answer_category"), 40)
        row.answer_state = key or None
        row.answer_category = category or None
        row.answered_at = event.occurred_at
        batch_store(session).put(
            ProposalAnswerView,
            {
                "id": event.event_id,
                "proposal_id": row.id,
                "process_id": row.process_id,
                "district_id": row.district_id,
                "position": event.position,
                "answered_at": event.occurred_at,
                "answer_state": key,
                "answer_label": answer_label(session, row.process_id, key),
                "answer_category": category,
                "text": text(payload.get("text"), 20_000),
                "first_answer": bool(payload.get("first_answer")),
            },
        )

    def merged(self, session: Session, event: RecordedEvent) -> None:
        """Merged into another proposal of the process."""
        row = self._proposal(session, event)
        if row is not None:
            row.state = "merged"
            row.merged_into_id = as_uuid(event.payload.get("into_proposal_id"))

    def promoted(self, session: Session, event: RecordedEvent) -> None:
        """Became (part of) a priority."""
        row = self._proposal(session, event)
        if row is not None:
            row.state = "promoted"
            row.priority_id = as_uuid(event.payload.get("priority_id"))
