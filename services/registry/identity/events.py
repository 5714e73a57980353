"""Events of sign-in links and role grants: ids and roles only, never the identifier itself."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

PERSON = "person"
GRANT = "grant"

PERSON_IDENTITY_LINKED = "person.identity_linked"
GRANT_MADE = "grant.made"
GRANT_REVOKED = "grant.revoked"


class _Payload(BaseModel):
    def dump(self) -> dict[str, Any]:
        """The JSON-native payload."""
        return self.model_dump(mode="json")


class PersonIdentityLinked(_Payload):
    """A sign-in identity was linked to a person (which issuer and which claim kind, not the value)."""

    person_id: str
    identity_id: str
    issuer: str
    claim: str
    registered_at_sign_in: bool


class GrantChanged(_Payload):
    """A role was granted to or revoked from a person."""

    grant_id: str
    person_id: str
    role: str
    district_id: str | None


# The payload model of every event type this domain writes (the webhooks' OpenAPI is generated from it).
PAYLOADS: dict[str, type[BaseModel]] = {
    PERSON_IDENTITY_LINKED: PersonIdentityLinked,
    GRANT_MADE: GrantChanged,
    GRANT_REVOKED: GrantChanged,
}
