"""Walk the hash chain of the event log, check it against signed checkpoints, report the first break.

The chain alone shows that no stored event was edited in place, but someone with write access to the
database can rewrite an event and recompute every later hash, append a forged event, or delete the newest
events, and move the head row to match. Signed checkpoints (``checkpoints.py``) close that gap: each one
fixes, under a key kept outside the database, the log's size, its last hash and the RFC 6962 Merkle root
over every event hash up to it. The walk computes the root as it goes (O(log n) memory) and compares it at
each checkpoint's position, so one pass checks the chain and any number of checkpoints.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from sqlalchemy import Connection, func, select

from shared.eventlog.merkle import TreeBuilder, leaf_hash
from shared.eventlog.store import compute_hash
from shared.eventlog.tables import GENESIS_HASH, events, head

if TYPE_CHECKING:
    from shared.eventlog.checkpoints import Checkpoint


def event_leaf(event_hash: str) -> bytes:
    """The Merkle leaf of an event: ``leaf_hash`` over the 32 bytes of its chain hash."""
    return leaf_hash(bytes.fromhex(event_hash))


@dataclass
class LogState:
    """How far a walk got: position, last hash and the Merkle tree so far (a worker resumes from it)."""

    position: int = 0
    last_hash: str = GENESIS_HASH
    tree: TreeBuilder = field(default_factory=TreeBuilder)

    def root_hash(self) -> str:
        """The Merkle root of the events walked so far, in hex."""
        return self.tree.root().hex()


@dataclass(frozen=True)
class VerifyResult:
    """Outcome of a verification: how many events checked and where the chain broke, if it did."""

    verified: int
    broken_position: int | None = None
    reason: str | None = None
    checkpoints_checked: int = 0
    head_hash: str | None = None
    root_hash: str | None = None

    @property
    def ok(self) -> bool:
        """True when the whole chain verified."""
        return self.broken_position is None


def _checkpoint_mismatch(checkpoint: Checkpoint, head_hash: str, root_hash: str) -> str | None:
    if checkpoint.head_hash != head_hash:
        return (
            f"event hash differs from the checkpoint signed at {checkpoint.timestamp_text} "
            f"(key {checkpoint.key_id}): the event was rewritten or replaced"
        )
    if checkpoint.root_hash != root_hash:
        return (
            f"Merkle root differs from the checkpoint signed at {checkpoint.timestamp_text} "
            f"(key {checkpoint.key_id}): an earlier event was rewritten"
        )
    return None


def verify_chain(
    conn: Connection,
    *,
    batch_size: int = 5000,
    checkpoints: Iterable[Checkpoint] = (),
    state: LogState | None = None,
) -> VerifyResult:
    """Recompute every hash in position order; stop at the first mismatch, gap, broken link or checkpoint.

    The head is read first and the walk stops at it, so events committed meanwhile do not read as
    tampering; events beyond the head are looked for at the end. ``checkpoints`` must already have had
    their signatures checked. With ``state`` the walk resumes from it and leaves it at the end of the log
    (checkpoints at or before its position are not checked again).
    """
    state = state if state is not None else LogState()
    by_position: dict[int, list[Checkpoint]] = {}
    for checkpoint in checkpoints:
        by_position.setdefault(checkpoint.position, []).append(checkpoint)
    checked = 0
    head_row = conn.execute(select(head.c.position, head.c.hash).where(head.c.id == 1)).one()
    head_position = int(head_row.position)

    def result(position: int | None = None, reason: str | None = None) -> VerifyResult:
        return VerifyResult(state.position, position, reason, checked, state.last_hash, state.root_hash())

    if state.position == 0:
        for checkpoint in by_position.get(0, []):
            if (problem := _checkpoint_mismatch(checkpoint, GENESIS_HASH, state.root_hash())) is not None:
                return result(1, problem)
            checked += 1
    while state.position < head_position:
        rows = conn.execute(
            select(events)
            .where(events.c.position > state.position, events.c.position <= head_position)
            .order_by(events.c.position)
            .limit(batch_size)
        ).all()
        if not rows:
            break
        for row in rows:
            data = row._mapping
            position = int(data["position"])
            if position != state.position + 1:
                return result(state.position + 1, f"position {state.position + 1} is missing")
            if data["prev_hash"] != state.last_hash:
                return result(position, "prev_hash does not match the previous event's hash")
            if compute_hash(data) != data["hash"]:
                return result(position, "hash does not match the event's content")
            state.tree.add(event_leaf(data["hash"]))
            state.last_hash = data["hash"]
            state.position = position
            for checkpoint in by_position.get(position, []):
                if (
                    problem := _checkpoint_mismatch(checkpoint, state.last_hash, state.root_hash())
                ) is not None:
                    return result(position, problem)
                checked += 1
    if state.position != head_position or head_row.hash != state.last_hash:
        return result(state.position + 1, "head does not match the last event")
    # Read the newest position before the head: a legitimate append moves both in one commit.
    newest = conn.execute(select(func.max(events.c.position))).scalar()
    current_head = conn.execute(select(head.c.position).where(head.c.id == 1)).scalar_one()
    if newest is not None and int(newest) > int(current_head):
        return result(int(current_head) + 1, "events beyond the head (appended without moving it)")
    beyond = sorted(position for position in by_position if position > state.position)
    if beyond:
        latest = by_position[beyond[-1]][0]
        return result(
            state.position + 1,
            f"the log ends at position {state.position} but a checkpoint signed at {latest.timestamp_text} "
            f"(key {latest.key_id}) covers {latest.position} events: the tail was truncated",
        )
    return result()
