"""Who a verified token is: the registry person it is linked to and the rights the registry gives them.

The registry resolves in process; the other services ask the registry over HTTP (``shared.clients.registry``).
Shared code only knows this protocol, so it imports no service.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from typing import Protocol

from shared.auth.oidc import InvalidTokenError, VerifiedToken


@dataclass(frozen=True)
class SignedInPerson:
    """A signed-in person's registry id and the role grants the registry holds for them."""

    person_id: str
    regional_admin: bool = False
    district_editor_ids: frozenset[str] = field(default_factory=frozenset)
    facilitator: bool = False


class PersonResolver(Protocol):
    """Turns a verified token into the registry person it is linked to (creating one when allowed)."""

    def __call__(self, token: VerifiedToken, raw_token: str) -> SignedInPerson:
        """Resolve; ForbiddenError when no person is linked and none may be created."""
        ...


def normalise_fiscal_number(value: str) -> str:
    """A fiscal code as SPID/CIE send it (``TINIT-RSSMRA80A01H501U``) reduced to the code, upper case."""
    code = unicodedata.normalize("NFKC", value).strip().upper()
    if code.startswith("TINIT-"):
        code = code[len("TINIT-") :]
    return code


def link_value(token: VerifiedToken) -> tuple[str, str]:
    """The (namespace, value) that identifies the person: fiscal codes are national, other claims per issuer."""
    claim = token.issuer.link_claim
    raw = token.claims.get(claim)
    if not isinstance(raw, str) or not raw.strip():
        raise InvalidTokenError(
            "missing_claim", f"the token carries no {claim} claim, which links it to a registry person"
        )
    if claim == "fiscal_number":
        return "fiscal_number", normalise_fiscal_number(raw)
    if claim == "email":
        return f"{token.issuer.issuer}#email", raw.strip().casefold()
    return f"{token.issuer.issuer}#{claim}", raw.strip()
