"""The priority cycle as an explicit state machine: one table of transitions, one function applying them.

proposed -> submitted (Ufficio di Piano, for a year) -> validated | rejected (Comitato di Distretto)
-> assigned (project table) -> in_progress -> reported (restitution event) -> linked_to_plan_action.
"""

from __future__ import annotations

from enum import StrEnum

from services.workshops.outcomes.models import PriorityState
from shared.errors import ConflictError


class PriorityAction(StrEnum):
    """The steps a caller can take; each has its own route (``POST /priorities/{id}/<step>``)."""

    SUBMIT = "submit"
    VALIDATE = "validate"
    REJECT = "reject"
    ASSIGN = "assign"
    START = "start"
    REPORT = "report"
    LINK_PLAN_ACTION = "link-plan-action"


TRANSITIONS: dict[tuple[PriorityState, PriorityAction], PriorityState] = {
    (PriorityState.PROPOSED, PriorityAction.SUBMIT): PriorityState.SUBMITTED,
    (PriorityState.SUBMITTED, PriorityAction.VALIDATE): PriorityState.VALIDATED,
    (PriorityState.SUBMITTED, PriorityAction.REJECT): PriorityState.REJECTED,
    (PriorityState.VALIDATED, PriorityAction.ASSIGN): PriorityState.ASSIGNED,
    (PriorityState.ASSIGNED, PriorityAction.START): PriorityState.IN_PROGRESS,
    (PriorityState.IN_PROGRESS, PriorityAction.REPORT): PriorityState.REPORTED,
    (PriorityState.REPORTED, PriorityAction.LINK_PLAN_ACTION): PriorityState.LINKED_TO_PLAN_ACTION,
}
"""(current state, action) -> next state. Anything not listed is illegal."""


def allowed_transitions(state: PriorityState) -> list[dict[str, str]]:
    """The steps allowed from ``state``, as ``{"action", "to"}`` pairs in cycle order."""
    return [
        {"action": action.value, "to": target.value}
        for (source, action), target in TRANSITIONS.items()
        if source is state
    ]


def apply_transition(state: PriorityState, action: PriorityAction) -> PriorityState:
    """The state after ``action``; ConflictError (409, with ``allowed``) when the step is illegal now."""
    target = TRANSITIONS.get((state, action))
    if target is None:
        allowed = allowed_transitions(state)
        raise ConflictError(
            f"a priority in state '{state.value}' cannot '{action.value}'; "
            + (
                "allowed: " + ", ".join(a["action"] for a in allowed)
                if allowed
                else "no further step is allowed"
            ),
            current_state=state.value,
            attempted=action.value,
            allowed=allowed,
        )
    return target
