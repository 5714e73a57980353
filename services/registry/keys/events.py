"""Events of API keys: ids, role, districts and expiry, never the key nor its hash."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict

API_KEY = "api_key"
"""Stream type; the stream id is the key's actor id (a UUID), which rotation keeps."""

API_KEY_CREATED = "api_key.created"
API_KEY_ROTATED = "api_key.rotated"
API_KEY_REVOKED = "api_key.revoked"


class _Payload(BaseModel):
    model_config = ConfigDict(extra="forbid")

    def dump(self) -> dict[str, Any]:
        """The JSON-native payload."""
        return self.model_dump(mode="json")


class ApiKeyChanged(_Payload):
    """A key was created, given a new secret or revoked (who holds it is the actor id, not a name)."""

    key_id: str
    actor_id: str
    role: str
    district_ids: list[str]
    person_id: str | None
    expires_at: str | None


# The payload model of every event type this domain writes (the webhooks' OpenAPI is generated from it).
PAYLOADS: dict[str, type[BaseModel]] = {
    API_KEY_CREATED: ApiKeyChanged,
    API_KEY_ROTATED: ApiKeyChanged,
    API_KEY_REVOKED: ApiKeyChanged,
}
