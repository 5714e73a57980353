"""The OpenAPI 3.1 ``webhooks`` section: one entry per delivered event type, with the Standard Webhooks headers.

The body schemas come from ``event_catalogue.json`` (generated from the domains' events.py by
``python -m services.event_catalogue``), so integrators generate payload types as they do for the paths.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from fastapi import FastAPI

CATALOGUE = Path(__file__).with_name("event_catalogue.json")

HEADERS: tuple[dict[str, Any], ...] = (
    {
        "name": "webhook-id",
        "in": "header",
        "required": True,
        "description": "The message id: the same on every retry and redelivery of one event, so receivers "
        "dedupe by it.",
        "schema": {"type": "string", "maxLength": 64, "pattern": "^msg_[A-Za-z0-9_-]+$"},
        "example": "msg_2f1c0c8e9b6d4a0f8e3a",
    },
    {
        "name": "webhook-timestamp",
        "in": "header",
        "required": True,
        "description": "Unix seconds of this attempt; refuse messages more than 5 minutes away from your clock.",
        "schema": {"type": "string", "pattern": "^[0-9]{1,12}$", "maxLength": 12},
        "example": "1764672000",
    },
    {
        "name": "webhook-signature",
        "in": "header",
        "required": True,
        "description": "Space-separated `v1,<base64 HMAC-SHA256>` of `{webhook-id}.{webhook-timestamp}.{body}` "
        "with the subscription's secret (two entries while a rotated secret still signs).",
        "schema": {"type": "string", "maxLength": 1024},
        "example": "v1,K5oZfzN95Z9UVu1EsfQmfVNQhnkZ2pj9o9NDN/H/pI4=",
    },
    {
        "name": "x-correlation-id",
        "in": "header",
        "required": False,
        "description": "The `X-Request-ID` of the API request that caused the event (absent on pings and on "
        "events written outside a request). Not signed: quote it to the operators, never trust a message for it.",
        "schema": {"type": "string", "maxLength": 128},
        "example": "4f9c2b7e0d3a4e8f9b1c6d2e7a5f3b10",
    },
)

RESPONSES: dict[str, Any] = {
    "200": {"description": "Accepted. Any 2xx ends the retries for this message."},
    "429": {
        "description": "Too busy: the message is retried after the `Retry-After` delay (so is a 503). Any "
        "other non-2xx answer, a timeout or a refused connection is retried with exponential backoff.",
        "headers": {
            "Retry-After": {
                "description": "Seconds, or an HTTP date, to wait before the next attempt.",
                "schema": {"type": "string", "maxLength": 64},
            }
        },
    },
}


@cache
def catalogue() -> dict[str, Any]:
    """The generated catalogue: ``event_types`` (type -> schema name) and ``schemas``."""
    loaded: dict[str, Any] = json.loads(CATALOGUE.read_text())
    return loaded


def webhooks_section() -> tuple[dict[str, Any], dict[str, Any]]:
    """The ``webhooks`` object and the component schemas it references."""
    data = catalogue()
    section: dict[str, Any] = {}
    for event_type, schema_name in data["event_types"].items():
        schema = data["schemas"][schema_name]
        section[event_type] = {
            "post": {
                "operationId": "on_" + event_type.replace(".", "_"),
                "summary": f"`{event_type}` delivered to your endpoint",
                "description": schema.get("description", "")
                + " Signed with Standard Webhooks; see docs/webhooks.md to verify and dedupe.",
                "tags": ["webhooks"],
                "security": [],
                "parameters": [dict(header) for header in HEADERS],
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {"schema": {"$ref": f"#/components/schemas/{schema_name}"}}
                    },
                },
                "responses": RESPONSES,
            }
        }
    return section, data["schemas"]


def install_webhooks_openapi(app: FastAPI) -> None:
    """Add the ``webhooks`` section (and its schemas) to the app's generated OpenAPI document."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is not None:
            return app.openapi_schema
        document = generate()
        section, schemas = webhooks_section()
        components = document.setdefault("components", {}).setdefault("schemas", {})
        clash = sorted(set(schemas) & set(components))
        if clash:
            raise RuntimeError(f"webhook schemas clash with the API's: {clash}")
        components.update(schemas)
        document["webhooks"] = section
        app.openapi_schema = document
        return document

    app.openapi = openapi  # type: ignore[method-assign]
