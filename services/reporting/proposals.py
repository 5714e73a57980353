"""Citizens' proposals in the reports: the Diario's section per process, the dashboard's counts per district,
and the open datasets of proposals and answers. Only reads; never an author or a supporter.

Definitions (also stated in the README):
- *received*: every proposal put forward to the process, withdrawn ones included;
- *supported*: proposals with at least one support now; *supports*: the sum of their current supports;
- *answered*: proposals with an official answer, counted once under their latest answer (by the process's own
  state and by the report category it maps to: accepted, evaluating, rejected);
- *promoted*: proposals that became (part of) a priority, listed with the priority they became;
- the dashboard's *proposals per 10,000 residents* divides the proposals received by the district's population.
"""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Iterable, Sequence
from typing import Any

from sqlmodel import Session

from services.reporting import queries
from services.reporting.labels import DEFAULT_ANSWER_STATES, label
from services.reporting.models import (
    AnswerStateView,
    ProcessView,
    ProposalView,
)

CATEGORIES = ("accepted", "evaluating", "rejected")
STATES = ("published", "withdrawn", "merged", "promoted")


def _proposals(session: Session, process_ids: Iterable[uuid.UUID]) -> list[ProposalView]:
    ids = list(process_ids)
    if not ids:
        return []
    return list(session.exec(queries.proposals_of(process_ids=ids)))


def _answer_states(
    session: Session, process_ids: Iterable[uuid.UUID]
) -> dict[uuid.UUID, list[AnswerStateView]]:
    ids = list(process_ids)
    found: dict[uuid.UUID, list[AnswerStateView]] = {}
    if not ids:
        return found
    for row in session.exec(queries.answer_states(process_ids=ids)):
        found.setdefault(row.process_id, []).append(row)
    return found


def counts(proposals: Sequence[ProposalView]) -> dict[str, Any]:
    """The headline figures of a set of proposals."""
    by_category = Counter(p.answer_category for p in proposals if p.answer_category)
    by_state = Counter(p.state for p in proposals)
    return {
        "received": len(proposals),
        "withdrawn": by_state.get("withdrawn", 0),
        "merged": by_state.get("merged", 0),
        "supported": sum(1 for p in proposals if p.support_count > 0),
        "supports": sum(p.support_count for p in proposals),
        "answered": sum(1 for p in proposals if p.answer_state),
        "by_category": {category: by_category.get(category, 0) for category in CATEGORIES},
        "promoted": by_state.get("promoted", 0),
    }


def diary_section(*, session: Session, processes: Sequence[ProcessView]) -> dict[str, Any]:
    """The Diario's proposals: totals for the district and one section per process that takes proposals."""
    proposals = _proposals(session, [p.id for p in processes])
    states = _answer_states(session, [p.id for p in processes])
    priority_ids = {p.priority_id for p in proposals if p.priority_id is not None}
    priorities = (
        {p.id: p for p in session.exec(queries.priorities_by_id(priority_ids=list(priority_ids)))}
        if priority_ids
        else {}
    )
    sections = []
    for process in processes:
        mine = [p for p in proposals if p.process_id == process.id]
        own = states.get(process.id, [])
        if not mine and not own:
            continue
        answered = Counter(p.answer_state for p in mine if p.answer_state)
        by_state = [
            {"key": s.key, "label": s.label or s.key, "category": s.category, "count": answered.pop(s.key, 0)}
            for s in own
        ]
        category_of = {p.answer_state: p.answer_category for p in mine if p.answer_state}
        # States a process no longer lists (or the defaults of one that never set its own) keep their answers.
        by_state += [
            {
                "key": key,
                "label": label(DEFAULT_ANSWER_STATES, key),
                "category": category_of.get(key) or "",
                "count": count,
            }
            for key, count in sorted(answered.items())
        ]
        promoted = []
        for p in mine:
            if p.priority_id is None:
                continue
            priority = priorities.get(p.priority_id)
            promoted.append(
                {
                    "proposal_id": p.id,
                    "title": p.title,
                    "priority_id": p.priority_id,
                    "priority_title": priority.title if priority is not None else "",
                    "priority_status": priority.status if priority is not None else None,
                }
            )
        sections.append(
            {
                "process_id": process.id,
                "title": process.title,
                **counts(mine),
                "by_state": by_state,
                "items": promoted,
            }
        )
    return {**counts(proposals), "processes": sections}


def received_by_process(*, session: Session, process_ids: Iterable[uuid.UUID]) -> Counter[uuid.UUID]:
    """Proposals received per process (for the dashboard's counts per district)."""
    return Counter(p.process_id for p in _proposals(session, process_ids) if p.process_id is not None)


# --- open data ------------------------------------------------------------------------------------------

PROPOSAL_FIELDS: list[tuple[str, str, str]] = [
    ("id", "string", "Proposal id"),
    ("process_id", "string", "Process id"),
    ("district_id", "string", "District id"),
    ("edition_id", "string", "Programme edition id"),
    ("title", "string", "Title"),
    ("theme", "string", "Macro-theme or topic of the process"),
    ("state", "string", "published, withdrawn, merged or promoted"),
    ("supports", "integer", "Current number of supports"),
    (
        "answer_state",
        "string",
        "The process's own answer state of the latest official answer (empty if none)",
    ),
    ("answer_category", "string", "accepted, evaluating or rejected (empty if not answered)"),
    ("merged_into_id", "string", "The proposal it was merged into"),
    ("priority_id", "string", "The priority it became"),
    ("created_at", "datetime", "When it was put forward (UTC)"),
]
"""Columns of the open dataset ``proposals``: no author, anonymous by design."""

ANSWER_FIELDS: list[tuple[str, str, str]] = [
    ("id", "string", "Answer id"),
    ("proposal_id", "string", "Proposal id"),
    ("process_id", "string", "Process id"),
    ("district_id", "string", "District id"),
    ("answered_at", "datetime", "When the Ufficio di Piano answered (UTC)"),
    ("answer_state", "string", "The process's own answer state"),
    ("answer_label", "string", "Its label in the process"),
    ("answer_category", "string", "accepted, evaluating or rejected"),
    ("text", "string", "The official answer"),
    ("first_answer", "boolean", "True for the proposal's first answer, false when an answer was changed"),
]
"""Columns of the open dataset ``answers``: every official answer, in the order given."""


def proposal_rows(*, session: Session) -> list[dict[str, Any]]:
    """The proposals open dataset (ids, titles, codes and counts; never an author)."""
    editions = dict(session.exec(queries.process_editions()).all())
    return [
        {
            "id": p.id,
            "process_id": p.process_id,
            "district_id": p.district_id,
            "edition_id": editions.get(p.process_id) if p.process_id else None,
            "title": p.title,
            "theme": p.theme,
            "state": p.state,
            "supports": p.support_count,
            "answer_state": p.answer_state,
            "answer_category": p.answer_category,
            "merged_into_id": p.merged_into_id,
            "priority_id": p.priority_id,
            "created_at": p.created_at,
        }
        for p in session.exec(queries.by_id(ProposalView))
    ]


def answer_rows(*, session: Session) -> list[dict[str, Any]]:
    """The answers open dataset, in the order the answers were given."""
    return [
        {
            "id": a.id,
            "proposal_id": a.proposal_id,
            "process_id": a.process_id,
            "district_id": a.district_id,
            "answered_at": a.answered_at,
            "answer_state": a.answer_state,
            "answer_label": a.answer_label,
            "answer_category": a.answer_category,
            "text": a.text,
            "first_answer": a.first_answer,
        }
        for a in session.exec(queries.answers_in_order())
    ]
