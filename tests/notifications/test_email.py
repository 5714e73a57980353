"""Notification e-mails through a real SMTP server on loopback: Italian texts, one-click unsubscribe,
consent, the daily digest."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlmodel import Session, select

from services.registry.notifications.models import EmailState, MailStatus, Notification, NotificationMail
from tests.conftest import TestDatabase
from tests.notifications.conftest import (
    REGISTRY_URL,
    SITE_URL,
    People,
    SmtpServer,
    Workshop,
    body_text,
    drain,
    html_text,
    rome,
)

pytestmark = pytest.mark.anyio


@pytest.fixture
def people(db: TestDatabase, registry_client: httpx.AsyncClient) -> People:
    return People(db, registry_client)


def _states(session: Session, person_id: str) -> list[tuple[str, str | None]]:
    rows = session.exec(
        select(Notification)
        .where(Notification.person_id == uuid.UUID(person_id))
        .order_by(Notification.created_at)
    ).all()
    return [(r.email_state, r.email_skip_reason) for r in rows]


async def test_an_answer_is_mailed_in_italian_with_one_click_unsubscribe_headers(
    people: People, db: TestDatabase, make_worker: Any, smtp: SmtpServer
) -> None:
    author = await people.person("Giulia")
    workshop = Workshop(db, await people.district())
    proposal_id = workshop.propose(author.person_id, title="Più panchine nei parchi")
    workshop.answer(proposal_id, state="accolta", text="La proposta entra nel piano di zona 2027 & oltre.")
    drain(make_worker())

    (message,) = smtp.to(author.email)
    assert message["Subject"] == "Risposta alla proposta «Più panchine nei parchi»"
    assert message["From"] == "Community Lab <notifiche@communitylab.example>"
    assert "Giulia" in str(message["To"])
    text = body_text(message)
    assert "Gentile Giulia," in text
    assert "L'Ufficio di Piano ha risposto alla proposta «Più panchine nei parchi»: accolta." in text
    assert "Risposta: La proposta entra nel piano di zona 2027 & oltre." in text
    assert f"{SITE_URL}/processes/{workshop.process_id}/proposals/{proposal_id}" in text
    assert "&amp;" in html_text(message), "the HTML part escapes the answer's text"
    unsubscribe = str(message["List-Unsubscribe"])
    assert unsubscribe.startswith(f"<{REGISTRY_URL}/notifications/unsubscribe/") and unsubscribe.endswith(">")
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert unsubscribe.strip("<>") in text, "the body carries the same link"


async def test_one_click_unsubscribe_needs_no_login_and_stops_further_mail(
    people: People,
    db: TestDatabase,
    make_worker: Any,
    smtp: SmtpServer,
    registry_client: httpx.AsyncClient,
    session: Session,
) -> None:
    author = await people.person("Giulia")
    workshop = Workshop(db, await people.district())
    proposal_id = workshop.propose(author.person_id)
    workshop.answer(proposal_id)
    worker = make_worker()
    drain(worker)
    (message,) = smtp.to(author.email)
    url = str(message["List-Unsubscribe"]).strip("<>")
    path = url.removeprefix(REGISTRY_URL)

    page = await registry_client.get(path)
    assert page.status_code == 200 and 'method="post"' in page.text
    settings = await registry_client.get("/me/notification-settings", headers=author.headers)
    assert settings.json()["email_frequency"] == "immediate", "opening the page unsubscribes nobody"

    # What a mail client sends for RFC 8058: a form-encoded POST without any credential.
    clicked = await registry_client.post(
        path,
        content="List-Unsubscribe=One-Click",
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    assert clicked.status_code == 200, clicked.text
    assert clicked.json() == {"unsubscribed": True, "email_frequency": "off"}
    settings = await registry_client.get("/me/notification-settings", headers=author.headers)
    assert settings.json()["email_frequency"] == "off" and settings.json()["unsubscribed_at"]

    workshop.promote(proposal_id)
    drain(worker)
    assert len(smtp.to(author.email)) == 1, "no mail after unsubscribing"
    assert _states(session, author.person_id)[-1] == ("skipped", "unsubscribed")
    inbox = (await registry_client.get("/me/notifications", headers=author.headers)).json()["items"]
    assert inbox[0]["kind"] == "proposal_promoted", "in-app notifications go on"

    forged = path.rsplit(".", 1)[0] + ".AAAAAAAAAAAAAAAAAAAAAA"
    assert (await registry_client.post(forged)).status_code == 403
    other = f"/notifications/unsubscribe/{uuid.uuid4().hex}.{path.rsplit('.', 1)[1]}"
    assert (await registry_client.post(other)).status_code == 403, "a signature is bound to its person"
    # Choosing a frequency again re-subscribes.
    again = await registry_client.patch(
        "/me/notification-settings", json={"email_frequency": "immediate"}, headers=author.headers
    )
    assert again.status_code == 200 and again.json()["unsubscribed_at"] is None


async def test_no_mail_without_consent_or_after_it_is_withdrawn(
    people: People,
    db: TestDatabase,
    make_worker: Any,
    smtp: SmtpServer,
    registry_client: httpx.AsyncClient,
    session: Session,
) -> None:
    silent = await people.person("Marco", consent=False)
    consenting = await people.person("Giulia")
    workshop = Workshop(db, await people.district())
    mine = workshop.propose(silent.person_id, title="Senza consenso")
    theirs = workshop.propose(consenting.person_id, title="Con consenso")
    workshop.answer(mine)
    workshop.answer(theirs)
    worker = make_worker()
    drain(worker)
    assert smtp.to(silent.email) == []
    assert len(smtp.to(consenting.email)) == 1
    assert _states(session, silent.person_id) == [("skipped", "no_consent")]
    settings = (await registry_client.get("/me/notification-settings", headers=silent.headers)).json()
    assert settings["email_consent"] is False and settings["email_on_file"] is True

    consents = (await registry_client.get(f"/people/{consenting.person_id}", headers=people.admin)).json()
    (consent,) = consents["consents"]
    withdrawn = await registry_client.post(
        f"/people/{consenting.person_id}/consents/{consent['id']}/withdraw", json={}, headers=people.admin
    )
    assert withdrawn.status_code == 200
    workshop.promote(theirs)
    drain(worker)
    assert len(smtp.to(consenting.email)) == 1, "no mail once consent is withdrawn"
    assert _states(session, consenting.person_id)[-1] == ("skipped", "no_consent")


async def test_consent_withdrawn_after_the_mail_was_planned_cancels_it(
    people: People,
    db: TestDatabase,
    make_worker: Any,
    smtp: SmtpServer,
    registry_client: httpx.AsyncClient,
    session: Session,
) -> None:
    author = await people.person("Giulia")
    workshop = Workshop(db, await people.district())
    workshop.answer(workshop.propose(author.person_id))
    worker = make_worker()
    worker.consume_once()
    worker.plan_once()
    assert session.exec(
        select(NotificationMail).where(NotificationMail.person_id == uuid.UUID(author.person_id))
    ).one()
    consent = (await registry_client.get(f"/people/{author.person_id}", headers=people.admin)).json()[
        "consents"
    ][0]
    await registry_client.post(
        f"/people/{author.person_id}/consents/{consent['id']}/withdraw", json={}, headers=people.admin
    )
    worker.send_due()
    assert smtp.to(author.email) == []
    mail = session.exec(
        select(NotificationMail).where(NotificationMail.person_id == uuid.UUID(author.person_id))
    ).one()
    session.refresh(mail)
    assert mail.status == MailStatus.CANCELLED.value


async def test_daily_digest_batches_the_days_notifications_into_one_mail(
    people: People,
    db: TestDatabase,
    make_worker: Any,
    smtp: SmtpServer,
    registry_client: httpx.AsyncClient,
    session: Session,
) -> None:
    author = await people.person("Giulia")
    chosen = await registry_client.patch(
        "/me/notification-settings", json={"email_frequency": "daily"}, headers=author.headers
    )
    assert chosen.status_code == 200 and chosen.json()["email_frequency"] == "daily"
    workshop = Workshop(db, await people.district())
    proposal_id = workshop.propose(author.person_id, title="Più panchine nei parchi")
    commenter = await people.person("Marco")
    workshop.comment(proposal_id, commenter.person_id)
    workshop.answer(proposal_id)
    workshop.promote(proposal_id)

    now = {"value": rome(2027, 3, 2, 7)}  # before the digest hour (8 in Rome)
    worker = make_worker(clock=lambda: now["value"])
    drain(worker)
    assert smtp.to(author.email) == []
    assert {state for state, _ in _states(session, author.person_id)} == {EmailState.DIGEST.value}

    now["value"] = rome(2027, 3, 2, 8) + timedelta(minutes=1)
    drain(worker)
    (digest,) = smtp.to(author.email)
    assert digest["Subject"] == "Community Lab: il riepilogo di oggi (3 novità)"
    text = body_text(digest)
    assert "ecco le novità dei percorsi e delle proposte che segui" in text
    for line in (
        "Nuovo commento sulla tua proposta «Più panchine nei parchi».",
        "L'Ufficio di Piano ha risposto alla proposta «Più panchine nei parchi»: accolta.",
        "La proposta «Più panchine nei parchi» è diventata una priorità del piano di zona.",
    ):
        assert line in text
    assert digest["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert {state for state, _ in _states(session, author.person_id)} == {EmailState.SENT.value}

    # A later notification the same day waits for tomorrow's digest.
    workshop.comment(proposal_id, commenter.person_id)
    now["value"] = rome(2027, 3, 2, 20)
    drain(worker)
    assert len(smtp.to(author.email)) == 1
    now["value"] = rome(2027, 3, 3, 9)
    drain(worker)
    assert len(smtp.to(author.email)) == 2
    assert smtp.to(author.email)[1]["Subject"] == "Community Lab: il riepilogo di oggi (1 novità)"


async def test_malformed_unsubscribe_token_is_422_and_unknown_person_404(
    registry_client: httpx.AsyncClient,
) -> None:
    from services.registry.notifications.service import unsubscribe_token
    from tests.conftest import TEST_SECRET

    assert (await registry_client.post("/notifications/unsubscribe/" + "g" * 32 + ".abc")).status_code == 422
    nobody = unsubscribe_token(secret=TEST_SECRET, person_id=uuid.uuid4())
    assert (await registry_client.post(f"/notifications/unsubscribe/{nobody}")).status_code == 404
