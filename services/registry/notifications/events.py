"""Event types of follows, and the event types of other services the notifications worker reads.

Only follows are written to the log, with ids only: ``follow.started`` / ``follow.stopped`` say that a person
(by id) follows a process or a proposal, so reporting can count followers without asking the registry.
Notifications, their read state, e-mails and preferences are *not* events: they are the registry's delivery
records about one person (who read what, when mail went out), of no use to any other consumer, and the
append-only log could not forget them when the person is erased.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict

FOLLOW = "follow"

FOLLOW_STARTED = "follow.started"
FOLLOW_STOPPED = "follow.stopped"

# Read from the log (written by workshops and the registry's people).
PROPOSAL_CREATED = "proposal.created"
PROPOSAL_UPDATED = "proposal.updated"
COMMENT_CREATED = "comment.created"
PROPOSAL_ANSWERED = "proposal.answered"
PROPOSAL_PROMOTED = "proposal.promoted"
PROCESS_CREATED = "process.created"
PROCESS_UPDATED = "process.updated"
PROCESS_PHASE_ADDED = "process.phase_added"
PROCESS_PHASE_CHANGED = "process.phase_changed"
PERSON_ERASED = "person.erased"

READ_TYPES = (
    PROPOSAL_CREATED,
    PROPOSAL_UPDATED,
    COMMENT_CREATED,
    PROPOSAL_ANSWERED,
    PROPOSAL_PROMOTED,
    PROCESS_CREATED,
    PROCESS_UPDATED,
    PROCESS_PHASE_ADDED,
    PROCESS_PHASE_CHANGED,
    PERSON_ERASED,
)


class FollowChanged(BaseModel):
    """A person started or stopped following a process or a proposal (ids only)."""

    model_config = ConfigDict(extra="forbid")

    follow_id: str
    person_id: str
    target_type: str
    target_id: str
    source: str

    def dump(self) -> dict[str, Any]:
        """JSON-native payload."""
        return self.model_dump(mode="json")


# The payload model of every event type this domain writes (the webhooks' OpenAPI is generated from it).
PAYLOADS: dict[str, type[BaseModel]] = {
    FOLLOW_STARTED: FollowChanged,
    FOLLOW_STOPPED: FollowChanged,
}
