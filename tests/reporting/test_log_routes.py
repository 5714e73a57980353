"""The public audit routes: an anonymous auditor lists checkpoints, fetches keys and verifies proofs with them."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import Connection, select, text, update
from sqlmodel import Session

from services.reporting.app import create_app
from shared.config import Settings
from shared.eventlog import NewEvent, append
from shared.eventlog.checkpoints import (
    Checkpoint,
    InclusionProof,
    check_consistency,
    check_inclusion,
    checkpoint_log,
    verify_checkpoint,
)
from shared.eventlog.signing import Keyring, generate_private_pem, load_signing_key, public_pem
from shared.eventlog.sources import load_keys
from shared.eventlog.store import compute_hash
from shared.eventlog.tables import events, head
from tests.conftest import TestDatabase

pytestmark = pytest.mark.anyio


@pytest.fixture
def key_files(tmp_path: Path) -> tuple[Path, Path, Ed25519PrivateKey, Ed25519PrivateKey]:
    """A current signing key, and a retired key whose public half is still published."""
    current_file = tmp_path / "signing.pem"
    current_file.write_bytes(generate_private_pem())
    retired = Ed25519PrivateKey.generate()
    public_file = tmp_path / "public.pem"
    public_file.write_text(public_pem(retired.public_key()))
    return current_file, public_file, load_signing_key(current_file), retired


@pytest.fixture
async def client(
    settings: Settings, db: TestDatabase, key_files: tuple[Path, Path, Ed25519PrivateKey, Ed25519PrivateKey]
) -> AsyncIterator[httpx.AsyncClient]:
    configured = settings.model_copy(
        update={"log_signing_key_file": str(key_files[0]), "log_public_keys_file": str(key_files[1])}
    )
    app = create_app(settings=configured, database=db, run_projections=False)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://reporting.test"
    ) as c:
        yield c


def _fill(session: Session, count: int) -> None:
    append(
        session,
        stream_type="workshop",
        stream_id=str(uuid.uuid4()),
        expected_version=None,
        events_to_append=[NewEvent("workshop.noted", {"n": i}) for i in range(count)],
    )
    session.flush()


def _sign(connection: Connection, key: Ed25519PrivateKey) -> Checkpoint:
    return checkpoint_log(connection, key, Keyring(current=key.public_key())).checkpoint


async def test_an_auditor_checks_checkpoints_keys_and_proofs_anonymously(
    client: httpx.AsyncClient,
    session: Session,
    connection: Connection,
    key_files: tuple[Path, Path, Ed25519PrivateKey, Ed25519PrivateKey],
    tmp_path: Path,
) -> None:
    _, _, key, retired = key_files
    assert (await client.get("/log/checkpoints/latest")).status_code == 404
    _fill(session, 3)
    old_by_retired = _sign(connection, retired)
    _fill(session, 2)
    first = _sign(connection, key)
    _fill(session, 6)
    second = _sign(connection, key)

    keys = await client.get("/log/keys")
    assert keys.status_code == 200
    published = keys.json()["keys"]
    assert [k["current"] for k in published] == [True, False]
    (tmp_path / "keys.json").write_text(keys.text)
    keyring = Keyring(load_keys(str(tmp_path / "keys.json")))
    assert {k["key_id"] for k in published} == {first.key_id, old_by_retired.key_id}

    page = await client.get("/log/checkpoints", params={"limit": 2})
    assert page.status_code == 200 and page.headers["link"].endswith('; rel="next"')
    rest = await client.get("/log/checkpoints", params={"limit": 2, "cursor": page.json()["next_cursor"]})
    listed = [Checkpoint.from_json(c) for c in page.json()["items"] + rest.json()["items"]]
    assert listed == [old_by_retired, first, second] and rest.json()["next_cursor"] is None
    for checkpoint in listed:
        verify_checkpoint(checkpoint, keyring)  # the retired key's checkpoint still verifies
    latest = Checkpoint.from_json((await client.get("/log/checkpoints/latest")).json())
    assert latest == second

    for position in (1, first.position, second.position):
        body = (await client.get("/log/proofs/inclusion", params={"position": position})).json()
        assert Checkpoint.from_json(body["checkpoint"]) == second
        proof = InclusionProof(
            position, body["event_hash"], body["leaf_hash"], body["tree_size"], body["audit_path"]
        )
        assert check_inclusion(second, proof), position
    against_first = await client.get(
        "/log/proofs/inclusion", params={"position": 2, "checkpoint": first.position}
    )
    assert against_first.json()["tree_size"] == first.position

    for old in (old_by_retired, first):
        body = (await client.get("/log/proofs/consistency", params={"from": old.position})).json()
        assert body["from"] == old.position and body["to"] == second.position
        assert check_consistency(old, second, body["proof"])
        explicit = await client.get(
            "/log/proofs/consistency", params={"from": old.position, "to": second.position}
        )
        assert explicit.json()["proof"] == body["proof"]


async def test_proofs_expose_a_rewritten_event(
    client: httpx.AsyncClient,
    session: Session,
    connection: Connection,
    dialect: str,
    key_files: tuple[Path, Path, Ed25519PrivateKey, Ed25519PrivateKey],
) -> None:
    key = key_files[2]
    _fill(session, 4)
    old = _sign(connection, key)
    if dialect == "postgresql":
        connection.execute(text("ALTER TABLE eventlog.events DISABLE TRIGGER events_append_only"))
    else:
        connection.execute(text("DROP TRIGGER events_no_update"))
    # Rewrite the last covered event with a recomputed hash and move the head: the chain still links.
    row = dict(connection.execute(select(events).where(events.c.position == old.position)).one()._mapping)
    row["payload"] = {"n": 1000}
    row["hash"] = compute_hash(row)
    connection.execute(
        update(events)
        .where(events.c.position == old.position)
        .values(payload=row["payload"], hash=row["hash"])
    )
    connection.execute(update(head).where(head.c.id == 1).values(hash=row["hash"]))
    body = (await client.get("/log/proofs/inclusion", params={"position": old.position})).json()
    proof = InclusionProof(
        old.position, body["event_hash"], body["leaf_hash"], body["tree_size"], body["audit_path"]
    )
    assert not check_inclusion(old, proof)


async def test_bad_proof_requests_are_problems_not_500s(
    client: httpx.AsyncClient,
    session: Session,
    connection: Connection,
    key_files: tuple[Path, Path, Ed25519PrivateKey, Ed25519PrivateKey],
) -> None:
    assert (await client.get("/log/proofs/inclusion", params={"position": 1})).status_code == 404
    _fill(session, 2)
    checkpoint = _sign(connection, key_files[2])
    beyond = await client.get("/log/proofs/inclusion", params={"position": checkpoint.position + 1})
    assert beyond.status_code == 422 and beyond.json()["errors"][0]["path"] == "query.position"
    unknown = await client.get("/log/proofs/inclusion", params={"position": 1, "checkpoint": 10**9})
    assert unknown.status_code == 404
    assert unknown.headers["content-type"] == "application/problem+json"
    backwards = await client.get("/log/proofs/consistency", params={"from": checkpoint.position + 1})
    assert backwards.status_code == 422 and backwards.json()["errors"][0]["path"] == "query.from"
    assert (await client.get("/log/proofs/consistency")).status_code == 422
    bad_cursor = await client.get("/log/checkpoints", params={"cursor": "WyJ4IiwgMV0"})
    assert bad_cursor.status_code == 422


async def test_checkpoints_are_in_the_open_data_package(
    client: httpx.AsyncClient,
    session: Session,
    connection: Connection,
    key_files: tuple[Path, Path, Ed25519PrivateKey, Ed25519PrivateKey],
) -> None:
    _fill(session, 2)
    checkpoint = _sign(connection, key_files[2])
    package = (await client.get("/opendata/datapackage.json")).json()
    assert "log_checkpoints" in [r["name"] for r in package["resources"]]
    rows = (await client.get("/opendata/log_checkpoints.json")).json()
    published = {k: v for k, v in rows[-1].items() if k != "id"}
    assert Checkpoint.from_json(published) == checkpoint
    assert json.loads(json.dumps(published)) == checkpoint.to_json()
    csv = (await client.get("/opendata/log_checkpoints.csv")).text
    assert checkpoint.signature in csv
