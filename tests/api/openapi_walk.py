"""Helpers to load the three services' OpenAPI documents and walk their operations (lint and access tests)."""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fastapi import FastAPI

from shared.config import Settings

SERVICES = ("registry", "workshops", "reporting")
WRITE_METHODS = ("post", "put", "patch", "delete")
HTTP_METHODS = ("get", "head", "options", *WRITE_METHODS)


def build_app(service: str, database_url: str) -> FastAPI:
    """One service's app (nothing is served; the database is not touched until a request comes)."""
    module = importlib.import_module(f"services.{service}.app")
    settings = Settings(database_url=database_url, secret_key="openapi-lint", environment="test")
    app: FastAPI = module.create_app(settings=settings)
    return app


def openapi_documents(tmp_dir: Path) -> dict[str, dict[str, Any]]:
    """The OpenAPI document of each service."""
    return {
        service: build_app(service, f"sqlite:///{tmp_dir / 'openapi.db'}").openapi() for service in SERVICES
    }


@dataclass(frozen=True)
class Operation:
    """One operation of one service's document."""

    service: str
    method: str
    path: str
    spec: dict[str, Any] = field(hash=False, compare=False)
    path_parameters: tuple[dict[str, Any], ...] = field(default=(), hash=False, compare=False)

    @property
    def label(self) -> str:
        """``service METHOD /path`` for messages and test ids."""
        return f"{self.service} {self.method.upper()} {self.path}"

    @property
    def parameters(self) -> list[dict[str, Any]]:
        """Path-level and operation-level parameters."""
        own = list(self.spec.get("parameters", []))
        names = {(p["name"], p["in"]) for p in own}
        return own + [p for p in self.path_parameters if (p["name"], p["in"]) not in names]

    @property
    def is_write(self) -> bool:
        """POST, PUT, PATCH or DELETE."""
        return self.method in WRITE_METHODS


def operations(documents: dict[str, dict[str, Any]]) -> Iterator[Operation]:
    """Every operation of every document."""
    for service, document in documents.items():
        for path, item in document.get("paths", {}).items():
            for method in HTTP_METHODS:
                if method in item:
                    yield Operation(service, method, path, item[method], tuple(item.get("parameters", [])))


def resolve(document: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    """Follow a local ``$ref``."""
    seen = 0
    while "$ref" in schema and seen < 20:
        parts = schema["$ref"].removeprefix("#/").split("/")
        target: Any = document
        for part in parts:
            target = target[part]
        schema = target
        seen += 1
    return schema


def request_body_schema(document: dict[str, Any], operation: Operation) -> dict[str, Any] | None:
    """The JSON schema of the operation's request body, resolved."""
    body = operation.spec.get("requestBody")
    if not body:
        return None
    content = body.get("content", {})
    media = content.get("application/json") or next(iter(content.values()), {})
    return resolve(document, media.get("schema", {}))


def body_example(document: dict[str, Any], operation: Operation) -> Any:
    """The first example of the request body (media-level examples first, then the schema's)."""
    body = operation.spec.get("requestBody") or {}
    content = body.get("content", {})
    media = content.get("application/json") or next(iter(content.values()), {})
    if "example" in media:
        return media["example"]
    examples = media.get("examples")
    if isinstance(examples, dict) and examples:
        first = next(iter(examples.values()))
        return first.get("value") if isinstance(first, dict) else first
    schema = resolve(document, media.get("schema", {}))
    if isinstance(schema.get("examples"), list) and schema["examples"]:
        return schema["examples"][0]
    if "example" in schema:
        return schema["example"]
    return None
