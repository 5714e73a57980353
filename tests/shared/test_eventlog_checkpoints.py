"""Signed checkpoints catch what the hash chain alone cannot: a forged tail, a truncated tail, a rewritten event.

Each tampering test first shows that the chain still verifies after the tampering (the attacker recomputed
the hashes and moved the head), then that the checkpoint signed before it exposes it.
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import Connection, select, text, update
from sqlmodel import Session

from shared.db import utcnow
from shared.eventlog import NewEvent, append, last_position, verify_chain
from shared.eventlog.checkpoints import (
    Checkpoint,
    CheckpointError,
    LogTamperedError,
    check_consistency,
    check_inclusion,
    checkpoint_log,
    consistency_proof,
    inclusion_proof,
    iter_stored,
    latest_checkpoint,
    sign_checkpoint,
    verify_checkpoint,
)
from shared.eventlog.signing import Keyring
from shared.eventlog.store import compute_hash
from shared.eventlog.tables import events, head
from shared.eventlog.verify import LogState


@pytest.fixture
def key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.generate()


@pytest.fixture
def keyring(key: Ed25519PrivateKey) -> Keyring:
    return Keyring(current=key.public_key())


def _fill(session: Session, count: int) -> list[int]:
    recorded = append(
        session,
        stream_type="priority",
        stream_id=str(uuid.uuid4()),
        expected_version=None,
        events_to_append=[NewEvent("priority.noted", {"n": i}) for i in range(count)],
    )
    session.flush()
    return [e.position for e in recorded]


def _allow_tampering(connection: Connection, dialect: str) -> None:
    """Only someone with direct database access can do this; the test plays that person."""
    if dialect == "postgresql":
        connection.execute(text("ALTER TABLE eventlog.events DISABLE TRIGGER events_append_only"))
    else:
        connection.execute(text("DROP TRIGGER events_no_update"))
        connection.execute(text("DROP TRIGGER events_no_delete"))


def _row(connection: Connection, position: int) -> dict[str, Any]:
    return dict(connection.execute(select(events).where(events.c.position == position)).one()._mapping)


def _move_head(connection: Connection, position: int) -> None:
    last_hash = _row(connection, position)["hash"]
    connection.execute(update(head).where(head.c.id == 1).values(position=position, hash=last_hash))


def _rewrite_from(connection: Connection, position: int, payload: dict[str, Any], last: int) -> None:
    """Change one event's payload and recompute every hash from there on, as a careful attacker would."""
    prev_hash = _row(connection, position)["prev_hash"]
    for current in range(position, last + 1):
        row = _row(connection, current)
        if current == position:
            row["payload"] = payload
        row["prev_hash"] = prev_hash
        row["hash"] = compute_hash(row)
        connection.execute(
            update(events)
            .where(events.c.position == current)
            .values(payload=row["payload"], prev_hash=row["prev_hash"], hash=row["hash"])
        )
        prev_hash = row["hash"]
    _move_head(connection, last)


def test_a_valid_log_verifies_against_its_checkpoints(
    session: Session, connection: Connection, key: Ed25519PrivateKey, keyring: Keyring
) -> None:
    _fill(session, 5)
    first = checkpoint_log(connection, key, keyring)
    assert first.created and first.checkpoint.position == last_position(session)
    again = checkpoint_log(connection, key, keyring)
    assert not again.created and again.checkpoint == first.checkpoint
    _fill(session, 3)
    second = checkpoint_log(connection, key, keyring).checkpoint
    assert second.position == first.checkpoint.position + 3
    stored = list(iter_stored(connection))
    assert stored[-2:] == [first.checkpoint, second]
    for checkpoint in stored:
        verify_checkpoint(checkpoint, keyring)
    result = verify_chain(connection, checkpoints=stored)
    assert result.ok and result.checkpoints_checked == len(stored)
    assert result.root_hash == second.root_hash and result.head_hash == second.head_hash


def test_forged_tail_with_recomputed_hash_and_head_rewind_is_detected(
    session: Session, connection: Connection, dialect: str, key: Ed25519PrivateKey, keyring: Keyring
) -> None:
    positions = _fill(session, 4)
    checkpoint = checkpoint_log(connection, key, keyring).checkpoint
    last = positions[-1]
    _allow_tampering(connection, dialect)
    forged = _row(connection, last)
    connection.execute(events.delete().where(events.c.position == last))
    forged.update(event_id=uuid.uuid4(), type="priority.approved", payload={"forged": True})
    forged["hash"] = compute_hash(forged)
    connection.execute(events.insert().values(**forged))
    _move_head(connection, last)
    assert verify_chain(connection).ok, "the chain alone cannot see a forged tail"
    result = verify_chain(connection, checkpoints=[checkpoint])
    assert not result.ok and result.broken_position == last
    assert "rewritten or replaced" in (result.reason or "")


def test_truncated_tail_is_detected(
    session: Session, connection: Connection, dialect: str, key: Ed25519PrivateKey, keyring: Keyring
) -> None:
    positions = _fill(session, 5)
    checkpoint = checkpoint_log(connection, key, keyring).checkpoint
    _allow_tampering(connection, dialect)
    connection.execute(events.delete().where(events.c.position > positions[2]))
    _move_head(connection, positions[2])
    assert verify_chain(connection).ok, "the chain alone cannot see a truncated tail"
    result = verify_chain(connection, checkpoints=[checkpoint])
    assert not result.ok and result.broken_position == positions[2] + 1
    assert "truncated" in (result.reason or "")


def test_rewritten_event_is_detected_even_by_an_older_checkpoint(
    session: Session, connection: Connection, dialect: str, key: Ed25519PrivateKey, keyring: Keyring
) -> None:
    positions = _fill(session, 3)
    older = checkpoint_log(connection, key, keyring).checkpoint
    positions += _fill(session, 3)
    newer = checkpoint_log(connection, key, keyring).checkpoint
    _allow_tampering(connection, dialect)
    _rewrite_from(connection, positions[1], {"n": 99}, positions[-1])
    assert verify_chain(connection).ok, "the chain alone cannot see a rewrite with recomputed hashes"
    for checkpoint in (older, newer):
        result = verify_chain(connection, checkpoints=[checkpoint])
        assert not result.ok and result.broken_position == checkpoint.position
    with pytest.raises(LogTamperedError):
        checkpoint_log(connection, key, keyring)


def test_a_checkpoint_signed_with_another_key_is_refused(
    session: Session, connection: Connection, key: Ed25519PrivateKey, keyring: Keyring
) -> None:
    _fill(session, 2)
    genuine = checkpoint_log(connection, key, keyring).checkpoint
    intruder = Ed25519PrivateKey.generate()
    forged = sign_checkpoint(
        intruder,
        position=genuine.position,
        head_hash=genuine.head_hash,
        root_hash="ab" * 32,
        timestamp=utcnow(),
    )
    with pytest.raises(CheckpointError, match="not among the trusted"):
        verify_checkpoint(forged, keyring)
    # The intruder's signature under the genuine key id does not verify either.
    impersonating = Checkpoint(**{**forged.__dict__, "key_id": genuine.key_id})
    with pytest.raises(CheckpointError, match="does not verify"):
        verify_checkpoint(impersonating, keyring)
    altered = Checkpoint(**{**genuine.__dict__, "position": genuine.position + 1})
    with pytest.raises(CheckpointError, match="does not verify"):
        verify_checkpoint(altered, keyring)
    verify_checkpoint(Checkpoint.from_json(genuine.to_json()), keyring)


def test_inclusion_proof_verifies_for_a_real_event_and_fails_once_it_is_tampered(
    session: Session, connection: Connection, dialect: str, key: Ed25519PrivateKey, keyring: Keyring
) -> None:
    positions = _fill(session, 7)
    checkpoint = checkpoint_log(connection, key, keyring).checkpoint
    for position in positions:
        proof = inclusion_proof(connection, position=position, tree_size=checkpoint.position)
        assert check_inclusion(checkpoint, proof), position
    target = positions[2]
    _allow_tampering(connection, dialect)
    _rewrite_from(connection, target, {"n": -1}, positions[-1])
    tampered = inclusion_proof(connection, position=target, tree_size=checkpoint.position)
    assert not check_inclusion(checkpoint, tampered)
    with pytest.raises(CheckpointError):
        inclusion_proof(connection, position=checkpoint.position + 1, tree_size=checkpoint.position)


def test_consistency_proof_between_two_checkpoints_verifies(
    session: Session, connection: Connection, key: Ed25519PrivateKey, keyring: Keyring
) -> None:
    _fill(session, 3)
    old = checkpoint_log(connection, key, keyring).checkpoint
    _fill(session, 6)
    new = checkpoint_log(connection, key, keyring).checkpoint
    proof = consistency_proof(connection, old_size=old.position, new_size=new.position)
    assert check_consistency(old, new, proof)
    unrelated = sign_checkpoint(
        key, position=old.position, head_hash=old.head_hash, root_hash="cd" * 32, timestamp=utcnow()
    )
    assert not check_consistency(unrelated, new, proof)
    assert check_consistency(new, new, [])


def test_a_worker_resuming_from_its_state_signs_the_same_root_as_a_full_walk(
    session: Session, connection: Connection, key: Ed25519PrivateKey, keyring: Keyring
) -> None:
    state = LogState()
    _fill(session, 4)
    checkpoint_log(connection, key, keyring, state=state)
    _fill(session, 5)
    later = utcnow() + timedelta(seconds=5)
    resumed = checkpoint_log(connection, key, keyring, state=state, now=later).checkpoint
    assert state.position == resumed.position == last_position(session)
    full = verify_chain(connection)
    assert full.root_hash == resumed.root_hash and latest_checkpoint(connection) == resumed
