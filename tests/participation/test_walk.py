"""Issue 21's "Done when": one process walked end to end against the real services (`communitylab up`: registry,
workshops, reporting with its consumer, the notifications worker) on a fresh database, SQLite or PostgreSQL.

An open phase takes proposals; many citizens support one at the same moment; a comment on it is flagged and
hidden by the district's editor; the Ufficio di Piano answers in the process's own states and promotes the
proposal to a priority, which the Comitato di Distretto validates. The e-mails are read back from a real SMTP
server on loopback (aiosmtpd); then the Diario, the dashboard, the timeline and the open data show the right
counts, and no anonymous read carries an author's id or name.
"""

from __future__ import annotations

import asyncio
import csv
import io
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from shared.auth.keys import create_key
from shared.auth.principal import Role
from shared.db import Database
from tests.demo.conftest import SECRET, LiveServices, fresh_database, running_services
from tests.notifications.conftest import SmtpServer, body_text
from tests.participation.conftest import open_phase

pytestmark = [pytest.mark.slow, pytest.mark.anyio]

SITE = "https://partecipa.example.it"
CONSENT = "email_notifications"
SUPPORTERS = 12
POPULATION = 40_000
STATES = [
    {"key": "accolta", "label": "Accolta", "category": "accepted"},
    {"key": "da_approfondire", "label": "Da approfondire", "category": "evaluating"},
    {"key": "non_praticabile", "label": "Non praticabile", "category": "rejected"},
]


@dataclass
class Walk:
    """The running services, the database their keys are stored in, and the SMTP server they mail to."""

    services: LiveServices
    database: Database
    smtp: SmtpServer

    def key(
        self, role: Role, *, person_id: str | None = None, districts: list[str] | None = None
    ) -> dict[str, str]:
        with self.database.transaction() as session:
            issued = create_key(
                session.connection(),
                secret=SECRET,
                role=role,
                person_id=person_id,
                district_ids=districts,
                label="walk",
            )
        return {"Authorization": f"Bearer {issued.key}"}


@pytest.fixture
def walk(tmp_path: Path) -> Iterator[Walk]:
    smtp = SmtpServer().start()
    try:
        with fresh_database(tmp_path) as url:
            database = Database.from_url(url)
            extra = {
                "COMMUNITYLAB_SMTP_HOST": "127.0.0.1",
                "COMMUNITYLAB_SMTP_PORT": str(smtp.port),
                "COMMUNITYLAB_SMTP_TLS": "none",
                "COMMUNITYLAB_SMTP_SENDER": "Community Lab <notifiche@communitylab.example>",
                "COMMUNITYLAB_NOTIFICATION_BASE_URL": SITE,
                "COMMUNITYLAB_NOTIFICATION_EMAIL_CONSENT_PURPOSE": CONSENT,
                "COMMUNITYLAB_NOTIFICATION_POLL_SECONDS": "0.2",
            }
            try:
                with running_services(url, tmp_path, extra) as services:
                    yield Walk(services, database, smtp)
            finally:
                database.dispose()
    finally:
        smtp.stop()


def ok(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, (response.request.method, str(response.request.url), response.text)
    return response.json()


def wait_for(what: str, check: Any, timeout: float = 60.0) -> Any:
    """Poll ``check`` until it returns something truthy."""
    deadline = time.monotonic() + timeout
    while True:
        found = check()
        if found:
            return found
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.2)


async def test_one_process_from_open_phase_to_validated_priority(walk: Walk) -> None:
    services = walk.services
    admin = walk.key(Role.REGIONAL_ADMIN)
    async with (
        httpx.AsyncClient(base_url=services.registry, timeout=60) as registry,
        httpx.AsyncClient(base_url=services.workshops, timeout=60) as workshops,
        httpx.AsyncClient(base_url=services.reporting, timeout=60) as reporting,
    ):
        # --- the district, its bodies and its people ------------------------------------------------------
        district = ok(
            await registry.post("/districts", json={"name": "Distretto del cammino"}, headers=admin), 201
        )
        district_id = district["id"]
        ok(
            await registry.put(
                f"/districts/{district_id}/population",
                json={"year": 2025, "population": POPULATION},
                headers=admin,
            )
        )
        bodies = {
            kind: ok(
                await registry.post(
                    "/bodies", json={"district_id": district_id, "kind": kind, "name": name}, headers=admin
                ),
                201,
            )["id"]
            for kind, name in (
                ("ufficio_di_piano", "Ufficio di Piano"),
                ("comitato_di_distretto", "Comitato di Distretto"),
            )
        }

        async def person(given: str, family: str, *, email: bool = False) -> tuple[str, dict[str, str], str]:
            address = f"{given.lower()}.{uuid.uuid4().hex[:6]}@example.org"
            body: dict[str, Any] = {
                "given_name": given,
                "family_name": family,
                "actor_category": "citizen",
                "district_ids": [district_id],
            }
            if email:
                body["email"] = address
            made = ok(await registry.post("/people", json=body, headers=admin), 201)
            if email:
                ok(
                    await registry.post(
                        f"/people/{made['id']}/consents", json={"purpose": CONSENT}, headers=admin
                    ),
                    201,
                )
            return made["id"], walk.key(Role.INTEGRATION, person_id=made["id"]), address

        giulia_id, giulia, giulia_mail = await person("Giulia", "Camminante", email=True)
        marco_id, marco, marco_mail = await person("Marco", "Sentieri", email=True)
        planner_id, planner, _ = await person("Paola", "Pianificatrice")
        comitato_id, _, _ = await person("Carlo", "Comitati")
        for body_id, member, role in (
            (bodies["ufficio_di_piano"], planner_id, "staff"),
            (bodies["comitato_di_distretto"], comitato_id, "delegate"),
        ):
            ok(
                await registry.post(
                    f"/bodies/{body_id}/members",
                    json={"person_id": member, "role": role, "valid_from": "2020-01-01"},
                    headers=admin,
                ),
                201,
            )
        supporters = [await person("Sostenitore", f"Numero {i}") for i in range(SUPPORTERS)]
        editor = walk.key(Role.DISTRICT_EDITOR, districts=[district_id])
        # Priority steps through API keys: the district's editor rights and the body's membership, one person.
        planner_steps = walk.key(Role.DISTRICT_EDITOR, person_id=planner_id, districts=[district_id])
        comitato_steps = walk.key(Role.DISTRICT_EDITOR, person_id=comitato_id, districts=[district_id])

        # --- the process, open to proposals, with its own answer states -----------------------------------
        programme = ok(
            await workshops.post("/programmes", json={"name": "Community Lab"}, headers=admin), 201
        )
        edition = ok(
            await workshops.post(
                f"/programmes/{programme['id']}/editions",
                json={"name": "Community Lab 2026", "district_ids": [district_id]},
                headers=admin,
            ),
            201,
        )
        process = ok(
            await workshops.post(
                "/processes",
                json={
                    "district_id": district_id,
                    "edition_id": edition["id"],
                    "title": "Camminare insieme",
                    "status": "active",
                    "phases": [open_phase()],
                },
                headers=editor,
            ),
            201,
        )
        process_id = process["id"]
        ok(
            await workshops.put(
                f"/processes/{process_id}/participation", json={"answer_states": STATES}, headers=editor
            )
        )

        # --- proposals ------------------------------------------------------------------------------------
        async def propose(headers: dict[str, str], title: str) -> str:
            made = ok(
                await workshops.post(
                    f"/processes/{process_id}/proposals",
                    json={"title": title, "body": "Un servizio di **prossimità**.", "theme": "reti_vive"},
                    headers=headers,
                ),
                201,
            )
            return str(made["id"])

        bus = await propose(giulia, "Pulmino per le frazioni")
        gardens = await propose(marco, "Orti condivisi")
        bench = await propose(supporters[0][1], "Panchine lungo il fiume")

        # --- concurrent supports: everyone at once, three of them twice -----------------------------------
        attempts = [headers for _, headers, _ in supporters] + [headers for _, headers, _ in supporters[:3]]
        answers = await asyncio.gather(
            *(workshops.post(f"/proposals/{bus}/support", headers=headers) for headers in attempts)
        )
        assert sorted(r.status_code for r in answers) == [200] * SUPPORTERS + [409] * 3, [
            (r.status_code, r.text) for r in answers if r.status_code not in (200, 409)
        ]
        assert ok(await workshops.get(f"/proposals/{bus}"))["support_count"] == SUPPORTERS
        ok(await workshops.post(f"/proposals/{bench}/support", headers=marco))
        # A support withdrawn: it no longer counts.
        ok(await workshops.post(f"/proposals/{gardens}/support", headers=giulia))
        ok(await workshops.delete(f"/proposals/{gardens}/support", headers=giulia))

        # --- a comment, flagged, hidden by the district's editor -------------------------------------------
        rude = ok(
            await workshops.post(
                f"/proposals/{bus}/comments", json={"body": "Idea inutile, lo dico io"}, headers=marco
            ),
            201,
        )
        ok(
            await workshops.post(
                f"/comments/{rude['id']}/flag",
                json={"reason": "offensive", "note": "Tono"},
                headers=supporters[1][1],
            )
        )
        queue = ok(await workshops.get(f"/processes/{process_id}/moderation/comments", headers=editor))
        assert [item["id"] for item in queue["items"]] == [rude["id"]]
        hidden = ok(
            await workshops.post(
                f"/comments/{rude['id']}/hide",
                json={"reason": "offensive", "note": "Regola 3"},
                headers=editor,
            )
        )
        assert hidden["state"] == "hidden"
        (shown,) = ok(await workshops.get(f"/proposals/{bus}/comments"))["items"]
        assert shown["state"] == "hidden" and shown["body"] is None and shown["author_id"] is None

        # --- official answers in the process's states, a promotion, the Comitato's validation ---------------
        async def answer(proposal_id: str, state: str, text: str) -> None:
            ok(
                await workshops.post(
                    f"/proposals/{proposal_id}/answer", json={"state": state, "text": text}, headers=planner
                )
            )

        await answer(bus, "da_approfondire", "Ne parliamo con l'AUSL.")
        await answer(bus, "accolta", "Entra nel piano attuativo.")
        await answer(gardens, "non_praticabile", "Non ci sono terreni comunali liberi.")
        promoted = ok(
            await workshops.post(
                f"/proposals/{bus}/promote",
                json={
                    "title": "Trasporto sociale nelle frazioni",
                    "description": "Dalle proposte dei cittadini.",
                },
                headers=planner,
            )
        )
        priority_id = promoted["priority"]["id"]
        ok(
            await workshops.post(
                f"/priorities/{priority_id}/submit", json={"year": 2026}, headers=planner_steps
            )
        )
        validated = ok(
            await workshops.post(
                f"/priorities/{priority_id}/validate",
                json={"sitting_date": "2026-03-12", "motivation": "Coerente con il Piano di Zona"},
                headers=comitato_steps,
            )
        )
        assert validated["state"] == "validated"
        provenance = ok(await workshops.get(f"/priorities/{priority_id}/proposals"))
        assert provenance["proposal_ids"] == [bus]

        # --- the e-mails, read back from the SMTP server ----------------------------------------------------
        expected = {
            giulia_mail: [
                "Nuovo commento sulla tua proposta «Pulmino per le frazioni»",
                "Risposta alla proposta «Pulmino per le frazioni»",
                "Risposta alla proposta «Pulmino per le frazioni»",
                "La proposta «Pulmino per le frazioni» è diventata una priorità",
            ],
            marco_mail: ["Risposta alla proposta «Orti condivisi»"],
        }
        wait_for(
            "the notification e-mails",
            lambda: all(
                len(walk.smtp.to(address)) >= len(subjects) for address, subjects in expected.items()
            ),
            timeout=90,
        )
        time.sleep(1.0)  # nothing more arrives: each notification is mailed once
        for address, subjects in expected.items():
            mails = walk.smtp.to(address)
            assert sorted(str(m["Subject"]) for m in mails) == sorted(subjects), address
            for mail in mails:
                assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        texts = [body_text(m) for m in walk.smtp.to(giulia_mail)]
        assert any("Entra nel piano attuativo." in t for t in texts)
        assert all("Idea inutile" not in t for t in texts), "the comment's text stays on the site"
        assert len(walk.smtp.messages) == sum(len(s) for s in expected.values()), "mail only to who consented"

        # --- the reports, once reporting has caught up ------------------------------------------------------
        def caught_up() -> bool:
            checks = httpx.get(f"{services.reporting}/readyz", timeout=10).json()["checks"]["projections"]
            return all(lag == 0 for name, lag in checks.items() if name != "last_position")

        wait_for("reporting to catch up", caught_up, timeout=90)
        diary = ok(await reporting.get(f"/districts/{district_id}/diary", params={"edition": edition["id"]}))
        (section,) = diary["proposals"]["processes"]
        assert {k: section[k] for k in ("received", "supported", "supports", "answered", "promoted")} == {
            "received": 3,
            "supported": 2,
            "supports": SUPPORTERS + 1,
            "answered": 2,
            "promoted": 1,
        }
        assert section["by_category"] == {"accepted": 1, "evaluating": 0, "rejected": 1}
        assert [(s["label"], s["count"]) for s in section["by_state"]] == [
            ("Accolta", 1),
            ("Da approfondire", 0),
            ("Non praticabile", 1),
        ]
        assert section["items"] == [
            {
                "proposal_id": bus,
                "title": "Pulmino per le frazioni",
                "priority_id": priority_id,
                "priority_title": "Trasporto sociale nelle frazioni",
                "priority_status": "validated",
            }
        ]
        assert diary["priorities"]["by_status"] == {"validated": 1}
        diary_html = (
            await reporting.get(
                f"/districts/{district_id}/diary", params={"edition": edition["id"], "format": "html"}
            )
        ).text
        assert "<strong>3</strong> proposte ricevute" in diary_html
        assert (
            "Pulmino per le frazioni → priorità «Trasporto sociale nelle frazioni» (validata)" in diary_html
        )

        dashboard = ok(await reporting.get("/dashboard", params={"edition": edition["id"]}))
        row = next(r for r in dashboard["districts"] if r["id"] == district_id)
        assert row["proposals"] == 3 and row["proposals_per_10000_residents"] == 0.8  # 3 in 40,000

        proposals_csv = (await reporting.get("/opendata/proposals.csv")).text
        rows = {r["id"]: r for r in csv.DictReader(io.StringIO(proposals_csv))}
        assert {r["title"]: (r["state"], r["supports"], r["answer_state"]) for r in rows.values()} == {
            "Pulmino per le frazioni": ("promoted", str(SUPPORTERS), "accolta"),
            "Orti condivisi": ("published", "0", "non_praticabile"),
            "Panchine lungo il fiume": ("published", "1", ""),
        }
        assert rows[bus]["priority_id"] == priority_id
        answers_csv = (await reporting.get("/opendata/answers.csv")).text
        answered = list(csv.DictReader(io.StringIO(answers_csv)))
        assert [(r["proposal_id"], r["answer_label"], r["answer_category"]) for r in answered] == [
            (bus, "Da approfondire", "evaluating"),
            (bus, "Accolta", "accepted"),
            (gardens, "Non praticabile", "rejected"),
        ]

        timeline = ok(await reporting.get(f"/processes/{process_id}/timeline", params={"limit": 1000}))
        english = [item["sentence"]["en"] for item in timeline["items"]]
        assert (
            "Proposal 'Pulmino per le frazioni' became priority 'Trasporto sociale nelle frazioni'" in english
        )
        assert f"Proposal 'Pulmino per le frazioni' received a support ({SUPPORTERS} in all)" in english

        # --- anonymous reads carry no author identity ---------------------------------------------------------
        anonymous = [
            str(diary),
            diary_html,
            str(dashboard),
            proposals_csv,
            answers_csv,
            (await reporting.get("/opendata/proposals.json")).text,
            (await reporting.get("/opendata/answers.json")).text,
            str(timeline),
            (await workshops.get(f"/processes/{process_id}/proposals")).text,
            (await workshops.get(f"/proposals/{bus}")).text,
            (await workshops.get(f"/proposals/{bus}/comments")).text,
        ]
        authors = {giulia_id: "Giulia Camminante", marco_id: "Marco Sentieri", supporters[0][0]: "Numero 0"}
        for text in anonymous:
            for author_id, name in authors.items():
                assert author_id not in text and name not in text
            assert "Camminante" not in text and "Sentieri" not in text
