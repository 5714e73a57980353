"""Every event the services write, as it would be delivered, follows its schema in the OpenAPI ``webhooks``.

The two-district world (one object of every kind, built through the APIs) leaves the events the services
really write; each one's delivery body (``deliveries.event_body``, what the dispatcher signs and sends) is
validated against the JSON Schema that reporting's document declares for its type.
"""

from __future__ import annotations

from typing import Any

import jsonschema
import pytest
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from services.reporting.webhooks.deliveries import event_body
from services.reporting.webhooks.events import PRIVATE_STREAM_TYPES
from shared.eventlog import read_all
from tests.api.test_district_isolation import DOCUMENTS
from tests.api.world import World
from tests.conftest import TestDatabase

pytestmark = pytest.mark.anyio


def _validators() -> dict[str, jsonschema.Draft202012Validator]:
    document = DOCUMENTS["reporting"]
    registry: Registry[Any] = Registry().with_resource(
        "urn:openapi", Resource.from_contents(document, default_specification=DRAFT202012)
    )
    made = {}
    for event_type, item in document["webhooks"].items():
        ref = item["post"]["requestBody"]["content"]["application/json"]["schema"]["$ref"]
        made[event_type] = jsonschema.Draft202012Validator({"$ref": "urn:openapi" + ref}, registry=registry)
    return made


async def test_every_event_of_the_world_matches_its_webhook_schema(
    worlds: dict[str, World], world_db: TestDatabase
) -> None:
    validators = _validators()
    with world_db.session() as session:
        recorded = read_all(session, after=0, limit=100_000)
    delivered = [e for e in recorded if e.stream_type not in PRIVATE_STREAM_TYPES]
    types = {e.type for e in delivered}
    assert len(types) >= 25, sorted(types)  # the world wrote events of most kinds
    problems: list[str] = []
    for event in delivered:
        validator = validators.get(event.type)
        if validator is None:
            problems.append(f"{event.type}: no entry in the webhooks section")
            continue
        for error in validator.iter_errors(event_body(event)):
            problems.append(f"{event.type}: {'/'.join(map(str, error.absolute_path))}: {error.message}")
    assert not problems, "\n".join(sorted(set(problems)))
