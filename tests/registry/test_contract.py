"""The registry's migrations match its models, and every route is documented with valid examples."""

from __future__ import annotations

from collections.abc import Callable
from typing import get_args

import httpx
import pytest
from fastapi.routing import APIRoute
from sqlalchemy import Engine, inspect
from sqlmodel import SQLModel

import services.registry.agreements.models
import services.registry.bodies.models
import services.registry.courses.models
import services.registry.districts.models
import services.registry.facilitators.models
import services.registry.identity.models
import services.registry.notifications.models
import services.registry.organisations.models
import services.registry.people.models
import services.registry.supervisions.models  # noqa: F401  (these register the tables)
from services.registry import events as registry_events
from services.registry.app import ROUTERS

pytestmark = pytest.mark.anyio


def test_migrations_match_models(engine: Engine) -> None:
    inspector = inspect(engine)
    schema = "registry" if engine.dialect.name == "postgresql" else None
    tables = [t for t in SQLModel.metadata.sorted_tables if t.schema == "registry"]
    assert len(tables) == 36
    for table in tables:
        live = {c["name"]: c for c in inspector.get_columns(table.name, schema=schema)}
        assert set(live) == {c.name for c in table.columns}, table.name
        for column in table.columns:
            assert live[column.name]["nullable"] == column.nullable, (table.name, column.name)
        live_indexes = {i["name"] for i in inspector.get_indexes(table.name, schema=schema)}
        assert {i.name for i in table.indexes} <= live_indexes, table.name


def test_every_route_is_documented_and_request_examples_validate() -> None:
    names: set[str] = set()
    for route in [route for router in ROUTERS for route in router.routes]:
        assert isinstance(route, APIRoute)
        assert route.summary and route.tags, route.path
        assert route.name not in names, route.name
        names.add(route.name)
        if route.methods & {"POST", "PUT", "PATCH", "DELETE"}:
            assert {401, 403} <= set(route.responses), route.path
        body = route.body_field
        if body is None:
            continue
        # An optional body (`ApiKeyRotate | None`) is documented by the model it carries when present.
        model = next((arg for arg in get_args(body.field_info.annotation) if arg is not type(None)), None)
        model = model or body.field_info.annotation
        examples = model.model_config.get("json_schema_extra", {}).get("examples")  # type: ignore[union-attr]
        assert examples, f"{route.path}: {model} has no example"
        for example in examples:
            model.model_validate(example)  # type: ignore[union-attr]


async def test_openapi_renders(make_client: Callable[[str], httpx.AsyncClient]) -> None:
    async with make_client("registry") as client:
        schema = (await client.get("/openapi.json")).json()
    assert "/districts/{district_id}/memberships" in schema["paths"]
    # JSON clients get one media type; the GeoJSON variant is its own typed operation (geojson-pydantic).
    get_district = schema["paths"]["/districts/{district_id}"]["get"]
    assert list(get_district["responses"]["200"]["content"]) == ["application/json"]
    feature = schema["paths"]["/districts/{district_id}.geojson"]["get"]["responses"]["200"]["content"]
    assert feature == {"application/geo+json": {"schema": {"$ref": "#/components/schemas/DistrictFeature"}}}


def test_event_payload_models_carry_no_personal_fields() -> None:
    personal = {"given_name", "family_name", "email", "phone", "full_name", "first_name", "last_name"}
    for value in vars(registry_events).values():
        if isinstance(value, type) and hasattr(value, "model_fields"):
            assert not personal & set(value.model_fields), value.__name__
