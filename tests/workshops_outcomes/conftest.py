"""Factories of the outcomes tests.

Registry objects (districts, people, organisations, memberships) are made through ``RegistryFactory``;
processes and workshops through ``create_process`` / ``create_workshop``. Each hides where the data comes
from so the tests stay the same when the registry and processes APIs they stand in for are switched on.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
import pytest

from services.workshops.processes.models import Edition, Process, Programme, Workshop, WorkshopMethod
from shared.clients.registry import DistrictRef, OrganisationRef, PersonRef, RegistryClient

DEFAULT_TEMPLATE_ID = "e7869feb-8e08-5124-b619-27931bc0d591"


class InMemoryRegistry(RegistryClient):
    """A registry client answering from memory (stand-in while the registry API is being built)."""

    def __init__(self) -> None:
        super().__init__("http://registry.invalid")
        self.districts: dict[str, DistrictRef] = {}
        self.people: dict[str, PersonRef] = {}
        self.organisations: dict[str, OrganisationRef] = {}
        self.memberships: list[tuple[str, str, str, date, date | None]] = []
        self.role_lookups = 0

    def get_district(self, district_id: str) -> DistrictRef | None:
        return self.districts.get(district_id)

    def get_person(self, person_id: str) -> PersonRef | None:
        return self.people.get(person_id)

    def get_organisation(self, organisation_id: str) -> OrganisationRef | None:
        return self.organisations.get(organisation_id)

    def person_roles(self, district_id: str, person_id: str, on: date) -> set[str]:
        self.role_lookups += 1
        return {
            role
            for d, p, role, start, end in self.memberships
            if d == district_id and p == person_id and start <= on and (end is None or on <= end)
        }


@dataclass
class RegistryFactory:
    """Creates registry objects the workshops app will find."""

    registry: InMemoryRegistry
    created: list[str] = field(default_factory=list)

    def district(self, name: str = "Distretto di prova") -> str:
        district_id = str(uuid.uuid4())
        self.registry.districts[district_id] = DistrictRef(id=district_id, name=name)
        return district_id

    def person(self) -> str:
        person_id = str(uuid.uuid4())
        self.registry.people[person_id] = PersonRef(id=person_id, actor_category="citizen")
        return person_id

    def organisation(self) -> str:
        organisation_id = str(uuid.uuid4())
        self.registry.organisations[organisation_id] = OrganisationRef(id=organisation_id, name="Org")
        return organisation_id

    def membership(
        self,
        district_id: str,
        person_id: str,
        role: str,
        valid_from: date = date(2020, 1, 1),
        valid_to: date | None = None,
    ) -> None:
        """``role`` is ``<body_kind>:<role>``, e.g. ``ufficio_di_piano:staff``."""
        self.registry.memberships.append((district_id, person_id, role, valid_from, valid_to))


@pytest.fixture
def registry() -> RegistryFactory:
    return RegistryFactory(InMemoryRegistry())


@pytest.fixture
async def outcomes_client(
    make_client: Callable[..., httpx.AsyncClient], registry: RegistryFactory
) -> AsyncIterator[httpx.AsyncClient]:
    """The workshops app wired to the registry the factories fill."""
    async with make_client("workshops", registry=registry.registry) as client:
        yield client


@pytest.fixture
def create_process(db: Any) -> Callable[..., dict[str, str]]:
    """A process (with a programme edition) of a district; returns its ids."""

    def factory(
        district_id: str, *, title: str = "Percorso partecipato", with_edition: bool = True
    ) -> dict[str, str]:
        with db.session() as session:
            edition_id = None
            if with_edition:
                programme = Programme(name="Community Lab")
                session.add(programme)
                session.flush()
                edition = Edition(
                    programme_id=programme.id, name="Community Lab 2026", district_ids=[district_id]
                )
                session.add(edition)
                session.flush()
                edition_id = edition.id
            process = Process(district_id=uuid.UUID(district_id), edition_id=edition_id, title=title)
            session.add(process)
            session.commit()
            return {
                "id": str(process.id),
                "district_id": district_id,
                "edition_id": str(edition_id) if edition_id else "",
            }

    return factory


@pytest.fixture
def create_workshop(db: Any) -> Callable[..., dict[str, str]]:
    """A workshop of a process with a method; returns its ids."""

    def factory(
        process: dict[str, str],
        method: str = "open_space_technology",
        facilitator_ids: list[str] | None = None,
    ) -> dict[str, str]:
        starts = datetime(2026, 3, 1, 9, tzinfo=UTC)
        with db.session() as session:
            workshop = Workshop(
                process_id=uuid.UUID(process["id"]),
                district_id=uuid.UUID(process["district_id"]),
                edition_id=uuid.UUID(process["edition_id"]) if process.get("edition_id") else None,
                method=WorkshopMethod(method),
                title=f"Laboratorio {method}",
                starts_at=starts,
                ends_at=starts + timedelta(hours=3),
                facilitator_ids=facilitator_ids or [],
            )
            session.add(workshop)
            session.commit()
            return {
                "id": str(workshop.id),
                "process_id": process["id"],
                "district_id": process["district_id"],
            }

    return factory


@pytest.fixture
def create_invention(outcomes_client: httpx.AsyncClient) -> Callable[..., Any]:
    """Create an invention through the API and return its body."""

    async def factory(headers: dict[str, str], process_id: str, **fields: Any) -> dict[str, Any]:
        body = {
            "process_id": process_id,
            "title": "Sportello di prossimità",
            "description": "Un punto di ascolto nei quartieri",
            "kind": "service_organisation",
            "theme": "oltre_i_servizi",
        } | fields
        response = await outcomes_client.post("/inventions", json=body, headers=headers)
        assert response.status_code == 201, response.text
        return dict(response.json())

    return factory


@pytest.fixture
def create_priority(outcomes_client: httpx.AsyncClient) -> Callable[..., Any]:
    """Propose a priority through the API and return its body."""

    async def factory(headers: dict[str, str], district_id: str, **fields: Any) -> dict[str, Any]:
        body = {
            "district_id": district_id,
            "source": "ufficio_di_piano",
            "title": "Contrastare la solitudine degli anziani",
        } | fields
        response = await outcomes_client.post("/priorities", json=body, headers=headers)
        assert response.status_code == 201, response.text
        return dict(response.json())

    return factory
