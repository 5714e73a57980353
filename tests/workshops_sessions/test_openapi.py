"""The sessions routes document themselves: summaries, tags, problem responses and valid examples."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest

from services.workshops.sessions.agenda import schemas as agenda
from services.workshops.sessions.minutes import schemas as minutes
from services.workshops.sessions.open_space import schemas as open_space
from services.workshops.sessions.pollination import schemas as pollination
from services.workshops.sessions.routes import ROUTERS
from services.workshops.sessions.world_cafe import schemas as world_cafe
from shared.api.schemas import ApiModel

pytestmark = pytest.mark.anyio


def test_every_request_example_is_valid() -> None:
    models = [
        obj
        for module in (agenda, open_space, world_cafe, pollination, minutes)
        for obj in vars(module).values()
        if isinstance(obj, type) and issubclass(obj, ApiModel) and obj.__module__ == module.__name__
    ]
    with_examples = [m for m in models if (m.model_config.get("json_schema_extra") or {}).get("examples")]
    assert len(with_examples) >= 9
    for model in with_examples:
        for example in model.model_config["json_schema_extra"]["examples"]:  # type: ignore[index]
            model.model_validate(example)


async def test_routes_are_documented(make_client: Callable[[str], httpx.AsyncClient]) -> None:
    async with make_client("workshops") as client:
        spec: dict[str, Any] = (await client.get("/openapi.json")).json()
    ours = {
        (route.path, next(iter(route.methods)).lower())  # type: ignore[attr-defined]
        for router in ROUTERS
        for route in router.routes
    }
    assert len(ours) >= 18
    for path, method in ours:
        operation = spec["paths"][path][method]
        assert operation["summary"] and operation["tags"], (path, method)
        if method != "get":
            assert {"401", "403", "404", "422"} <= set(operation["responses"]), (path, method)
            body = operation["requestBody"]["content"]["application/json"]["schema"]["$ref"].split("/")[-1]
            assert spec["components"]["schemas"][body].get("examples"), (path, method, body)
