"""Fixtures of the notification tests: a real SMTP server on loopback (aiosmtpd), people, events, workers."""

from __future__ import annotations

import email
import socket
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.message import EmailMessage
from email.policy import default as default_policy
from typing import Any

import httpx
import pytest
from aiosmtpd.controller import Controller
from sqlmodel import Session

from services.registry.notifications.mailer import SmtpConfig
from services.registry.notifications.worker import NotificationsWorker, WorkerConfig
from shared.auth.keys import create_key
from shared.auth.principal import Role
from shared.db import Database
from shared.eventlog import NewEvent, RecordedEvent, append
from tests.conftest import TEST_SECRET

REGISTRY_URL = "http://registry.test"
SITE_URL = "https://partecipa.example.it"
CONSENT = "email_notifications"


def free_port() -> int:
    """A TCP port nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class SmtpServer:
    """An SMTP server on 127.0.0.1 that keeps every message it accepted; can be stopped and started again."""

    port: int = field(default_factory=free_port)
    received: list[EmailMessage] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    controller: Controller | None = None

    async def handle_DATA(self, _server: Any, _session: Any, envelope: Any) -> str:
        parsed = email.message_from_bytes(
            envelope.original_content or envelope.content, policy=default_policy
        )
        assert isinstance(parsed, EmailMessage)
        with self.lock:
            self.received.append(parsed)
        return "250 Message accepted"

    def start(self) -> SmtpServer:
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self.controller.start()
        return self

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    @property
    def messages(self) -> list[EmailMessage]:
        with self.lock:
            return list(self.received)

    def to(self, address: str) -> list[EmailMessage]:
        """Messages addressed to ``address``."""
        return [m for m in self.messages if address in str(m["To"])]

    @property
    def config(self) -> SmtpConfig:
        return SmtpConfig(host="127.0.0.1", port=self.port, tls="none", timeout_seconds=5, sender=SENDER)


SENDER = "Community Lab <notifiche@communitylab.example>"


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    server = SmtpServer().start()
    yield server
    server.stop()


def body_text(message: EmailMessage) -> str:
    """The plain-text part of a message."""
    part = message.get_body(preferencelist=("plain",))
    assert part is not None
    return str(part.get_content())


def html_text(message: EmailMessage) -> str:
    """The HTML part of a message."""
    part = message.get_body(preferencelist=("html",))
    assert part is not None
    return str(part.get_content())


def worker_config(smtp_config: SmtpConfig | None, **overrides: Any) -> WorkerConfig:
    """A worker configuration with short delays for tests."""
    values: dict[str, Any] = {
        "secret_key": TEST_SECRET,
        "registry_url": REGISTRY_URL,
        "base_url": SITE_URL,
        "smtp": smtp_config,
        "consent_purpose": CONSENT,
        "digest_hour": 8,
        "worker_id": f"test-{uuid.uuid4().hex[:8]}",
        "poll_seconds": 0.05,
        "lease_seconds": 30.0,
        "backoff_base_seconds": 0.05,
        "backoff_max_seconds": 0.2,
        "max_attempts": 50,
    }
    values.update(overrides)
    return WorkerConfig(**values)


@pytest.fixture
def make_worker(db: Database, smtp: SmtpServer) -> Callable[..., NotificationsWorker]:
    """Workers on the test transaction, sending to the test's SMTP server."""

    def factory(**overrides: Any) -> NotificationsWorker:
        return NotificationsWorker(db, worker_config(overrides.pop("smtp", smtp.config), **overrides))

    return factory


def drain(worker: NotificationsWorker, rounds: int = 5) -> None:
    """Run the worker until it has nothing left to do (bounded)."""
    for _ in range(rounds):
        if worker.run_once() == 0:
            return


def wait_for(condition: Callable[[], bool], timeout: float, what: str) -> None:
    """Poll ``condition`` until it holds; fail naming ``what`` after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


# --- people and events ---------------------------------------------------------------------------------


@dataclass
class Participant:
    """A registered person with an e-mail address and a key linked to them."""

    person_id: str
    email: str
    headers: dict[str, str]


class People:
    """Creates districts, people, consents and person-linked keys through the registry API."""

    def __init__(self, database: Database, client: httpx.AsyncClient):
        self.database = database
        self.client = client
        self.admin = self.key(Role.REGIONAL_ADMIN)
        self.district_id: str | None = None

    def key(
        self, role: Role, person_id: str | None = None, districts: list[str] | None = None
    ) -> dict[str, str]:
        with self.database.transaction() as session:
            issued = create_key(
                session.connection(),
                secret=TEST_SECRET,
                role=role,
                person_id=person_id,
                district_ids=districts,
                label="notifications",
            )
        return {"Authorization": f"Bearer {issued.key}"}

    async def district(self) -> str:
        if self.district_id is None:
            response = await self.client.post(
                "/districts", json={"name": f"Distretto {uuid.uuid4().hex[:8]}"}, headers=self.admin
            )
            assert response.status_code == 201, response.text
            self.district_id = str(response.json()["id"])
        return self.district_id

    async def person(self, given_name: str = "Giulia", *, consent: bool = True) -> Participant:
        address = f"{given_name.lower()}.{uuid.uuid4().hex[:8]}@example.org"
        response = await self.client.post(
            "/people",
            json={
                "given_name": given_name,
                "family_name": "Bianchi",
                "email": address,
                "actor_category": "citizen",
                "district_ids": [await self.district()],
            },
            headers=self.admin,
        )
        assert response.status_code == 201, response.text
        person_id = str(response.json()["id"])
        if consent:
            await self.consent(person_id)
        return Participant(person_id, address, self.key(Role.INTEGRATION, person_id))

    async def consent(self, person_id: str) -> str:
        response = await self.client.post(
            f"/people/{person_id}/consents", json={"purpose": CONSENT}, headers=self.admin
        )
        assert response.status_code == 201, response.text
        return str(response.json()["id"])


def emit(
    session: Session, event_type: str, stream_id: str, filed_under: str | None = None, **payload: Any
) -> RecordedEvent:
    """Append one event as the producing service would."""
    stream_type = event_type.split(".")[0]
    (recorded,) = append(
        session,
        stream_type=stream_type,
        stream_id=stream_id,
        expected_version=None,
        events_to_append=[NewEvent(event_type, payload)],
        district_id=filed_under,
    )
    return recorded


class Workshop:
    """Emits the workshops events of one process (the contract of the proposals branch)."""

    def __init__(self, database: Database, district_id: str, title: str = "Anziani al centro"):
        self.database = database
        self.district_id = district_id
        self.process_id = str(uuid.uuid4())
        with database.transaction() as session:
            emit(
                session,
                "process.created",
                self.process_id,
                district_id,
                process_id=self.process_id,
                district_id=district_id,
                title=title,
            )

    def _emit(self, event_type: str, stream_id: str, **payload: Any) -> RecordedEvent:
        with self.database.transaction() as session:
            return emit(session, event_type, stream_id, self.district_id, **payload)

    def open_phase(self, name: str = "Raccolta delle proposte", **extra: Any) -> str:
        phase_id = str(uuid.uuid4())
        self._emit(
            "process.phase_added",
            self.process_id,
            process_id=self.process_id,
            district_id=self.district_id,
            phase_id=phase_id,
            name=name,
            starts_on="2027-03-01",
            ends_on="2027-04-30",
            is_current=True,
            position=1,
            **extra,
        )
        return phase_id

    def propose(self, author_id: str, title: str = "Più panchine nei parchi") -> str:
        proposal_id = str(uuid.uuid4())
        self._emit(
            "proposal.created",
            proposal_id,
            proposal_id=proposal_id,
            process_id=self.process_id,
            district_id=self.district_id,
            phase_id=str(uuid.uuid4()),
            author_id=author_id,
            title=title,
        )
        return proposal_id

    def comment(self, proposal_id: str, author_id: str, parent_id: str | None = None) -> RecordedEvent:
        comment_id = str(uuid.uuid4())
        return self._emit(
            "comment.created",
            comment_id,
            comment_id=comment_id,
            proposal_id=proposal_id,
            process_id=self.process_id,
            district_id=self.district_id,
            parent_id=parent_id,
            author_id=author_id,
        )

    def answer(
        self, proposal_id: str, state: str = "accolta", category: str = "accepted", text: str = ""
    ) -> RecordedEvent:
        return self._emit(
            "proposal.answered",
            proposal_id,
            proposal_id=proposal_id,
            process_id=self.process_id,
            answer_state=state,
            answer_category=category,
            text=text or "La proposta entra nel piano di zona 2027.",
        )

    def promote(self, proposal_id: str) -> RecordedEvent:
        return self._emit(
            "proposal.promoted",
            proposal_id,
            proposal_id=proposal_id,
            process_id=self.process_id,
            priority_id=str(uuid.uuid4()),
        )


def rome(year: int, month: int, day: int, hour: int) -> datetime:
    """A moment given in Rome's wall-clock time, as UTC."""
    from zoneinfo import ZoneInfo

    return datetime(year, month, day, hour, tzinfo=ZoneInfo("Europe/Rome")).astimezone(UTC)
