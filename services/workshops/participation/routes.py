"""HTTP routes of participation: settings, proposals, supports, official answers, merges and promotions."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Query, Response

from services.workshops.deps import RegistryDep
from services.workshops.outcomes.priorities.service import get_priority
from services.workshops.participation import queries, service
from services.workshops.participation.comments import routes as comments_routes
from services.workshops.participation.deps import ProposalForAuthor, ProposalForPlanner, SettingsForEdit
from services.workshops.participation.models import AnswerCategory, Proposal, ProposalState
from services.workshops.participation.queries import ProposalOrder
from services.workshops.participation.schemas import (
    AnswerCreate,
    MergeRequest,
    ParticipationSettingsBody,
    ParticipationSettingsPublic,
    PriorityProposalsPublic,
    PromotionRequest,
    ProposalCreate,
    ProposalPublic,
    ProposalUpdate,
    SupportPublic,
)
from shared.api.etag import etag_for, set_etag
from shared.api.idempotency import IdempotencyDep
from shared.api.pagination import Page, Paging
from shared.auth.principal import Principal
from shared.deps import PrincipalDep, SessionDep
from shared.errors import problem_responses
from shared.privacy import Scope, view

router = APIRouter()

OPENAPI_TAGS: list[dict[str, str]] = [
    {
        "name": "participation",
        "description": "Citizens' proposals to a process, supports, official answers, merges and promotions.",
    },
    *comments_routes.OPENAPI_TAGS,
]
ROUTERS: list[APIRouter] = [router, comments_routes.router]
TAG = "participation"


def _public(session: SessionDep, principal: Principal, proposals: list[Proposal]) -> list[ProposalPublic]:
    views = service.proposal_views(session=session, proposals=proposals, person_id=principal.person_id)
    out = []
    for data in views:
        model = ProposalPublic.model_validate(data)
        # The author sees themselves; others see the author's id only as the privacy policy allows.
        out.append(model if model.mine else view(model, principal, Scope.of([model.district_id])))
    return out


def _one(session: SessionDep, principal: Principal, proposal: Proposal) -> ProposalPublic:
    return _public(session, principal, [proposal])[0]


def _answer(
    response: Response, session: SessionDep, principal: Principal, proposal: Proposal
) -> ProposalPublic:
    """The changed proposal, its new ETag set."""
    set_etag(response, proposal.version)
    return _one(session, principal, proposal)


@router.get(
    "/processes/{process_id}/participation",
    response_model=ParticipationSettingsPublic,
    summary="Get how a process takes proposals",
    tags=[TAG],
    responses=problem_responses(404),
)
def get_participation(process_id: uuid.UUID, response: Response, session: SessionDep) -> Any:
    """The per-person limit, the process's topics and answer states, the comment edit window."""
    process = service.get_process(session=session, process_id=process_id)
    settings = service.settings_of(session=session, process=process)
    version = service.settings_version(session=session, process_id=process.id)
    set_etag(response, version)
    return ParticipationSettingsPublic.model_validate(settings).model_copy(update={"version": version})


@router.put(
    "/processes/{process_id}/participation",
    response_model=ParticipationSettingsPublic,
    summary="Set how a process takes proposals",
    tags=[TAG],
    responses=problem_responses(401, 403, 404, 409, 412, 422),
)
def put_participation(
    edit: SettingsForEdit, payload: ParticipationSettingsBody, response: Response, session: SessionDep
) -> Any:
    """Editors of the district set the limit per person, topics and answer states (If-Match honoured)."""
    settings = service.configure(
        session=session, process=edit.row, data=payload, expected_version=edit.expected_version
    )
    set_etag(response, settings.version)
    return ParticipationSettingsPublic.model_validate(settings)


@router.post(
    "/processes/{process_id}/proposals",
    status_code=201,
    response_model=ProposalPublic,
    summary="Put forward a proposal",
    tags=[TAG],
    responses=problem_responses(401, 403, 404, 409, 422, 503),
)
def create_proposal(
    process_id: uuid.UUID,
    payload: ProposalCreate,
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
    registry: RegistryDep,
    idempotency: IdempotencyDep,
) -> Any:
    """A signed-in participant proposes during a phase open to proposals (409 outside one or over the limit).

    With ``person_id``, an editor of the district records a proposal received on paper for that person.
    """
    if payload.person_id is not None:
        process = service.get_process(session=session, process_id=process_id)
        principal.require_district_editor(process.district_id)
        person_id = service.require_known_person(
            registry=registry,
            principal=principal,
            person_id=payload.person_id,
            district_id=process.district_id,
        )
    else:
        person_id = service.require_participant(principal)
    if (replay := idempotency.replay(payload)) is not None:
        return replay
    proposal = service.create_proposal(
        session=session,
        process_id=process_id,
        person_id=person_id,
        data=payload,
        on_paper=payload.person_id is not None,
    )
    return idempotency.created(
        response,
        _one(session, principal, proposal),
        location=f"/proposals/{proposal.id}",
        etag=etag_for(proposal.version),
    )


@router.get(
    "/processes/{process_id}/proposals",
    response_model=Page[ProposalPublic],
    summary="List a process's proposals",
    tags=[TAG],
    responses=problem_responses(404, 422),
)
def list_proposals(
    process_id: uuid.UUID,
    session: SessionDep,
    principal: PrincipalDep,
    paging: Paging,
    state: Annotated[
        ProposalState | None, Query(description="Only this state (default: all but withdrawn).")
    ] = None,
    theme: Annotated[str | None, Query(max_length=64, description="A macro-theme or topic key.")] = None,
    answer_category: AnswerCategory | None = None,
    q: Annotated[
        str | None, Query(max_length=200, description="Words in the title or body (accents ignored).")
    ] = None,
    order: ProposalOrder = ProposalOrder.NEWEST,
    seed: Annotated[
        str | None, Query(max_length=64, description="With order=random: the same seed gives the same order.")
    ] = None,
) -> Any:
    """Proposals filtered by state, theme, answer or words; newest, oldest, most supported or random."""
    process = service.get_process(session=session, process_id=process_id)
    statement = queries.proposals_statement(
        process_id=process.id,
        state=state,
        theme=theme,
        answer_category=answer_category.value if answer_category else None,
        q=q,
    )
    rows, next_cursor = queries.page_proposals(
        session, statement, order=order, limit=paging.limit, cursor=paging.cursor, seed=seed
    )
    return paging.page(_public(session, principal, rows), next_cursor)


@router.get(
    "/proposals/{proposal_id}",
    response_model=ProposalPublic,
    summary="Get a proposal",
    tags=[TAG],
    responses=problem_responses(404),
)
def get_proposal(
    proposal_id: uuid.UUID, response: Response, session: SessionDep, principal: PrincipalDep
) -> Any:
    """A proposal with its answer, where it was merged from or into, and the priority it became."""
    return _answer(
        response, session, principal, service.get_proposal(session=session, proposal_id=proposal_id)
    )


@router.patch(
    "/proposals/{proposal_id}",
    response_model=ProposalPublic,
    summary="Change one's proposal",
    tags=[TAG],
    responses=problem_responses(401, 403, 404, 409, 412, 422),
)
def update_proposal(
    edit: ProposalForAuthor,
    payload: ProposalUpdate,
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
) -> Any:
    """The author edits until the first support or comment (409 after; If-Match honoured)."""
    proposal = service.update_proposal(
        session=session,
        proposal=edit.row,
        person_id=service.require_participant(principal),
        data=payload,
        expected_version=edit.expected_version,
    )
    return _answer(response, session, principal, proposal)


@router.post(
    "/proposals/{proposal_id}/withdraw",
    response_model=ProposalPublic,
    summary="Withdraw one's proposal",
    tags=[TAG],
    responses=problem_responses(401, 403, 404, 409, 412),
)
def withdraw_proposal(
    edit: ProposalForAuthor, response: Response, session: SessionDep, principal: PrincipalDep
) -> Any:
    """The author withdraws a published proposal."""
    proposal = service.withdraw_proposal(
        session=session,
        proposal=edit.row,
        person_id=service.require_participant(principal),
        expected_version=edit.expected_version,
    )
    return _answer(response, session, principal, proposal)


@router.post(
    "/proposals/{proposal_id}/support",
    response_model=SupportPublic,
    summary="Support a proposal",
    tags=[TAG],
    responses=problem_responses(401, 403, 404, 409),
)
def support_proposal(proposal_id: uuid.UUID, session: SessionDep, principal: PrincipalDep) -> Any:
    """One support per person while the proposal's phase is open (409 for a second one)."""
    person_id = service.require_participant(principal)
    proposal = service.support(session=session, proposal_id=proposal_id, person_id=person_id)
    return SupportPublic(proposal_id=proposal.id, supported=True, support_count=proposal.support_count)


@router.delete(
    "/proposals/{proposal_id}/support",
    response_model=SupportPublic,
    summary="Withdraw one's support",
    tags=[TAG],
    responses=problem_responses(401, 403, 404, 409),
)
def withdraw_support(proposal_id: uuid.UUID, session: SessionDep, principal: PrincipalDep) -> Any:
    """Take one's support back while the proposal's phase is open."""
    person_id = service.require_participant(principal)
    proposal = service.withdraw_support(session=session, proposal_id=proposal_id, person_id=person_id)
    return SupportPublic(proposal_id=proposal.id, supported=False, support_count=proposal.support_count)


@router.post(
    "/proposals/{proposal_id}/answer",
    response_model=ProposalPublic,
    summary="Answer a proposal officially",
    tags=[TAG],
    responses=problem_responses(401, 403, 404, 409, 412, 422, 503),
)
def answer_proposal(
    edit: ProposalForPlanner,
    payload: AnswerCreate,
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
) -> Any:
    """The Ufficio di Piano answers with one of the process's answer states and a text."""
    proposal = service.answer_proposal(
        session=session, proposal=edit.row, data=payload, expected_version=edit.expected_version
    )
    return _answer(response, session, principal, proposal)


@router.post(
    "/proposals/{proposal_id}/merge",
    response_model=ProposalPublic,
    summary="Merge a proposal into another",
    tags=[TAG],
    responses=problem_responses(401, 403, 404, 409, 412, 422, 503),
)
def merge_proposal(
    edit: ProposalForPlanner,
    payload: MergeRequest,
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
) -> Any:
    """The Ufficio di Piano merges a proposal into another of the same process."""
    into_id = payload.into_proposal_id
    service.require_merge_reference(session=session, principal=principal, proposal=edit.row, into_id=into_id)
    proposal = service.merge_proposal(
        session=session, proposal=edit.row, into_id=into_id, expected_version=edit.expected_version
    )
    return _answer(response, session, principal, proposal)


@router.post(
    "/proposals/{proposal_id}/promote",
    response_model=ProposalPublic,
    summary="Promote a proposal to a priority",
    tags=[TAG],
    responses=problem_responses(401, 403, 404, 409, 412, 422, 503),
)
def promote_proposal(
    edit: ProposalForPlanner,
    payload: PromotionRequest,
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
) -> Any:
    """The Ufficio di Piano makes the proposal a priority (new, or an existing one that then cites it)."""
    service.require_promotion_reference(
        session=session, principal=principal, proposal=edit.row, priority_id=payload.priority_id
    )
    proposal, _ = service.promote_proposal(
        session=session, proposal=edit.row, data=payload, expected_version=edit.expected_version
    )
    return _answer(response, session, principal, proposal)


@router.get(
    "/priorities/{priority_id}/proposals",
    response_model=PriorityProposalsPublic,
    summary="List the proposals a priority came from",
    tags=[TAG],
    responses=problem_responses(404),
)
def priority_proposals(priority_id: uuid.UUID, session: SessionDep) -> Any:
    """The provenance of a priority: the proposals promoted to it."""
    priority = get_priority(session=session, priority_id=priority_id)
    return PriorityProposalsPublic(
        priority_id=priority.id,
        proposal_ids=service.priority_proposal_ids(session=session, priority_id=priority.id),
    )
