"""Event types and payloads of the participation domain (ids and public fields only: never personal data)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict

# Stream types: a process's participation settings (stream id = the process id), and each proposal.
PARTICIPATION = "participation"
PROPOSAL = "proposal"

PARTICIPATION_CONFIGURED = "participation.configured"
PROPOSAL_CREATED = "proposal.created"
PROPOSAL_UPDATED = "proposal.updated"
PROPOSAL_WITHDRAWN = "proposal.withdrawn"
PROPOSAL_SUPPORTED = "proposal.supported"
PROPOSAL_SUPPORT_WITHDRAWN = "proposal.support_withdrawn"
PROPOSAL_ANSWERED = "proposal.answered"
PROPOSAL_MERGED = "proposal.merged"
PROPOSAL_PROMOTED = "proposal.promoted"

EVENT_TYPES = (
    PARTICIPATION_CONFIGURED,
    PROPOSAL_CREATED,
    PROPOSAL_UPDATED,
    PROPOSAL_WITHDRAWN,
    PROPOSAL_SUPPORTED,
    PROPOSAL_SUPPORT_WITHDRAWN,
    PROPOSAL_ANSWERED,
    PROPOSAL_MERGED,
    PROPOSAL_PROMOTED,
)
"""Every event type of this domain (webhooks and the catalogue list them)."""


class _Payload(BaseModel):
    model_config = ConfigDict(extra="forbid")

    def dump(self) -> dict[str, Any]:
        """JSON-native payload."""
        return self.model_dump(mode="json")


class ParticipationConfigured(_Payload):
    """A process's participation settings were set (limits, topics, answer states)."""

    process_id: str
    district_id: str
    max_proposals_per_person: int
    topics: list[dict[str, Any]]
    answer_states: list[dict[str, Any]]
    comment_edit_minutes: int


class _ProposalBase(_Payload):
    proposal_id: str
    process_id: str
    district_id: str


class ProposalCreated(_ProposalBase):
    """A participant put forward a proposal (``author_id`` is their registry id)."""

    phase_id: str
    author_id: str
    title: str
    theme: str


class ProposalUpdated(_ProposalBase):
    """The author changed a proposal before its first support or comment (``changes``: changed field names)."""

    changes: list[str]
    title: str
    theme: str


class ProposalWithdrawn(_ProposalBase):
    """The author withdrew the proposal."""


class ProposalSupportChanged(_ProposalBase):
    """A person supported a proposal or withdrew their support; ``support_count`` after the change."""

    supporter_id: str
    support_count: int


class ProposalAnswered(_ProposalBase):
    """The Ufficio di Piano answered: the process's own state, the category it maps to, the public text."""

    answer_state: str
    answer_category: str
    text: str
    first_answer: bool


class ProposalMerged(_ProposalBase):
    """The proposal was merged into another of the same process."""

    into_proposal_id: str


class ProposalPromoted(_ProposalBase):
    """The proposal became (part of) a priority of the district."""

    priority_id: str


# The payload model of every event type this domain writes (the webhooks' OpenAPI is generated from it).
PAYLOADS: dict[str, type[BaseModel]] = {
    PARTICIPATION_CONFIGURED: ParticipationConfigured,
    PROPOSAL_CREATED: ProposalCreated,
    PROPOSAL_UPDATED: ProposalUpdated,
    PROPOSAL_WITHDRAWN: ProposalWithdrawn,
    PROPOSAL_SUPPORTED: ProposalSupportChanged,
    PROPOSAL_SUPPORT_WITHDRAWN: ProposalSupportChanged,
    PROPOSAL_ANSWERED: ProposalAnswered,
    PROPOSAL_MERGED: ProposalMerged,
    PROPOSAL_PROMOTED: ProposalPromoted,
}
