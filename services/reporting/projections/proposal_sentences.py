"""Timeline sentences of a proposal's events, in Italian and English.

Authors and supporters are never described, not even by category: a proposal is public, who wrote or supported
it is not.
"""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from services.reporting.labels import ANSWER_CATEGORIES, THEMES, label
from services.reporting.models import TimelineLabel
from services.reporting.projections.base import as_int, cached, text
from services.reporting.projections.proposals import answer_label

Sentence = tuple[str, str]

# The state a proposal is left in by each event (the workshops API's ProposalState codes).
PROPOSAL_STATE = {
    "proposal.created": "published",
    "proposal.withdrawn": "withdrawn",
    "proposal.merged": "merged",
    "proposal.promoted": "promoted",
}


def _q(value: str) -> str:
    return f"'{value}'" if value else "''"


def _title_of(session: Session, stream_type: str, stream_id: Any) -> str:
    known = cached(session, TimelineLabel, (stream_type, str(stream_id))) if stream_id else None
    return _q(known.label if known is not None else "")


def proposal_sentence(session: Session, verb: str, title: str, payload: dict[str, Any]) -> Sentence | None:
    """The sentence of one proposal event (``title`` already quoted), or None for an unknown verb."""
    if verb == "created":
        theme = text(payload.get("theme"), 64)
        return (
            f"È stata presentata la proposta {title} (tema: {label(THEMES, theme, 'it')})",
            f"Proposal {title} was put forward (theme: {label(THEMES, theme, 'en')})",
        )
    if verb == "updated":
        changes = payload.get("changes")
        fields = ", ".join(sorted(str(c) for c in changes)) if isinstance(changes, list) and changes else "—"
        return (
            f"La proposta {title} è stata modificata (campi: {fields})",
            f"Proposal {title} was edited (fields: {fields})",
        )
    if verb == "withdrawn":
        return (f"La proposta {title} è stata ritirata", f"Proposal {title} was withdrawn")
    if verb in ("supported", "support_withdrawn"):
        count = as_int(payload.get("support_count")) or 0
        if verb == "supported":
            return (
                f"La proposta {title} ha ricevuto un sostegno ({count} in tutto)",
                f"Proposal {title} received a support ({count} in all)",
            )
        return (
            f"Ritirato un sostegno alla proposta {title} ({count} in tutto)",
            f"A support of proposal {title} was withdrawn ({count} in all)",
        )
    if verb == "answered":
        key = text(payload.get("answer_state"), 64)
        state = answer_label(session, payload.get("process_id"), key)
        category = text(payload.get("answer_category"), 40)
        again_it = (
            "ha cambiato la risposta alla" if payload.get("first_answer") is False else "ha risposto alla"
        )
        again_en = "changed its answer to" if payload.get("first_answer") is False else "answered"
        return (
            f"L'Ufficio di Piano {again_it} proposta {title}: {state}",
            f"Ufficio di Piano {again_en} proposal {title}: {state} "
            f"({label(ANSWER_CATEGORIES, category, 'en').lower()})",
        )
    if verb == "merged":
        into = _title_of(session, "proposal", payload.get("into_proposal_id"))
        return (
            f"La proposta {title} è stata unita alla proposta {into}",
            f"Proposal {title} was merged into proposal {into}",
        )
    if verb == "promoted":
        priority = _title_of(session, "priority", payload.get("priority_id"))
        return (
            f"La proposta {title} è diventata la priorità {priority}",
            f"Proposal {title} became priority {priority}",
        )
    return None
