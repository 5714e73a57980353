"""Every write route of the outcomes domain refuses an editor of another district (403) and writes nothing.

Bodies come from the OpenAPI examples, with the ids they name replaced by another district's objects, the
way the suite-wide access-control check builds them.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from fastapi.routing import APIRoute
from sqlmodel import Session

from services.workshops.outcomes.routes import ROUTERS
from shared.eventlog import last_position, read_all

pytestmark = pytest.mark.anyio


def _example(openapi: dict[str, Any], path: str, method: str) -> dict[str, Any] | None:
    request_body = openapi["paths"][path][method.lower()].get("requestBody")
    if request_body is None:
        return None
    ref = request_body["content"]["application/json"]["schema"]["$ref"]
    return dict(openapi["components"]["schemas"][ref.rsplit("/", 1)[1]]["examples"][0])


async def test_every_write_route_refuses_another_districts_editor(
    outcomes_client: httpx.AsyncClient,
    registry: Any,
    create_process: Callable[..., Any],
    create_workshop: Callable[..., Any],
    create_invention: Callable[..., Any],
    create_priority: Callable[..., Any],
    create_api_key: Callable[..., Any],
    admin_headers: dict[str, str],
    session: Session,
) -> None:
    mine = await registry.district()
    theirs = await registry.district()
    process = await create_process(theirs)
    workshop = await create_workshop(process, "project_table")
    template = await outcomes_client.post(
        "/evaluation-templates",
        json={
            "district_id": theirs,
            "name": {"it": "Carta", "en": "Card"},
            "dimensions": [{"code": "a", "kind": "text", "question": {"it": "a", "en": "a"}}],
        },
        headers=admin_headers,
    )
    ids = {
        "district_id": theirs,
        "process_id": process["id"],
        "workshop_id": workshop["id"],
        "edition_id": process["edition_id"],
        "person_id": await registry.person(theirs),
        "organisation_id": await registry.organisation(theirs),
        "invention_id": (await create_invention(admin_headers, process["id"]))["id"],
        "priority_id": (await create_priority(admin_headers, theirs, process_id=process["id"]))["id"],
        "template_id": template.json()["id"],
    }
    intruder = create_api_key("district_editor", districts=[mine]).headers
    before = last_position(session)
    checked = 0
    openapi = outcomes_client.app.openapi()  # type: ignore[attr-defined]
    for route in [route for router in ROUTERS for route in router.routes]:
        assert isinstance(route, APIRoute)
        for method in route.methods - {"GET", "HEAD"}:
            path = re.sub(r"\{(\w+)\}", lambda m: ids[m.group(1)], route.path)
            body = _example(openapi, route.path, method)
            if body is not None:
                body = {k: ids.get(k, v) for k, v in body.items()}
            response = await outcomes_client.request(method, path, json=body, headers=intruder)
            assert response.status_code == 403, (method, route.path, response.text)
            checked += 1
    assert checked >= 14
    assert read_all(session, after=before) == []


async def test_the_examples_are_valid_requests(
    outcomes_client: httpx.AsyncClient,
    registry: Any,
    create_process: Callable[..., Any],
    create_workshop: Callable[..., Any],
    create_invention: Callable[..., Any],
    create_priority: Callable[..., Any],
    admin_headers: dict[str, str],
) -> None:
    """With ids of real objects put in, every example body is accepted, in the order of the cycle."""
    district = await registry.district()
    process = await create_process(district)
    workshop = await create_workshop(process, "open_space_technology")
    table = await create_workshop(process, "project_table")
    restitution = await create_workshop(process, "restitution_event")
    ids: dict[str, Any] = {
        "district_id": district,
        "to_district_id": await registry.district(),
        "process_id": process["id"],
        "workshop_id": workshop["id"],
        "origin": {"kind": "workshop", "id": workshop["id"]},
        "restitution_workshop_id": restitution["id"],
        "project_table_workshop_ids": [table["id"]],
        "invention_id": (await create_invention(admin_headers, process["id"]))["id"],
        "priority_id": (await create_priority(admin_headers, district, process_id=process["id"]))["id"],
        "template_id": "e7869feb-8e08-5124-b619-27931bc0d591",
    }
    openapi = outcomes_client.app.openapi()  # type: ignore[attr-defined]
    for route in [route for router in ROUTERS for route in router.routes]:
        assert isinstance(route, APIRoute)
        for method in route.methods - {"GET", "HEAD"}:
            if route.name == "reject_priority":
                continue  # the same priority was validated one step earlier
            body = _example(openapi, route.path, method)
            if body is not None:
                body = {k: ids.get(k, v) for k, v in body.items()}
            if route.name == "revise_evaluation_template":
                created = await outcomes_client.post(
                    "/evaluation-templates",
                    json=_example(openapi, "/evaluation-templates", "POST") | {"district_id": district},
                    headers=admin_headers,
                )
                path = f"/evaluation-templates/{created.json()['id']}"
            else:
                path = re.sub(r"\{(\w+)\}", lambda m: ids[m.group(1)], route.path)
            response = await outcomes_client.request(method, path, json=body, headers=admin_headers)
            assert response.status_code in (200, 201), (route.name, response.text)
