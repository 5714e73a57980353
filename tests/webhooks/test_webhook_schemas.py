"""The OpenAPI ``webhooks`` section: in step with the domains' payload models, and true to real deliveries.

A delivery's body, received by a real HTTP receiver from the real dispatcher, is validated against the JSON
Schema read from reporting's OpenAPI document (as an integrator's generated type would be), and a body that
does not follow the payload model is refused by the same schema.
"""

from __future__ import annotations

import importlib
import uuid
from pathlib import Path
from typing import Any

import httpx
import jsonschema
import pytest
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012
from sqlmodel import Session
from standardwebhooks import Webhook

from services import event_catalogue
from services.reporting.webhooks import events as webhook_events
from services.workshops.outcomes import events as outcome_events
from shared.auth.principal import Role
from shared.eventlog import NewEvent, append
from tests.api.openapi_walk import build_app
from tests.webhooks.conftest import Receiver, append_event, create_subscription, run_until

pytestmark = pytest.mark.anyio

HEADER_NAMES = {"webhook-id", "webhook-timestamp", "webhook-signature"}


@pytest.fixture(scope="module")
def document(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    db = Path(tmp_path_factory.mktemp("openapi")) / "openapi.db"
    return build_app("reporting", f"sqlite:///{db}").openapi()


def validator_for(document: dict[str, Any], event_type: str) -> jsonschema.Draft202012Validator:
    """A JSON Schema 2020-12 validator of the body of ``event_type``, its ``$ref`` resolved in the document."""
    body = document["webhooks"][event_type]["post"]["requestBody"]["content"]["application/json"]["schema"]
    resource = Resource.from_contents(document, default_specification=DRAFT202012)
    registry: Registry[Any] = Registry().with_resource("urn:openapi", resource)
    return jsonschema.Draft202012Validator({"$ref": "urn:openapi" + body["$ref"]}, registry=registry)


def test_the_catalogue_file_is_in_step_with_the_payload_models() -> None:
    assert event_catalogue.CATALOGUE.read_text() == event_catalogue.render(), (
        "run `python -m services.event_catalogue` after changing an events.py"
    )


def test_every_event_type_a_domain_declares_has_a_payload_model() -> None:
    for module in event_catalogue.DOMAINS:
        declared = {
            value
            for name, value in vars(module).items()
            if name.isupper() and isinstance(value, str) and "." in value
        }
        if module.__name__.endswith("notifications.events"):
            declared -= set(module.READ_TYPES)  # other domains' types, read by the notifications worker
        assert declared == set(module.PAYLOADS), module.__name__


def test_one_webhook_per_delivered_type_with_standard_webhooks_headers(document: dict[str, Any]) -> None:
    expected = set(event_catalogue.delivered_types()) | {webhook_events.PING}
    assert set(document["webhooks"]) == expected
    assert not any(t.startswith("webhook_subscription.") for t in document["webhooks"])
    for event_type, item in document["webhooks"].items():
        operation = item["post"]
        headers = {p["name"] for p in operation["parameters"] if p["in"] == "header" and p["required"]}
        assert headers == HEADER_NAMES, event_type
        optional = {p["name"] for p in operation["parameters"] if p["in"] == "header" and not p["required"]}
        assert optional == {"x-correlation-id"}, event_type
        schema = item["post"]["requestBody"]["content"]["application/json"]["schema"]
        target = document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
        assert target["properties"]["type"]["const"] == event_type
        assert {"type", "timestamp", "data"} <= set(target["required"])


async def test_a_real_delivery_matches_its_webhook_schema(
    reporting_client: httpx.AsyncClient,
    create_api_key: Any,
    session: Session,
    receiver: Receiver,
    make_dispatcher: Any,
    document: dict[str, Any],
) -> None:
    district = str(uuid.uuid4())
    key = create_api_key(Role.INTEGRATION)
    sub = await create_subscription(
        reporting_client, key.headers, receiver.url, event_types=["priority.*"], district_id=district
    )
    priority_id = str(uuid.uuid4())
    payload = outcome_events.PriorityDecided(
        priority_id=priority_id,
        process_id=str(uuid.uuid4()),
        district_id=district,
        from_state="submitted",
        to_state="validated",
        year=2026,
        sitting_date="2026-11-20",  # type: ignore[arg-type]
        motivation="Coerente con il piano di zona",
    ).model_dump(mode="json")
    append(
        session,
        stream_type=outcome_events.PRIORITY_STREAM,
        stream_id=priority_id,
        expected_version=None,
        events_to_append=[NewEvent(outcome_events.PRIORITY_VALIDATED, payload)],
        district_id=district,
    )
    # The same type with a payload that does not follow the model (no year, states nor process).
    append_event(session, "priority.validated", district, sitting_date="2026-11-20", motivation="ok")
    session.commit()
    dispatcher = make_dispatcher()
    run_until(dispatcher, lambda: len(receiver.final_log) >= 2)
    real, stray = (Webhook(sub["secret"]).verify(r.body, r.headers) for r in receiver.final_log[:2])
    validator = validator_for(document, "priority.validated")
    errors = [e.message for e in validator.iter_errors(real)]
    assert errors == [], errors
    assert real["data"]["priority_id"] == priority_id and real["data"]["year"] == 2026
    assert set(receiver.final_log[0].headers) >= HEADER_NAMES
    refused = {error.message for error in validator.iter_errors(stray)}
    assert any("'year' is a required property" in message for message in refused), refused
    # Another type's schema refuses it too: the ``type`` constant tells bodies apart.
    assert not validator_for(document, "priority.rejected").is_valid(real)


async def test_a_ping_matches_its_webhook_schema(
    reporting_client: httpx.AsyncClient,
    create_api_key: Any,
    receiver: Receiver,
    make_dispatcher: Any,
    document: dict[str, Any],
) -> None:
    key = create_api_key(Role.INTEGRATION)
    sub = await create_subscription(reporting_client, key.headers, receiver.url)
    response = await reporting_client.post(f"/webhooks/subscriptions/{sub['id']}/ping", headers=key.headers)
    assert response.status_code in (200, 201, 202), response.text
    dispatcher = make_dispatcher()
    run_until(dispatcher, lambda: len(receiver.final_log) >= 1)
    body = Webhook(sub["secret"]).verify(receiver.final_log[0].body, receiver.final_log[0].headers)
    assert body["type"] == webhook_events.PING
    errors = [e.message for e in validator_for(document, webhook_events.PING).iter_errors(body)]
    assert errors == [], errors


def test_the_catalogue_module_imports_every_domain() -> None:
    # A new events.py must join DOMAINS, or its types would be missing from the webhooks section.
    root = Path(event_catalogue.__file__).parent
    modules = {
        ".".join(path.relative_to(root.parent).with_suffix("").parts)
        for path in root.rglob("events.py")
        if "reporting" not in path.parts
    }
    assert modules == {m.__name__ for m in event_catalogue.DOMAINS}
    for name in modules:
        assert hasattr(importlib.import_module(name), "PAYLOADS"), name
