"""Client of the registry's HTTP API used by the other services to resolve ids.

Timeouts come from settings; the caller's ``X-Request-ID`` is propagated; answers are cached for a few
seconds. When the registry cannot be reached the client raises ``UpstreamUnavailableError``, which the error
handler renders as 503 problem+json (never a 500).
"""

from __future__ import annotations

import hashlib
import threading
import time
from datetime import date
from typing import Any

import httpx
from pydantic import BaseModel, ConfigDict

from shared.auth.identity import SignedInPerson
from shared.auth.oidc import InvalidTokenError, VerifiedToken
from shared.context import current_request_id
from shared.errors import AppError, ForbiddenError, UpstreamUnavailableError


class DistrictRef(BaseModel):
    """What other services need to know of a district."""

    model_config = ConfigDict(extra="ignore")

    id: str
    name: str
    regional_code: str | None = None
    province: str | None = None
    health_authority: str | None = None


class PersonRef(BaseModel):
    """A person as other services see them: an id and non-personal attributes only."""

    model_config = ConfigDict(extra="ignore")

    id: str
    actor_category: str | None = None
    erased: bool = False
    district_ids: list[str] = []


class OrganisationRef(BaseModel):
    """An organisation as other services see it."""

    model_config = ConfigDict(extra="ignore")

    id: str
    name: str | None = None
    kind: str | None = None
    district_ids: list[str] = []


class FacilitatorRef(BaseModel):
    """A facilitator or tutor: kind and districts served (no personal data)."""

    model_config = ConfigDict(extra="ignore")

    person_id: str
    kind: str
    district_ids: list[str] = []


class WhoAmI(BaseModel):
    """The non-personal part of the registry's ``GET /me``: the person id and their role grants."""

    model_config = ConfigDict(extra="ignore")

    person_id: str
    regional_admin: bool = False
    district_editor_of: list[str] = []
    facilitator: bool = False


class RegistryClient:
    """Synchronous client (service code runs in worker threads) with a small TTL cache."""

    def __init__(
        self,
        base_url: str,
        *,
        timeout: float = 5.0,
        cache_seconds: float = 30.0,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self._client = httpx.Client(base_url=base_url, timeout=timeout, transport=transport)
        self._cache_seconds = cache_seconds
        self._cache: dict[str, tuple[float, Any]] = {}
        self._people: dict[str, tuple[float, SignedInPerson]] = {}
        self._lock = threading.Lock()

    def close(self) -> None:
        """Close the connection pool."""
        self._client.close()

    def _get(self, path: str, params: dict[str, Any] | None = None) -> Any | None:
        """GET a JSON document; None on 404; 503 error when the registry is unreachable or failing."""
        key = path + "?" + repr(sorted((params or {}).items()))
        now = time.monotonic()
        with self._lock:
            cached = self._cache.get(key)
            if cached and cached[0] > now:
                return cached[1]
        headers = {"Accept": "application/json"}
        if (request_id := current_request_id()) is not None:
            headers["X-Request-ID"] = request_id
        try:
            response = self._client.get(path, params=params, headers=headers)
        except httpx.HTTPError as exc:
            raise UpstreamUnavailableError(f"the registry did not answer: {type(exc).__name__}") from exc
        if response.status_code == 404:
            return None
        if response.status_code >= 500:
            raise UpstreamUnavailableError(f"the registry answered {response.status_code}")
        if response.status_code >= 400:
            raise UpstreamUnavailableError(f"the registry refused the lookup ({response.status_code})")
        data = response.json()
        with self._lock:
            self._cache[key] = (now + self._cache_seconds, data)
        return data

    def get_district(self, district_id: str) -> DistrictRef | None:
        """The district, or None when the registry has no such district."""
        data = self._get(f"/districts/{district_id}")
        return DistrictRef.model_validate(data) if data is not None else None

    def list_districts(self) -> list[DistrictRef]:
        """Every district the registry knows (all pages)."""
        districts: list[DistrictRef] = []
        params: dict[str, Any] = {"limit": 500}
        while True:
            page = self._get("/districts", params)
            if page is None:
                return districts
            districts += [DistrictRef.model_validate(item) for item in page.get("items", [])]
            if not page.get("next_cursor"):
                return districts
            params = {"limit": 500, "cursor": page["next_cursor"]}

    def get_person(self, person_id: str) -> PersonRef | None:
        """The person's non-personal attributes, or None when unknown."""
        data = self._get(f"/people/{person_id}")
        return PersonRef.model_validate(data) if data is not None else None

    def get_organisation(self, organisation_id: str) -> OrganisationRef | None:
        """The organisation, or None when unknown."""
        data = self._get(f"/organisations/{organisation_id}")
        return OrganisationRef.model_validate(data) if data is not None else None

    def person_roles(self, district_id: str, person_id: str, on: date) -> set[str]:
        """Governance roles the person holds in the district on a date, as ``<body_kind>:<role>`` strings.

        E.g. ``{"ufficio_di_piano:staff", "comitato_di_distretto:delegate"}``.
        """
        data = self._get(
            f"/districts/{district_id}/memberships", params={"person_id": person_id, "on": on.isoformat()}
        )
        items = (data or {}).get("items", [])
        return {f"{item['body_kind']}:{item['role']}" for item in items}

    def get_facilitator(self, person_id: str) -> FacilitatorRef | None:
        """The person's facilitator/tutor profile, or None when they are not a facilitator."""
        data = self._get(f"/facilitators/{person_id}")
        return FacilitatorRef.model_validate(data) if data is not None else None

    def whoami(self, token: str, *, expires_at: float | None = None) -> SignedInPerson:
        """Who a signed-in caller is, asking the registry's ``GET /me`` with the caller's own token.

        The registry verifies the token itself and links (or registers) the person. Only the person id and
        the role grants are kept, cached under a hash of the token for at most the cache time and never
        beyond the token's expiry; governance memberships are not part of it (``person_roles`` reads them).
        """
        digest = hashlib.sha256(token.encode()).hexdigest()
        now = time.monotonic()
        with self._lock:
            cached = self._people.get(digest)
            if cached and cached[0] > now:
                return cached[1]
        headers = {"Accept": "application/json", "Authorization": f"Bearer {token}"}
        if (request_id := current_request_id()) is not None:
            headers["X-Request-ID"] = request_id
        try:
            response = self._client.get("/me", params={"personal": "false"}, headers=headers)
        except httpx.HTTPError as exc:
            raise UpstreamUnavailableError(f"the registry did not answer: {type(exc).__name__}") from exc
        if response.status_code in (401, 403):
            raise _relayed(response)
        if response.status_code >= 400:
            raise UpstreamUnavailableError(
                f"the registry could not resolve the caller ({response.status_code})"
            )
        who = WhoAmI.model_validate(response.json())
        person = SignedInPerson(
            person_id=who.person_id,
            regional_admin=who.regional_admin,
            district_editor_ids=frozenset(who.district_editor_of),
            facilitator=who.facilitator,
        )
        ttl = self._cache_seconds
        if expires_at is not None:
            ttl = min(ttl, max(0.0, expires_at - time.time()))
        if ttl > 0:
            with self._lock:
                if len(self._people) > 10_000:
                    self._people.clear()
                self._people[digest] = (now + ttl, person)
        return person

    def person_resolver(self, token: VerifiedToken, raw_token: str) -> SignedInPerson:
        """A ``PersonResolver`` for services other than the registry."""
        exp = token.claims.get("exp")
        return self.whoami(raw_token, expires_at=float(exp) if isinstance(exp, int | float) else None)


def _relayed(response: httpx.Response) -> AppError:
    """The registry's 401/403 about the caller, passed on with its reason."""
    try:
        problem = response.json()
    except ValueError:
        problem = {}
    detail = str(problem.get("detail") or "the registry refused the sign-in")
    reason = str(problem.get("reason") or "")
    if response.status_code == 401:
        return InvalidTokenError(reason or "invalid", detail)
    return ForbiddenError(detail, reason=reason or None)
