"""Reading the signed checkpoints and computing proofs for the public routes (no writes here)."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from shared.config import Settings
from shared.errors import FieldError, NotFoundError, ValidationFailed
from shared.eventlog import checkpoints as log_checkpoints
from shared.eventlog.checkpoints import Checkpoint, InclusionProof
from shared.eventlog.signing import Keyring, PublishedKey
from shared.pagination import cursor_values, encode_cursor, split_page


def published_keys(*, settings: Settings) -> list[PublishedKey]:
    """The public keys of the deployment's settings (the signing key's own when readable here)."""
    return Keyring.from_files(
        signing_key_file=settings.log_signing_key_file, public_keys_file=settings.log_public_keys_file
    ).published()


def list_checkpoints(
    *, session: Session, cursor: str | None, limit: int
) -> tuple[list[Checkpoint], str | None]:
    """A page of stored checkpoints by position from ``cursor``; the next page's cursor when more follow."""
    keyset = cursor_values(cursor, int, int)
    after = (keyset[0], keyset[1]) if keyset is not None else None
    rows, last = split_page(
        log_checkpoints.list_checkpoints(session.connection(), after=after, limit=limit + 1), limit
    )
    next_cursor = encode_cursor([last[1].position, last[0]]) if last is not None else None
    return [checkpoint for _, checkpoint in rows], next_cursor


def latest_checkpoint(*, session: Session) -> Checkpoint:
    """The newest checkpoint; 404 before the first one is signed."""
    checkpoint = log_checkpoints.latest_checkpoint(session.connection())
    if checkpoint is None:
        raise NotFoundError("no checkpoint of the event log has been signed yet")
    return checkpoint


def _checkpoint(session: Session, position: int | None, parameter: str) -> Checkpoint:
    if position is None:
        return latest_checkpoint(session=session)
    checkpoint = log_checkpoints.checkpoint_at(session.connection(), position)
    if checkpoint is None:
        raise NotFoundError(f"no signed checkpoint at position {position} ({parameter})")
    return checkpoint


def inclusion(
    *, session: Session, position: int, checkpoint_position: int | None
) -> tuple[InclusionProof, Checkpoint]:
    """The audit path of the event at ``position`` in the tree of a signed checkpoint (default latest)."""
    checkpoint = _checkpoint(session, checkpoint_position, "checkpoint")
    if position > checkpoint.position:
        raise ValidationFailed(
            f"event {position} is after the checkpoint at position {checkpoint.position}",
            errors=[FieldError(path="query.position", message=f"must be at most {checkpoint.position}")],
        )
    try:
        proof = log_checkpoints.inclusion_proof(
            session.connection(), position=position, tree_size=checkpoint.position
        )
    except log_checkpoints.CheckpointError as exc:
        raise NotFoundError(str(exc)) from exc
    return proof, checkpoint


def consistency(*, session: Session, old_size: int, new_size: int | None) -> tuple[list[str], Checkpoint]:
    """The consistency proof from a tree of ``old_size`` events to a signed checkpoint (default latest)."""
    checkpoint = _checkpoint(session, new_size, "to")
    if old_size > checkpoint.position:
        raise ValidationFailed(
            f"from ({old_size}) is after to ({checkpoint.position})",
            errors=[FieldError(path="query.from", message=f"must be at most {checkpoint.position}")],
        )
    try:
        proof = log_checkpoints.consistency_proof(
            session.connection(), old_size=old_size, new_size=checkpoint.position
        )
    except log_checkpoints.CheckpointError as exc:
        raise NotFoundError(str(exc)) from exc
    return proof, checkpoint


def checkpoint_rows(*, session: Session) -> list[dict[str, Any]]:
    """Every stored checkpoint as an open-data row (the published JSON fields and the row id)."""
    rows: list[dict[str, Any]] = []
    after: tuple[int, int] | None = None
    while True:
        page = log_checkpoints.list_checkpoints(session.connection(), after=after, limit=1000)
        if not page:
            return rows
        rows += [{"id": row_id, **checkpoint.to_json()} for row_id, checkpoint in page]
        after = (page[-1][1].position, page[-1][0])
