"""Walk the hash chain of the event log and report the first broken position."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, select

from shared.eventlog.store import compute_hash
from shared.eventlog.tables import GENESIS_HASH, events, head


@dataclass(frozen=True)
class VerifyResult:
    """Outcome of a verification: how many events checked and where the chain broke, if it did."""

    verified: int
    broken_position: int | None = None
    reason: str | None = None

    @property
    def ok(self) -> bool:
        """True when the whole chain verified."""
        return self.broken_position is None


def verify_chain(conn: Connection, *, batch_size: int = 5000) -> VerifyResult:
    """Recompute every hash in position order; stop at the first mismatch, gap or broken link."""
    expected_prev = GENESIS_HASH
    expected_position = 1
    verified = 0
    after = 0
    while True:
        rows = conn.execute(
            select(events).where(events.c.position > after).order_by(events.c.position).limit(batch_size)
        ).all()
        if not rows:
            break
        for row in rows:
            data = row._mapping
            position = int(data["position"])
            if position != expected_position:
                return VerifyResult(verified, expected_position, f"position {expected_position} is missing")
            if data["prev_hash"] != expected_prev:
                return VerifyResult(verified, position, "prev_hash does not match the previous event's hash")
            if compute_hash(data) != data["hash"]:
                return VerifyResult(verified, position, "hash does not match the event's content")
            expected_prev = data["hash"]
            expected_position += 1
            verified += 1
        after = int(rows[-1]._mapping["position"])
    head_row = conn.execute(select(head.c.position, head.c.hash).where(head.c.id == 1)).one_or_none()
    if head_row is not None and (int(head_row.position) != verified or head_row.hash != expected_prev):
        return VerifyResult(verified, verified + 1, "head does not match the last event")
    return VerifyResult(verified)
