"""Data generator: a realistic regional volume written through the services' own HTTP APIs, in process.

The registry and workshops apps run in this process on the target database (httpx ASGITransport; the
workshops app reaches the registry app through ``ASGIBridgeTransport``, as in the tests), so every row and every
event is written by the services' routes and service functions, never by raw INSERTs. For each district and
year: one participatory process in the year's Community Lab edition, workshops with registrations (people and
anonymous head counts), attendance and status ``held``, inventions, priorities through their whole cycle
(Ufficio di Piano submits, Comitato di Distretto validates or rejects, assignment, start, report, plan action),
evaluation cards, and the process closed at the end of the year.

    communitylab generate --districts 38 --years 10                # about 25 events per request
    communitylab generate --districts 4 --years 2 --scale 0.5 --database-url sqlite:////tmp/g.db
    .venv/bin/python bench/generate.py --districts 2 --years 1     # the same, without the CLI
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sys
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import httpx
from sqlalchemy import func, select

from shared.auth.keys import create_key
from shared.auth.principal import Role
from shared.clients.asgi_bridge import ASGIBridgeTransport
from shared.clients.registry import RegistryClient
from shared.config import Settings, get_settings
from shared.db import Database
from shared.eventlog.tables import events as events_table
from shared.migrations import upgrade_all

ROME = ZoneInfo("Europe/Rome")
TEMPLATE_ID = "e7869feb-8e08-5124-b619-27931bc0d591"  # the default evaluation template (outcomes migration)
CATEGORIES = [
    "citizen",
    "social_worker",
    "educator",
    "third_sector",
    "health_staff",
    "administrator",
    "business",
]
METHODS = ["world_cafe", "open_space_technology", "thematic_table"]
KINDS = ["action", "product", "document", "service_organisation", "citizen_engagement"]
THEMES = [
    "oltre_i_servizi",
    "reti_vive",
    "il_fronte_interno",
    "prodotti_tangibili",
    "nuovi_linguaggi_competenze",
    "narrare_i_processi",
]
TOPICS = [
    "solitudine delle persone anziane",
    "primi mille giorni",
    "abitare e casa",
    "giovani e spazi pubblici",
    "lavoro di cura",
    "salute mentale di comunità",
    "povertà educativa",
    "accoglienza e cittadinanza",
]


class GenerateError(RuntimeError):
    """A service refused a generated request."""


@dataclass
class Sizes:
    """How much to create per district and year (scaled)."""

    workshops: int
    people: int
    anonymous: int
    inventions: int
    priorities: int
    evaluations: int

    @classmethod
    def scaled(cls, scale: float) -> Sizes:
        """Sizes for ``scale`` (1.0: four workshops of ~20 people, two inventions, three priorities...)."""

        def n(base: float, minimum: int = 1) -> int:
            return max(minimum, round(base * scale))

        return cls(
            workshops=n(4, 3),
            people=n(8),
            anonymous=n(12),
            inventions=n(2),
            priorities=n(3),
            evaluations=n(4),
        )


@dataclass
class Stats:
    """Requests made and objects created."""

    requests: int = 0
    created: Counter[str] = field(default_factory=Counter)


class Generator:
    """Drives the in-process apps."""

    def __init__(
        self, registry: httpx.AsyncClient, workshops: httpx.AsyncClient, admin_key: str, issue_key: Any
    ):
        self.registry = registry
        self.workshops = workshops
        self.admin_key = admin_key
        self.issue_key = issue_key
        self.stats = Stats()

    async def call(
        self, client: httpx.AsyncClient, method: str, path: str, json: Any = None, key: str = ""
    ) -> Any:
        """One request; any 4xx/5xx stops the run with the problem's text."""
        headers = {"Authorization": f"Bearer {key or self.admin_key}"}
        response = await client.request(method, path, json=json, headers=headers)
        self.stats.requests += 1
        if response.status_code >= 400:
            raise GenerateError(f"{method} {path} -> {response.status_code}: {response.text[:600]}")
        return response.json() if response.content else None

    async def person(self, district_id: str, category: str, n: int, label: str) -> str:
        """Register a fictional person (example.org) in the registry."""
        body = {
            "given_name": f"Persona {label} {n}",
            "family_name": f"Generata {district_id[:8]}",
            "email": f"gen.{district_id[:8]}.{label}.{n}@example.org",
            "actor_category": category,
            "district_ids": [district_id],
        }
        self.stats.created["people"] += 1
        return str((await self.call(self.registry, "POST", "/people", body))["id"])

    async def district(
        self, district_id: str, edition_ids: dict[int, str], sizes: Sizes, rng: random.Random, first_year: int
    ) -> None:
        """Everything of one district over all years."""
        facilitator = await self.person(district_id, "social_worker", 0, "fac")
        await self.call(
            self.registry,
            "POST",
            "/facilitators",
            {"person_id": facilitator, "kind": "facilitator", "district_ids": [district_id]},
        )
        people = [
            await self.person(district_id, CATEGORIES[i % len(CATEGORIES)], i, "p")
            for i in range(sizes.people)
        ]
        udp_head = await self.person(district_id, "planning_office_staff", 0, "udp")
        chair = await self.person(district_id, "administrator", 0, "comitato")
        for kind, name, member, role in (
            ("ufficio_di_piano", "Ufficio di Piano", udp_head, "coordinator"),
            ("comitato_di_distretto", "Comitato di Distretto", chair, "chair"),
        ):
            body = await self.call(
                self.registry, "POST", "/bodies", {"district_id": district_id, "kind": kind, "name": name}
            )
            await self.call(
                self.registry,
                "POST",
                f"/bodies/{body['id']}/members",
                {"person_id": member, "role": role, "valid_from": f"{first_year}-01-01"},
            )
            self.stats.created["bodies"] += 1
        udp_key = self.issue_key("district_editor", [district_id], udp_head, "generate: Ufficio di Piano")
        comitato_key = self.issue_key("district_editor", [district_id], chair, "generate: Comitato")
        for year, edition_id in sorted(edition_ids.items()):
            await self.process_year(
                district_id, edition_id, year, sizes, rng, facilitator, people, udp_key, comitato_key
            )

    async def process_year(
        self,
        district_id: str,
        edition_id: str,
        year: int,
        sizes: Sizes,
        rng: random.Random,
        facilitator: str,
        people: list[str],
        udp_key: str,
        comitato_key: str,
    ) -> None:
        """One process of one district in one year, from creation to closure."""
        topic = rng.choice(TOPICS)
        process = await self.call(
            self.workshops,
            "POST",
            "/processes",
            {
                "district_id": district_id,
                "edition_id": edition_id,
                "title": f"Priorità partecipate {year}: {topic}",
                "purpose": "Definire in modo partecipato le priorità del Piano di Zona.",
                "started_on": f"{year}-02-01",
                "status": "active",
            },
        )
        process_id = process["id"]
        self.stats.created["processes"] += 1
        workshop_ids: list[str] = []
        for index in range(sizes.workshops):
            starts = datetime(year, 3, 2, 17, 0, tzinfo=ROME) + timedelta(days=14 * index)
            chosen = rng.sample(people, k=min(len(people), max(1, len(people) * 3 // 4)))
            anonymous = {
                c: 1 + rng.randrange(max(1, sizes.anonymous // 3)) for c in rng.sample(CATEGORIES, 3)
            }
            # The last two meet as the project table and the restitution event the priorities need.
            method = {sizes.workshops - 2: "project_table", sizes.workshops - 1: "restitution_event"}.get(
                index, METHODS[index % len(METHODS)]
            )
            workshop = await self.call(
                self.workshops,
                "POST",
                f"/processes/{process_id}/workshops",
                {
                    "method": method,
                    "title": f"Tavolo {index + 1}: {topic}",
                    "starts_at": starts.isoformat(),
                    "ends_at": (starts + timedelta(hours=3)).isoformat(),
                    "venue": f"Sala civica {index + 1}, distretto {district_id[:8]}",
                    "capacity": len(chosen) + sum(anonymous.values()) + 10,
                    "facilitator_ids": [facilitator],
                },
            )
            path = f"/workshops/{workshop['id']}"
            for person_id in chosen:
                await self.call(self.workshops, "POST", f"{path}/registrations", {"person_id": person_id})
            for category, count in anonymous.items():
                await self.call(
                    self.workshops,
                    "POST",
                    f"{path}/registrations",
                    {"actor_category": category, "count": count},
                )
            present = [p for p in chosen if rng.random() < 0.85]
            attendance = {
                "present": present,
                "absent": [p for p in chosen if p not in present],
                "anonymous_counts": anonymous,
            }
            await self.call(self.workshops, "PUT", f"{path}/attendance", attendance)
            await self.call(self.workshops, "POST", f"{path}/status", {"status": "held"})
            workshop_ids.append(str(workshop["id"]))
            self.stats.created["workshops"] += 1
            self.stats.created["registrations"] += len(chosen) + len(anonymous)
        for index in range(sizes.inventions):
            workshop_id = workshop_ids[index % len(workshop_ids)]
            await self.call(
                self.workshops,
                "POST",
                "/inventions",
                {
                    "process_id": process_id,
                    "workshop_id": workshop_id,
                    "origin": {"kind": "workshop", "id": workshop_id},
                    "title": f"Invenzione {index + 1} ({year}): {topic}",
                    "kind": rng.choice(KINDS),
                    "theme": rng.choice(THEMES),
                },
            )
            self.stats.created["inventions"] += 1
        await self.priorities(district_id, process_id, workshop_ids, year, sizes, rng, udp_key, comitato_key)
        for _ in range(sizes.evaluations):
            answers = {
                "ascolto": rng.randint(2, 5),
                "relazioni": rng.randint(2, 5),
                "cambiamento": rng.randint(1, 5),
                "continuita": rng.randint(1, 5),
                "influenza": rng.choice(["si", "in_parte", "no"]),
            }
            body = {
                "template_id": TEMPLATE_ID,
                "process_id": process_id,
                "workshop_id": rng.choice(workshop_ids),
                "answers": answers,
            }
            await self.call(self.workshops, "POST", "/evaluation-responses", body)
            self.stats.created["evaluations"] += 1
        await self.call(
            self.workshops,
            "POST",
            f"/processes/{process_id}/status",
            {"status": "closed", "closed_on": f"{year}-12-15"},
        )

    async def priorities(
        self,
        district_id: str,
        process_id: str,
        workshop_ids: list[str],
        year: int,
        sizes: Sizes,
        rng: random.Random,
        udp_key: str,
        comitato_key: str,
    ) -> None:
        """Priorities through their cycle: proposed, submitted, validated (or rejected), assigned, started, reported."""
        for index in range(sizes.priorities):
            workshop_id = workshop_ids[index % len(workshop_ids)]
            body = {
                "district_id": district_id,
                "process_id": process_id,
                "title": f"Priorità {index + 1} del {year}",
                "description": "Emersa dai tavoli di lavoro del processo.",
                "source": "workshop",
                "workshop_id": workshop_id,
                "origin": {"kind": "workshop", "id": workshop_id},
            }
            priority = await self.call(self.workshops, "POST", "/priorities", body)
            self.stats.created["priorities"] += 1
            path = f"/priorities/{priority['id']}"
            await self.call(self.workshops, "POST", f"{path}/submit", {"year": year + 1}, key=udp_key)
            decision = {"sitting_date": f"{year}-12-10", "motivation": "Coerente con il Piano di Zona."}
            if rng.random() < 0.2:
                await self.call(self.workshops, "POST", f"{path}/reject", decision, key=comitato_key)
                continue
            await self.call(self.workshops, "POST", f"{path}/validate", decision, key=comitato_key)
            await self.call(
                self.workshops, "POST", f"{path}/assign", {"project_table_workshop_ids": [workshop_ids[-2]]}
            )
            await self.call(self.workshops, "POST", f"{path}/start")
            report = {
                "outcome": rng.choice(["achieved", "partly_achieved", "not_achieved"]),
                "restitution_workshop_id": workshop_ids[-1],
                "note": "Esito restituito alla comunità.",
            }
            await self.call(self.workshops, "POST", f"{path}/report", report)
            if index == 0:
                await self.call(
                    self.workshops, "POST", f"{path}/link-plan-action", {"plan_action": f"scheda-{year}"}
                )


def _count_events(database: Database) -> int:
    with database.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(events_table)).scalar_one())


async def generate(
    *,
    database_url: str,
    districts: int,
    years: int,
    scale: float = 1.0,
    seed: int = 2026,
    concurrency: int = 1,
    first_year: int | None = None,
    log: Any = print,
) -> dict[str, Any]:
    """Migrate, seed the districts, generate; return the counts, events written and events/s."""
    from services.registry.app import create_app as create_registry_app
    from services.registry.districts.service import DATA_DIR, seed_districts
    from services.workshops.app import create_app as create_workshops_app

    base = get_settings()
    settings = Settings(**{**base.model_dump(), "database_url": database_url})
    database = Database.from_url(database_url, busy_timeout_ms=settings.sqlite_busy_timeout_ms)
    try:
        upgrade_all(database.engine)
        with database.transaction() as session:
            seed_districts(session=session, data_dir=DATA_DIR)

        def issue_key(role: str, district_ids: list[str], person_id: str | None, label: str) -> str:
            with database.transaction() as session:
                return create_key(
                    session.connection(),
                    secret=settings.secret_key,
                    role=Role(role),
                    district_ids=district_ids,
                    person_id=person_id,
                    label=label,
                ).key

        registry_app = create_registry_app(settings=settings, database=database)
        workshops_app = create_workshops_app(
            settings=settings,
            database=database,
            registry=RegistryClient(
                "http://registry.local", transport=ASGIBridgeTransport(registry_app), cache_seconds=300
            ),
        )
        events_before = _count_events(database)
        started = time.perf_counter()
        async with (
            httpx.AsyncClient(
                transport=httpx.ASGITransport(app=registry_app), base_url="http://registry.local", timeout=60
            ) as registry,
            httpx.AsyncClient(
                transport=httpx.ASGITransport(app=workshops_app),
                base_url="http://workshops.local",
                timeout=60,
            ) as workshops,
        ):
            generator = Generator(
                registry, workshops, issue_key("regional_admin", [], None, "generate"), issue_key
            )
            listed = await generator.call(registry, "GET", "/districts?limit=100")
            district_ids = sorted(str(d["id"]) for d in listed["items"])[:districts]
            first = first_year or date.today().year - years
            programme = await generator.call(
                workshops,
                "POST",
                "/programmes",
                {"name": f"Community Lab (generato {uuid.uuid4().hex[:6]})", "description": "Dati generati."},
            )
            edition_ids: dict[int, str] = {}
            for year in range(first, first + years):
                edition = await generator.call(
                    workshops,
                    "POST",
                    f"/programmes/{programme['id']}/editions",
                    {
                        "name": f"Community Lab {year}",
                        "starts_on": f"{year}-01-15",
                        "ends_on": f"{year}-12-20",
                        "district_ids": district_ids,
                    },
                )
                edition_ids[year] = str(edition["id"])
            sizes = Sizes.scaled(scale)
            gate = asyncio.Semaphore(max(1, concurrency))
            done = 0

            async def one(index: int, district_id: str) -> None:
                nonlocal done
                async with gate:
                    rng = random.Random(seed * 1000 + index)
                    await generator.district(district_id, edition_ids, sizes, rng, first)
                    done += 1
                    elapsed = time.perf_counter() - started
                    log(
                        f"  district {done}/{len(district_ids)} done ({generator.stats.requests} requests, {elapsed:.0f} s)"
                    )

            await asyncio.gather(*(one(i, d) for i, d in enumerate(district_ids)))
        elapsed = time.perf_counter() - started
        written = _count_events(database) - events_before
        return {
            "districts": len(district_ids),
            "years": years,
            "editions": len(edition_ids),
            **dict(generator.stats.created),
            "requests": generator.stats.requests,
            "events": written,
            "seconds": elapsed,
            "events_per_s": written / elapsed if elapsed else 0.0,
            "requests_per_s": generator.stats.requests / elapsed if elapsed else 0.0,
        }
    finally:
        database.dispose()


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The generator's options (shared by `communitylab generate` and this script)."""
    parser.add_argument("--districts", type=int, default=38, help="how many of the 38 seeded districts")
    parser.add_argument("--years", type=int, default=10, help="how many yearly editions, ending last year")
    parser.add_argument(
        "--scale", type=float, default=1.0, help="multiplies workshops, people, priorities..."
    )
    parser.add_argument("--database-url", help="target database (default: COMMUNITYLAB_DATABASE_URL)")
    parser.add_argument("--seed", type=int, default=2026, help="random seed (same seed, same shapes)")
    parser.add_argument(
        "--concurrency", type=int, default=1, help="districts generated at once (PostgreSQL benefits)"
    )
    parser.add_argument("--first-year", type=int, help="first edition's year (default: this year - years)")


def run(args: argparse.Namespace) -> int:
    """Run the generator and print the counts and events/s."""
    url = args.database_url or get_settings().database_url
    print(
        f"generating {args.districts} districts x {args.years} years (scale {args.scale}) into {url}",
        flush=True,
    )
    try:
        result = asyncio.run(
            generate(
                database_url=url,
                districts=args.districts,
                years=args.years,
                scale=args.scale,
                seed=args.seed,
                concurrency=args.concurrency,
                first_year=args.first_year,
                log=lambda line: print(line, flush=True),
            )
        )
    except GenerateError as exc:
        print(f"communitylab generate failed: {exc}", file=sys.stderr)
        return 1
    for key, value in result.items():
        shown = f"{value:,.1f}" if isinstance(value, float) else f"{value:,}"
        print(f"{key:>16}: {shown}")
    return 0


def main(argv: list[str] | None = None) -> int:
    """Script entry point."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    add_arguments(parser)
    return run(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
