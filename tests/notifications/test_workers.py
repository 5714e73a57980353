"""Two workers on committed data, SMTP down then up: every notification is mailed exactly once, after retries."""

from __future__ import annotations

import threading
import uuid
from collections import Counter
from collections.abc import Iterator

import httpx
import pytest
from sqlalchemy import Engine
from sqlmodel import select

from services.registry.app import create_app
from services.registry.notifications.models import MailStatus, NotificationMail
from services.registry.notifications.worker import NotificationsWorker
from shared.config import Settings
from shared.db import Database
from tests.notifications.conftest import People, SmtpServer, Workshop, wait_for, worker_config

pytestmark = pytest.mark.anyio


@pytest.fixture
def committed(committing_engine: Engine) -> Iterator[Database]:
    # Its own database: the committed district would otherwise be counted by later reporting tests.
    yield Database(committing_engine)


async def test_smtp_down_then_up_is_retried_and_two_workers_send_each_mail_once(
    committed: Database, settings: Settings
) -> None:
    app = create_app(settings=settings, database=committed)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://registry.test"
    ) as client:
        people = People(committed, client)
        authors = [await people.person(f"Autore{n}") for n in range(4)]
    assert people.district_id
    workshop = Workshop(committed, people.district_id)
    proposals = [workshop.propose(a.person_id, title=f"Proposta {n}") for n, a in enumerate(authors)]
    for proposal_id in proposals:
        workshop.answer(proposal_id)
        workshop.promote(proposal_id)
    expected = 2 * len(proposals)
    person_ids = [uuid.UUID(a.person_id) for a in authors]

    server = SmtpServer()  # its port is reserved but nothing listens yet: the SMTP server is down
    workers = [
        NotificationsWorker(committed, worker_config(server.config, worker_id=name, lease_seconds=5))
        for name in ("worker-a", "worker-b")
    ]
    threads = [threading.Thread(target=w.run_forever, daemon=True) for w in workers]
    for thread in threads:
        thread.start()

    def mails() -> list[NotificationMail]:
        with committed.session(write=False) as session:
            rows = session.exec(
                select(NotificationMail).where(NotificationMail.person_id.in_(person_ids))
            ).all()  # type: ignore[attr-defined]
            session.expunge_all()
            return list(rows)

    try:
        wait_for(
            lambda: len(mails()) == expected and all(m.attempts >= 2 for m in mails()), 60, "failed attempts"
        )
        assert all(m.status == MailStatus.PENDING.value and m.last_error for m in mails())
        server.start()
        wait_for(lambda: all(m.status == MailStatus.SENT.value for m in mails()), 60, "every mail sent")
        wait_for(lambda: len(server.messages) >= expected, 10, "every message received")
    finally:
        for worker in workers:
            worker.stop()
        for thread in threads:
            thread.join(timeout=10)
        server.stop()

    received = [m for m in server.messages if any(a.email in str(m["To"]) for a in authors)]
    assert len(received) == expected, "each notification mailed exactly once"
    assert max(Counter(str(m["Message-ID"]) for m in received).values()) == 1
    for author in authors:
        subjects = sorted(str(m["Subject"]) for m in received if author.email in str(m["To"]))
        assert len(subjects) == 2 and subjects[0].startswith("La proposta «Proposta")
        assert subjects[1].startswith("Risposta alla proposta «Proposta")
    assert {m.sent_by for m in mails()} <= {"worker-a", "worker-b"}
