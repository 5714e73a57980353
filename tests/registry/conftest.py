"""Factories for registry tests: everything is created through the API."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
from sqlalchemy import func, select
from sqlmodel import Session

from shared.eventlog.tables import events

SQUARE = {"type": "Polygon", "coordinates": [[[11.0, 44.0], [11.1, 44.0], [11.1, 44.1], [11.0, 44.0]]]}


def unique(prefix: str) -> str:
    """A readable unique name."""
    return f"{prefix} {uuid.uuid4().hex[:8]}"


async def create_district(
    client: httpx.AsyncClient, headers: dict[str, str], **fields: Any
) -> dict[str, Any]:
    """Create a district as the given key; fails the test unless 201."""
    body = {"name": unique("Distretto"), "province": "BO", "health_authority": "AUSL Bologna", **fields}
    response = await client.post("/districts", json=body, headers=headers)
    assert response.status_code == 201, response.text
    return dict(response.json())


async def create_organisation(
    client: httpx.AsyncClient, headers: dict[str, str], district_ids: list[str], **fields: Any
) -> dict[str, Any]:
    """Create an organisation serving ``district_ids``."""
    body = {
        "name": unique("Associazione"),
        "kind": "third_sector_association",
        "district_ids": district_ids,
        **fields,
    }
    response = await client.post("/organisations", json=body, headers=headers)
    assert response.status_code == 201, response.text
    return dict(response.json())


async def create_person(
    client: httpx.AsyncClient, headers: dict[str, str], district_ids: list[str], **fields: Any
) -> dict[str, Any]:
    """Register a person in ``district_ids``."""
    body = {
        "given_name": "Giulia",
        "family_name": unique("Bianchi"),
        "email": f"{uuid.uuid4().hex[:10]}@example.org",
        "actor_category": "social_worker",
        "district_ids": district_ids,
        **fields,
    }
    response = await client.post("/people", json=body, headers=headers)
    assert response.status_code == 201, response.text
    return dict(response.json())


async def create_body(
    client: httpx.AsyncClient,
    headers: dict[str, str],
    district_id: str,
    kind: str = "ufficio_di_piano",
    **fields: Any,
) -> dict[str, Any]:
    """Create a governance body of a district."""
    response = await client.post(
        "/bodies", json={"district_id": district_id, "kind": kind, **fields}, headers=headers
    )
    assert response.status_code == 201, response.text
    return dict(response.json())


def event_count(session: Session) -> int:
    """How many events the log holds (in the test transaction)."""
    return int(session.connection().execute(select(func.count()).select_from(events)).scalar_one())
