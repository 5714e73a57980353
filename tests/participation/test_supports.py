"""Supports: one per person, withdrawable while the phase is open, counts exact under concurrent supporters."""

from __future__ import annotations

import threading
import uuid
from datetime import timedelta

import pytest
from sqlalchemy import Engine
from sqlmodel import Session

from services.workshops.participation import queries
from services.workshops.participation import service as participation
from services.workshops.participation.models import Proposal
from services.workshops.participation.schemas import ProposalCreate
from services.workshops.processes.identity import service as identity_service
from services.workshops.processes.identity.schemas import PhaseCreate, ProcessCreate
from services.workshops.processes.models import ProcessPhase
from shared.clients.registry import DistrictRef
from shared.db import Database
from shared.errors import ConflictError
from shared.eventlog import read_stream
from tests.participation.conftest import Place, open_phase, today
from tests.workshops_processes.conftest import InMemoryRegistry

SUPPORTERS = 24


@pytest.mark.anyio
async def test_one_support_per_person_withdrawable_while_the_phase_is_open(
    place: Place, session: Session
) -> None:
    process = await place.process()
    anna, bruno = await place.citizen(), await place.citizen("Bruno")
    proposal = await place.propose(process, anna)
    url = f"/proposals/{proposal['id']}/support"
    assert (await place.workshops.post(url)).status_code == 401
    first = await place.workshops.post(url, headers=bruno.headers)
    assert first.status_code == 200 and first.json() == {
        "proposal_id": proposal["id"],
        "supported": True,
        "support_count": 1,
    }
    assert (await place.workshops.post(url, headers=bruno.headers)).status_code == 409
    seen = (await place.workshops.get(f"/proposals/{proposal['id']}", headers=bruno.headers)).json()
    assert seen["supported"] is True and seen["support_count"] == 1
    withdrawn = await place.workshops.delete(url, headers=bruno.headers)
    assert withdrawn.status_code == 200 and withdrawn.json()["support_count"] == 0
    assert (await place.workshops.delete(url, headers=bruno.headers)).status_code == 404
    await place.workshops.post(url, headers=bruno.headers)

    # The phase closes: supports can no longer change either way.
    phase = session.get(ProcessPhase, uuid.UUID(proposal["phase_id"]))
    assert phase is not None
    phase_url = f"/processes/{process}/phases/{phase.id}"
    closed = await place.workshops.patch(
        phase_url, json={"ends_on": (today() - timedelta(days=1)).isoformat()}, headers=place.editor
    )
    assert closed.status_code == 200, closed.text
    assert (await place.workshops.post(url, headers=anna.headers)).status_code == 409
    assert (await place.workshops.delete(url, headers=bruno.headers)).status_code == 409
    assert (await place.workshops.get(f"/proposals/{proposal['id']}")).json()["support_count"] == 1
    types = [e.type for e in read_stream(session, "proposal", proposal["id"])]
    assert types == [
        "proposal.created",
        "proposal.supported",
        "proposal.support_withdrawn",
        "proposal.supported",
    ]


def test_concurrent_supporters_are_counted_exactly(committing_engine: Engine) -> None:
    """Many committed transactions support one proposal at once (some twice, some withdrawing)."""
    database = Database(committing_engine)
    registry = InMemoryRegistry()
    district_id = uuid.uuid4()
    registry.districts[str(district_id)] = DistrictRef(id=str(district_id), name="Concorrenza")
    with database.transaction() as session:
        process = identity_service.create_process(
            session=session,
            registry=registry,
            data=ProcessCreate(
                district_id=district_id,
                title="Molti sostenitori",
                status="active",  # type: ignore[arg-type]
                phases=[PhaseCreate.model_validate(open_phase())],
            ),
        )
        proposal = participation.create_proposal(
            session=session,
            process_id=process.id,
            person_id=str(uuid.uuid4()),
            data=ProposalCreate(title="Un pulmino", theme="reti_vive"),
        )
        proposal_id = proposal.id
    people = [str(uuid.uuid4()) for _ in range(SUPPORTERS)]
    # Every person supports once; the first four try a second time; the last four withdraw again.
    attempts = [(p, "support") for p in people] + [(p, "support") for p in people[:4]]
    barrier = threading.Barrier(len(attempts))
    outcomes: list[str] = []
    lock = threading.Lock()

    def act(person_id: str, action: str) -> None:
        barrier.wait()
        try:
            with database.transaction() as session:
                participation.support(session=session, proposal_id=proposal_id, person_id=person_id)
            result = "supported"
        except ConflictError:
            result = "duplicate"
        except Exception as exc:  # pragma: no cover - shown in the assertion
            result = f"error: {exc!r}"
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=act, args=a) for a in attempts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert sorted(outcomes) == ["duplicate"] * 4 + ["supported"] * SUPPORTERS, outcomes

    withdrawers = people[-4:]
    barrier2 = threading.Barrier(len(withdrawers))
    errors: list[BaseException] = []

    def withdraw(person_id: str) -> None:
        barrier2.wait()
        try:
            with database.transaction() as session:
                participation.withdraw_support(session=session, proposal_id=proposal_id, person_id=person_id)
        except BaseException as exc:  # pragma: no cover - shown in the assertion
            errors.append(exc)

    threads = [threading.Thread(target=withdraw, args=(p,)) for p in withdrawers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    with database.session(write=False) as session:
        row = session.get(Proposal, proposal_id)
        assert row is not None
        assert row.support_count == queries.count_supports(session, proposal_id) == SUPPORTERS - 4
        stream = read_stream(session, "proposal", str(proposal_id))
        assert row.version == len(stream) == 1 + SUPPORTERS + 4
        # Each event carries the count after it: the last says the final count.
        assert stream[-1].payload["support_count"] == SUPPORTERS - 4
        counts = [e.payload["support_count"] for e in stream if e.type == "proposal.supported"]
        assert sorted(counts) == list(range(1, SUPPORTERS + 1))
