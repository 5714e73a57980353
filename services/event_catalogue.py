"""The catalogue of delivered event types: the JSON Schemas of webhook bodies, from the domains' events.py.

Reporting publishes them in its OpenAPI ``webhooks`` section, but a service imports no other service's
package, so the catalogue is generated here (where every service may be imported) into
``services/reporting/webhooks/event_catalogue.json``, committed and checked to be in step by a test.
``python -m services.event_catalogue`` rewrites it.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, create_model
from pydantic.json_schema import models_json_schema

from services.registry import events as registry_events
from services.registry.agreements import events as agreement_events
from services.registry.courses import events as course_events
from services.registry.identity import events as identity_events
from services.registry.keys import events as key_events
from services.registry.notifications import events as notification_events
from services.registry.supervisions import events as supervision_events
from services.reporting.webhooks import events as webhook_events
from services.workshops.attachments import events as attachment_events
from services.workshops.knowledge.cases import events as case_events
from services.workshops.knowledge.manual import events as manual_events
from services.workshops.outcomes import events as outcome_events
from services.workshops.participation import events as participation_events
from services.workshops.participation.comments import events as comment_events
from services.workshops.processes import events as process_events
from services.workshops.processes.labs import events as lab_events
from services.workshops.sessions import events as session_events

CATALOGUE = Path(__file__).parent / "reporting" / "webhooks" / "event_catalogue.json"
REF_TEMPLATE = "#/components/schemas/{model}"

DOMAINS = (
    registry_events,
    agreement_events,
    course_events,
    supervision_events,
    identity_events,
    key_events,
    notification_events,
    process_events,
    lab_events,
    session_events,
    outcome_events,
    participation_events,
    comment_events,
    attachment_events,
    manual_events,
    case_events,
)


class DeliveryMetadata(BaseModel):
    """What every delivered event's ``data`` carries beside its payload: where it stands in the event log."""

    model_config = ConfigDict(extra="ignore")

    event_id: str = Field(
        description="The event's id in the log (a UUID).", examples=["0b6c6f2e-1d7a-4c1e-9f0e-3a5b7c9d1e2f"]
    )
    position: int = Field(description="Global position in the event log: strictly increasing, gap-free.")
    stream_type: str = Field(description="The aggregate kind, e.g. `priority`.")
    stream_id: str = Field(description="The aggregate's id (a UUID).")
    stream_version: int = Field(description="The event's version within its stream (1 for the first).")
    district_id: str | None = Field(description="The district the event belongs to, if any.")
    occurred_at: AwareDatetime = Field(description="When the change happened (UTC).")


def _camel(event_type: str) -> str:
    return "".join(part.capitalize() for part in event_type.replace(".", "_").split("_"))


def delivered_types() -> dict[str, type[BaseModel]]:
    """Every event type fanned out to subscribers, with its payload model (subscription events excluded)."""
    found: dict[str, type[BaseModel]] = {}
    for module in DOMAINS:
        for event_type, model in module.PAYLOADS.items():
            if event_type.split(".")[0] in webhook_events.PRIVATE_STREAM_TYPES:
                continue
            if event_type in found and found[event_type] is not model:
                raise ValueError(f"{event_type} has two payload models")
            found[event_type] = model
    return dict(sorted(found.items()))


def _envelope(event_type: str, data: type[BaseModel], description: str) -> type[BaseModel]:
    return create_model(
        f"{_camel(event_type)}Webhook",
        __doc__=description,
        type=(Literal[event_type], Field(description="The event type.")),  # type: ignore[valid-type]
        timestamp=(AwareDatetime, Field(description="When the event was recorded in the log (UTC).")),
        data=(data, Field(description="The event's payload and its place in the log.")),
    )


def _data_model(event_type: str, payload: type[BaseModel]) -> type[BaseModel]:
    # Payload first, so a payload's own stricter field (``district_id: str``) wins over the metadata's.
    model = type(
        f"{_camel(event_type)}WebhookData",
        (payload, DeliveryMetadata),
        {
            "__doc__": (payload.__doc__ or "").strip() + " Plus the event's place in the log.",
            "__module__": __name__,
            # Receivers must ignore fields they do not know: payloads grow, fields are never removed.
            "model_config": ConfigDict(extra="ignore"),
        },
    )
    return model


def envelopes() -> dict[str, type[BaseModel]]:
    """The pydantic model of each delivered body, by event type (``webhook.ping`` included)."""
    built: dict[str, type[BaseModel]] = {}
    for event_type, payload in delivered_types().items():
        data = _data_model(event_type, payload)
        built[event_type] = _envelope(event_type, data, f"The `{event_type}` event.")
    ping = type(
        "WebhookPingWebhookData",
        (webhook_events.PingPayload,),
        {"__module__": __name__, "model_config": ConfigDict(extra="ignore")},
    )
    built[webhook_events.PING] = _envelope(
        webhook_events.PING,
        ping,
        "Sent by `POST /webhooks/subscriptions/{id}/ping` only; never written to the event log.",
    )
    return built


def catalogue() -> dict[str, Any]:
    """``{"event_types": {type: schema name}, "schemas": {name: JSON Schema}}`` for the OpenAPI."""
    models = envelopes()
    refs, definitions = models_json_schema(
        [(model, "validation") for model in models.values()], ref_template=REF_TEMPLATE
    )
    names = {
        event_type: refs[(model, "validation")]["$ref"].rsplit("/", 1)[-1]
        for event_type, model in models.items()
    }
    return {"event_types": names, "schemas": definitions.get("$defs", {})}


def render() -> str:
    """The catalogue file's text."""
    return json.dumps(catalogue(), indent=1, sort_keys=True) + "\n"


if __name__ == "__main__":
    CATALOGUE.write_text(render())
    sys.exit(0)
