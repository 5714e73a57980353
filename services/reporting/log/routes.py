"""Public, read-only routes of the event log's audit trail: checkpoints, keys, inclusion and consistency proofs.

Anyone may read them (no key): an auditor keeps copies of signed checkpoints and later checks that the
newer ones extend them and that a given event is in the signed log.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Response

from services.reporting.log import service
from services.reporting.log.schemas import (
    CheckpointPublic,
    ConsistencyProofPublic,
    InclusionProofPublic,
    PublicKeyPublic,
    PublicKeysPublic,
)
from shared.api.pagination import Page, Paging100
from shared.deps import SessionDep, SettingsDep
from shared.errors import problem_responses
from shared.eventlog.checkpoints import Checkpoint

router = APIRouter(prefix="/log")
TAGS: list[str | Any] = ["event log"]
PUBLIC = {"Access-Control-Allow-Origin": "*", "Cache-Control": "public, no-cache"}


def _public(checkpoint: Checkpoint) -> CheckpointPublic:
    return CheckpointPublic.model_validate(checkpoint.to_json())


@router.get(
    "/checkpoints",
    response_model=Page[CheckpointPublic],
    summary="Signed checkpoints of the event log, oldest first (keep copies: they are what an audit checks)",
    tags=TAGS,
    responses=problem_responses(422),
)
def list_log_checkpoints(session: SessionDep, paging: Paging100) -> Page[CheckpointPublic]:
    items, next_cursor = service.list_checkpoints(session=session, cursor=paging.cursor, limit=paging.limit)
    paging.response.headers.update(PUBLIC)
    return paging.page([_public(c) for c in items], next_cursor)


@router.get(
    "/checkpoints/latest",
    response_model=CheckpointPublic,
    summary="The newest signed checkpoint of the event log",
    tags=TAGS,
    responses=problem_responses(404),
)
def get_latest_log_checkpoint(session: SessionDep, response: Response) -> CheckpointPublic:
    response.headers.update(PUBLIC)
    return _public(service.latest_checkpoint(session=session))


@router.get(
    "/keys",
    response_model=PublicKeysPublic,
    summary="The Ed25519 public keys checkpoints are signed with (current and retired), by key id",
    tags=TAGS,
)
def list_log_public_keys(settings: SettingsDep, response: Response) -> PublicKeysPublic:
    response.headers.update(PUBLIC)
    return PublicKeysPublic(
        keys=[PublicKeyPublic.model_validate(k.to_json()) for k in service.published_keys(settings=settings)]
    )


@router.get(
    "/proofs/inclusion",
    response_model=InclusionProofPublic,
    summary="Prove one event is in the signed log: its RFC 6962 audit path to a checkpoint's Merkle root",
    tags=TAGS,
    responses=problem_responses(404, 422),
)
def get_log_inclusion_proof(
    session: SessionDep,
    response: Response,
    position: Annotated[int, Query(ge=1, le=2**62, description="Log position of the event.")],
    checkpoint: Annotated[
        int | None,
        Query(
            ge=0, le=2**62, description="Position of the signed checkpoint to prove against; default latest."
        ),
    ] = None,
) -> InclusionProofPublic:
    proof, signed = service.inclusion(session=session, position=position, checkpoint_position=checkpoint)
    response.headers.update(PUBLIC)
    return InclusionProofPublic(
        position=proof.position,
        leaf_index=proof.position - 1,
        event_hash=proof.event_hash,
        leaf_hash=proof.leaf_hash,
        tree_size=proof.tree_size,
        audit_path=proof.path,
        checkpoint=_public(signed),
    )


@router.get(
    "/proofs/consistency",
    response_model=ConsistencyProofPublic,
    summary="Prove a newer signed checkpoint extends an older one (RFC 6962 consistency proof)",
    tags=TAGS,
    responses=problem_responses(404, 422),
)
def get_log_consistency_proof(
    session: SessionDep,
    response: Response,
    from_size: Annotated[
        int, Query(alias="from", ge=0, le=2**62, description="Position of the older checkpoint.")
    ],
    to_size: Annotated[
        int | None,
        Query(
            alias="to", ge=0, le=2**62, description="Position of the newer signed checkpoint; default latest."
        ),
    ] = None,
) -> ConsistencyProofPublic:
    proof, signed = service.consistency(session=session, old_size=from_size, new_size=to_size)
    response.headers.update(PUBLIC)
    return ConsistencyProofPublic(
        from_size=from_size, to_size=signed.position, proof=proof, checkpoint=_public(signed)
    )
