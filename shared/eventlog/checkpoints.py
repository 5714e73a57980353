"""Signed checkpoints of the event log, their stored copy, and Merkle proofs computed from the log.

What is signed
--------------
A checkpoint states "the log had ``position`` events, the last one's hash was ``head_hash`` and the RFC
6962 Merkle root over the events' hashes (leaf ``i`` = ``SHA-256(0x00 || bytes(hash of event i+1))``) was
``root_hash``, at ``timestamp``". The signed bytes are the canonical JSON (sorted keys, no whitespace,
UTF-8) of ``{"format", "head_hash", "key_id", "position", "root_hash", "timestamp"}``, signed with Ed25519;
``signature`` is the base64 of the 64-byte signature. The key lives outside the database, so whoever can
write the database cannot produce a checkpoint; the ``checkpoints`` table is only a copy for publishing.

Proofs are computed by streaming event hashes from the log (nothing but the events is stored): an audit
path or consistency proof reads at most the events up to the checkpoint once.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import Connection, and_, or_, select
from sqlalchemy.engine import RowMapping

from shared.db import utcnow
from shared.eventlog import merkle
from shared.eventlog.signing import Keyring, key_id
from shared.eventlog.store import canonical_json
from shared.eventlog.tables import events
from shared.eventlog.tables import log_checkpoints as checkpoints
from shared.eventlog.verify import LogState, VerifyResult, event_leaf, verify_chain

FORMAT = "communitylab-checkpoint/1"
TIMESTAMP_FORMAT = "%Y-%m-%dT%H:%M:%SZ"
_HEX64 = re.compile(r"[0-9a-f]{64}")
_KEY_ID = re.compile(r"[0-9a-f]{32}")


class CheckpointError(ValueError):
    """A checkpoint is malformed, signed by an unknown key, or its signature does not verify."""


class LogTamperedError(RuntimeError):
    """The log does not verify (chain or an earlier checkpoint), so it is not signed."""

    def __init__(self, result: VerifyResult):
        super().__init__(f"event log broken at position {result.broken_position}: {result.reason}")
        self.result = result


@dataclass(frozen=True)
class Checkpoint:
    """A signed statement of the log's size, last hash and Merkle root at a time, and the key that signed it."""

    position: int
    head_hash: str
    root_hash: str
    timestamp: datetime
    key_id: str
    signature: str

    @property
    def timestamp_text(self) -> str:
        """The timestamp as signed: UTC, whole seconds, ``Z``."""
        return self.timestamp.astimezone(UTC).strftime(TIMESTAMP_FORMAT)

    def signed_fields(self) -> dict[str, Any]:
        """Every signed field (all but the signature)."""
        return {
            "format": FORMAT,
            "position": self.position,
            "head_hash": self.head_hash,
            "root_hash": self.root_hash,
            "timestamp": self.timestamp_text,
            "key_id": self.key_id,
        }

    def signed_bytes(self) -> bytes:
        """The exact bytes the signature covers."""
        return canonical_json(self.signed_fields()).encode()

    def to_json(self) -> dict[str, Any]:
        """The checkpoint as published (and as ``verify-log --checkpoints`` reads it)."""
        return {**self.signed_fields(), "signature": self.signature}

    @classmethod
    def from_json(cls, data: Any) -> Checkpoint:
        """Parse a published checkpoint; a malformed one raises ``CheckpointError``."""
        if not isinstance(data, Mapping):
            raise CheckpointError("a checkpoint is a JSON object")
        if data.get("format") != FORMAT:
            raise CheckpointError(f"unknown checkpoint format {data.get('format')!r} (expected {FORMAT})")
        position = data.get("position")
        if isinstance(position, bool) or not isinstance(position, int) or position < 0:
            raise CheckpointError("position must be a non-negative integer")
        for name in ("head_hash", "root_hash"):
            if not isinstance(data.get(name), str) or not _HEX64.fullmatch(data[name]):
                raise CheckpointError(f"{name} must be 64 lowercase hex digits")
        if not isinstance(data.get("key_id"), str) or not _KEY_ID.fullmatch(data["key_id"]):
            raise CheckpointError("key_id must be 32 lowercase hex digits")
        try:
            timestamp = datetime.strptime(str(data.get("timestamp")), TIMESTAMP_FORMAT).replace(tzinfo=UTC)
        except ValueError as exc:
            raise CheckpointError("timestamp must look like 2026-12-02T10:00:00Z") from exc
        signature = data.get("signature")
        if not isinstance(signature, str) or len(_decode_signature(signature)) != 64:
            raise CheckpointError("signature must be the base64 of 64 bytes")
        return cls(position, data["head_hash"], data["root_hash"], timestamp, data["key_id"], signature)


def _decode_signature(signature: str) -> bytes:
    try:
        return base64.b64decode(signature, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise CheckpointError("signature is not base64") from exc


def sign_checkpoint(
    key: Ed25519PrivateKey, *, position: int, head_hash: str, root_hash: str, timestamp: datetime
) -> Checkpoint:
    """Sign the log's state with the private key (the timestamp is cut to whole seconds)."""
    unsigned = Checkpoint(
        position,
        head_hash,
        root_hash,
        timestamp.astimezone(UTC).replace(microsecond=0),
        key_id(key.public_key()),
        "",
    )
    signature = base64.b64encode(key.sign(unsigned.signed_bytes())).decode()
    return replace(unsigned, signature=signature)


def verify_checkpoint(checkpoint: Checkpoint, keyring: Keyring) -> None:
    """Raise ``CheckpointError`` unless a trusted key with the checkpoint's key id signed it."""
    public_key = keyring.get(checkpoint.key_id)
    if public_key is None:
        raise CheckpointError(
            f"checkpoint at position {checkpoint.position} is signed by key {checkpoint.key_id}, "
            "which is not among the trusted public keys"
        )
    try:
        public_key.verify(_decode_signature(checkpoint.signature), checkpoint.signed_bytes())
    except InvalidSignature as exc:
        raise CheckpointError(
            f"checkpoint at position {checkpoint.position}: the signature does not verify with key "
            f"{checkpoint.key_id}"
        ) from exc


# --- the stored copy --------------------------------------------------------------------------------------


def _from_row(row: RowMapping) -> Checkpoint:
    return Checkpoint(
        int(row["position"]),
        row["head_hash"],
        row["root_hash"],
        row["signed_at"],
        row["key_id"],
        row["signature"],
    )


def store_checkpoint(conn: Connection, checkpoint: Checkpoint) -> None:
    """Keep a copy of a checkpoint (one per position and key; a repeat is ignored)."""
    exists = conn.execute(
        select(checkpoints.c.id).where(
            checkpoints.c.position == checkpoint.position, checkpoints.c.key_id == checkpoint.key_id
        )
    ).first()
    if exists is None:
        conn.execute(
            checkpoints.insert().values(
                position=checkpoint.position,
                head_hash=checkpoint.head_hash,
                root_hash=checkpoint.root_hash,
                signed_at=checkpoint.timestamp,
                key_id=checkpoint.key_id,
                signature=checkpoint.signature,
            )
        )


def latest_checkpoint(conn: Connection, *, key: str | None = None) -> Checkpoint | None:
    """The stored checkpoint with the highest position (of one key, if given)."""
    query = select(checkpoints)
    if key is not None:
        query = query.where(checkpoints.c.key_id == key)
    row = conn.execute(
        query.order_by(checkpoints.c.position.desc(), checkpoints.c.id.desc()).limit(1)
    ).first()
    return _from_row(row._mapping) if row is not None else None


def checkpoint_at(conn: Connection, position: int) -> Checkpoint | None:
    """The newest stored checkpoint at exactly this position."""
    row = conn.execute(
        select(checkpoints)
        .where(checkpoints.c.position == position)
        .order_by(checkpoints.c.id.desc())
        .limit(1)
    ).first()
    return _from_row(row._mapping) if row is not None else None


def list_checkpoints(
    conn: Connection, *, after: tuple[int, int] | None = None, limit: int = 100
) -> list[tuple[int, Checkpoint]]:
    """Stored checkpoints by (position, id) after a keyset, with their row ids (for cursors)."""
    query = select(checkpoints)
    if after is not None:
        position, row_id = after
        query = query.where(
            or_(
                checkpoints.c.position > position,
                and_(checkpoints.c.position == position, checkpoints.c.id > row_id),
            )
        )
    rows = conn.execute(query.order_by(checkpoints.c.position, checkpoints.c.id).limit(limit)).all()
    return [(int(row._mapping["id"]), _from_row(row._mapping)) for row in rows]


def iter_stored(conn: Connection, *, batch_size: int = 1000) -> Iterator[Checkpoint]:
    """Every stored checkpoint, oldest position first."""
    after: tuple[int, int] | None = None
    while True:
        page = list_checkpoints(conn, after=after, limit=batch_size)
        if not page:
            return
        for _, checkpoint in page:
            yield checkpoint
        after = (page[-1][1].position, page[-1][0])


# --- signing the log ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CheckpointOutcome:
    """The checkpoint covering the log now, whether it was just signed, and the verification behind it."""

    checkpoint: Checkpoint
    created: bool
    result: VerifyResult


def _latest_trusted(conn: Connection, keyring: Keyring) -> Checkpoint | None:
    """The newest stored checkpoint whose signature verifies (a forged row in the table is skipped)."""
    query = select(checkpoints).order_by(checkpoints.c.position.desc(), checkpoints.c.id.desc()).limit(50)
    for row in conn.execute(query):
        candidate = _from_row(row._mapping)
        try:
            verify_checkpoint(candidate, keyring)
        except CheckpointError:
            continue
        return candidate
    return None


def checkpoint_log(
    conn: Connection,
    key: Ed25519PrivateKey,
    keyring: Keyring,
    *,
    state: LogState | None = None,
    now: datetime | None = None,
    batch_size: int = 5000,
) -> CheckpointOutcome:
    """Verify the log (chain, and the newest trusted stored checkpoint), then sign and store its state.

    Nothing is signed when the log does not verify (``LogTamperedError``): a signature must not vouch for
    a rewritten history. When the current key already signed this position, that checkpoint is returned.
    With ``state`` (kept by a worker between rounds) only the events appended since are read.
    """
    keyring.add([key.public_key()])
    previous = _latest_trusted(conn, keyring)
    resume_from = state.position if state is not None else 0
    earlier = (
        [previous] if previous is not None and (state is None or previous.position > resume_from) else []
    )
    result = verify_chain(conn, batch_size=batch_size, checkpoints=earlier, state=state)
    if not result.ok:
        raise LogTamperedError(result)
    assert result.head_hash is not None and result.root_hash is not None
    own = latest_checkpoint(conn, key=key_id(key.public_key()))
    if own is not None and own.position == result.verified:
        return CheckpointOutcome(own, False, result)
    signed = sign_checkpoint(
        key,
        position=result.verified,
        head_hash=result.head_hash,
        root_hash=result.root_hash,
        timestamp=now or utcnow(),
    )
    store_checkpoint(conn, signed)
    return CheckpointOutcome(signed, True, result)


# --- proofs from the log --------------------------------------------------------------------------------


def _leaves(conn: Connection, start: int, end: int, batch_size: int) -> Iterator[bytes]:
    """Leaf hashes of leaves ``[start, end)`` (events at positions ``start + 1 .. end``), streamed."""
    after = start
    while after < end:
        rows = conn.execute(
            select(events.c.position, events.c.hash)
            .where(events.c.position > after, events.c.position <= end)
            .order_by(events.c.position)
            .limit(batch_size)
        ).all()
        if not rows:
            raise CheckpointError(f"the log has no event at position {after + 1}")
        for row in rows:
            if int(row.position) != after + 1:
                raise CheckpointError(f"the log has no event at position {after + 1}")
            yield event_leaf(row.hash)
            after += 1


def log_subtree(conn: Connection, *, batch_size: int = 10000) -> merkle.SubtreeRoot:
    """A ``subtree(start, end)`` over the stored log's event hashes, streaming them from the database."""
    return lambda start, end: merkle.root_of(_leaves(conn, start, end, batch_size))


@dataclass(frozen=True)
class InclusionProof:
    """The audit path of one event in the tree of a checkpoint."""

    position: int
    event_hash: str
    leaf_hash: str
    tree_size: int
    path: list[str]


def inclusion_proof(conn: Connection, *, position: int, tree_size: int) -> InclusionProof:
    """The audit path of the event at ``position`` (1-based) in the tree of the first ``tree_size`` events."""
    row = conn.execute(select(events.c.hash).where(events.c.position == position)).first()
    if row is None or not 1 <= position <= tree_size:
        raise CheckpointError(f"event {position} is not in the first {tree_size} events")
    path = merkle.inclusion_proof(position - 1, tree_size, log_subtree(conn))
    return InclusionProof(position, row.hash, event_leaf(row.hash).hex(), tree_size, [p.hex() for p in path])


def consistency_proof(conn: Connection, *, old_size: int, new_size: int) -> list[str]:
    """The RFC 6962 consistency proof that the first ``old_size`` events are a prefix of ``new_size``."""
    return [p.hex() for p in merkle.consistency_proof(old_size, new_size, log_subtree(conn))]


def check_inclusion(checkpoint: Checkpoint, proof: InclusionProof) -> bool:
    """Whether an inclusion proof links its event hash to the checkpoint's signed root."""
    return proof.tree_size == checkpoint.position and merkle.verify_inclusion(
        proof.position - 1,
        checkpoint.position,
        event_leaf(proof.event_hash),
        [bytes.fromhex(p) for p in proof.path],
        bytes.fromhex(checkpoint.root_hash),
    )


def check_consistency(old: Checkpoint, new: Checkpoint, proof: list[str]) -> bool:
    """Whether a consistency proof shows ``new`` extends ``old`` (same events up to ``old.position``)."""
    if old.position == new.position:
        return not proof and old.root_hash == new.root_hash and old.head_hash == new.head_hash
    return merkle.verify_consistency(
        old.position,
        new.position,
        bytes.fromhex(old.root_hash),
        bytes.fromhex(new.root_hash),
        [bytes.fromhex(p) for p in proof],
    )
