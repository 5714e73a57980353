"""Factories of the sessions tests: districts and people through the registry API, processes and workshops
through the workshops API, as users create them."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from sqlmodel import Session

from services.workshops.processes.models import Workshop
from shared.eventlog import read_stream

STARTS_AT = datetime(2026, 12, 5, 8, 30, tzinfo=UTC)
ENDS_AT = datetime(2026, 12, 5, 13, 0, tzinfo=UTC)


async def _created(response: httpx.Response) -> dict[str, Any]:
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


@pytest.fixture
def create_district(
    registry_client: httpx.AsyncClient, admin_headers: dict[str, str]
) -> Callable[[], Awaitable[uuid.UUID]]:
    """Create a district through the registry API."""

    async def factory() -> uuid.UUID:
        body = await _created(
            await registry_client.post(
                "/districts", json={"name": f"Distretto {uuid.uuid4().hex[:8]}"}, headers=admin_headers
            )
        )
        return uuid.UUID(body["id"])

    return factory


@pytest.fixture
def create_person(
    registry_client: httpx.AsyncClient, admin_headers: dict[str, str]
) -> Callable[[uuid.UUID], Awaitable[str]]:
    """Register a person of a district through the registry API; return their id."""

    async def factory(district_id: uuid.UUID) -> str:
        body = await _created(
            await registry_client.post(
                "/people",
                json={
                    "given_name": "Giulia",
                    "family_name": "Bianchi",
                    "actor_category": "social_worker",
                    "district_ids": [str(district_id)],
                },
                headers=admin_headers,
            )
        )
        return str(body["id"])

    return factory


@pytest.fixture
def create_workshop(
    session: Session,
    workshops_client: httpx.AsyncClient,
    admin_headers: dict[str, str],
    create_district: Callable[[], Awaitable[uuid.UUID]],
) -> Callable[..., Awaitable[Workshop]]:
    """Create a process and a workshop of it; returns the workshop row as stored."""

    async def factory(
        *,
        method: str = "open_space_technology",
        district_id: uuid.UUID | None = None,
        facilitator_ids: list[str] | None = None,
        title: str = "Aggiungi un posto al tavolo",
        starts_at: datetime = STARTS_AT,
        ends_at: datetime = ENDS_AT,
    ) -> Workshop:
        district = district_id or await create_district()
        facilitators = facilitator_ids or []
        process = await _created(
            await workshops_client.post(
                "/processes",
                json={"district_id": str(district), "title": "Bassa Romagna 2026", "status": "active"},
                headers=admin_headers,
            )
        )
        created = await _created(
            await workshops_client.post(
                f"/processes/{process['id']}/workshops",
                json={
                    "method": method,
                    "title": title,
                    "starts_at": starts_at.isoformat(),
                    "ends_at": ends_at.isoformat(),
                    "facilitator_ids": facilitators,
                },
                headers=admin_headers,
            )
        )
        session.expire_all()
        workshop = session.get(Workshop, uuid.UUID(created["id"]))
        assert workshop is not None
        return workshop

    return factory


def stream_types(session: Session, workshop_id: uuid.UUID | str) -> list[str]:
    """The event types of a workshop's stream, in order."""
    session.expire_all()
    return [e.type for e in read_stream(session, "workshop", str(workshop_id))]
