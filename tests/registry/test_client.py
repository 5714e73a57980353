"""The registry client other services use, against the real registry app, and when the registry is down."""

from __future__ import annotations

import socket
import uuid
from collections.abc import Callable
from datetime import date
from typing import Any

import anyio
import httpx
import pytest
from fastapi import Request

from shared.clients.asgi_bridge import ASGIBridgeTransport
from shared.clients.registry import RegistryClient
from shared.errors import UpstreamUnavailableError
from tests.registry.conftest import create_body, create_district, create_organisation, create_person

pytestmark = pytest.mark.anyio


def _closed_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def test_client_resolves_ids_through_the_real_app(
    registry_client: httpx.AsyncClient, admin_headers: dict[str, str]
) -> None:
    district = await create_district(registry_client, admin_headers, regional_code="038", province="FC")
    organisation = await create_organisation(registry_client, admin_headers, [district["id"]], kind="asp")
    person = await create_person(registry_client, admin_headers, [district["id"]], actor_category="educator")
    body = await create_body(registry_client, admin_headers, district["id"], "comitato_di_distretto")
    member = await registry_client.post(
        f"/bodies/{body['id']}/members",
        json={
            "person_id": person["id"],
            "role": "delegate",
            "valid_from": "2018-01-01",
            "valid_to": "2018-12-31",
        },
        headers=admin_headers,
    )
    assert member.status_code == 201
    await registry_client.post(
        "/facilitators",
        json={"person_id": person["id"], "kind": "tutor", "district_ids": [district["id"]]},
        headers=admin_headers,
    )
    client = RegistryClient(
        "http://registry.test",
        transport=ASGIBridgeTransport(registry_client.app),  # type: ignore[attr-defined]
        cache_seconds=0,
    )

    def resolve() -> dict[str, Any]:
        # Runs in a worker thread, as route code does; the bridge hands requests back to the event loop.
        return {
            "district": client.get_district(district["id"]),
            "missing": client.get_district(str(uuid.uuid4())),
            "person": client.get_person(person["id"]),
            "organisation": client.get_organisation(organisation["id"]),
            "facilitator": client.get_facilitator(person["id"]),
            "roles_2018": client.person_roles(district["id"], person["id"], date(2018, 6, 1)),
            "roles_2019": client.person_roles(district["id"], person["id"], date(2019, 6, 1)),
        }

    found = await anyio.to_thread.run_sync(resolve)
    assert found["district"].id == district["id"] and found["district"].regional_code == "038"
    assert found["district"].health_authority == "AUSL Bologna"
    assert found["missing"] is None
    # the client is anonymous: it gets the id, the category and the erased flag, never a name
    assert (found["person"].id, found["person"].actor_category, found["person"].erased) == (
        person["id"],
        "educator",
        False,
    )
    assert found["organisation"].kind == "asp" and found["organisation"].district_ids == [district["id"]]
    assert found["facilitator"].kind == "tutor"
    assert found["roles_2018"] == {"comitato_di_distretto:delegate"}
    assert found["roles_2019"] == set()

    await registry_client.delete(f"/people/{person['id']}", headers=admin_headers)
    erased = await anyio.to_thread.run_sync(client.get_person, person["id"])
    assert erased is not None and erased.erased is True
    client.close()


def test_unreachable_registry_raises_upstream_unavailable() -> None:
    client = RegistryClient(f"http://127.0.0.1:{_closed_port()}", timeout=2.0)
    with pytest.raises(UpstreamUnavailableError) as caught:
        client.get_district(str(uuid.uuid4()))
    assert caught.value.status == 503
    client.close()


async def test_caller_answers_503_problem_json_when_registry_is_down(
    make_client: Callable[..., httpx.AsyncClient],
) -> None:
    down = RegistryClient(f"http://127.0.0.1:{_closed_port()}", timeout=2.0)

    def district_name(district_id: str, request: Request) -> dict[str, Any]:
        """A probe route that resolves a district through the registry client, as workshops routes do."""
        district = request.app.state.registry.get_district(district_id)
        return {"name": district.name if district else None}

    async with make_client("workshops", registry=down) as client:
        client.app.add_api_route("/probe-district/{district_id}", district_name)  # type: ignore[attr-defined]
        response = await client.get(f"/probe-district/{uuid.uuid4()}")
    assert response.status_code == 503
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["retry-after"]
    assert response.json()["type"].endswith("upstream-unavailable")
    down.close()
